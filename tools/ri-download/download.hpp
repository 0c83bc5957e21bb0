// ri-download's options and its two modes: library files and job outputs (file ids, --job,
// --folder, file/job records), and s3:// or az:// objects and prefixes.
#pragma once

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "cli/tool_runner.hpp"
#include "core/config.hpp"
#include "core/input.hpp"

namespace ri::download {

struct Options {
    cli::AccountOptions account;  // library mode
    std::vector<std::string> urls;
    std::string output = ".";
    cli::TransferFlags transfer;
    std::string key, key_file;
    bool raw = false;
    // Library mode: file ids (positional), --job, --folder.
    std::vector<std::string> jobs, folders;
    bool skip_checksum = false;
    cli::StorageOptions storage;
};

// records: what stdin held when there were no arguments (file, job, folder records or ids).
int download_from_library(cli::ToolRunner& tool, Options& o, const Config& config,
                          const std::vector<InputRecord>& records);
int download_from_storage(cli::ToolRunner& tool, Options& o, const Config& config,
                          const std::vector<std::string>& urls);

}  // namespace ri::download
