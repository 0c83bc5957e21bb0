// ri-upload's options and its three modes: the Rescale library (no URL), an s3:// or az://
// destination, and --cleanup of orphaned multipart uploads.
#pragma once

#include <string>
#include <vector>

#include "cli/options.hpp"
#include "cli/tool_runner.hpp"
#include "core/config.hpp"
#include "transfer/part_planner.hpp"

namespace ri::upload {

struct Options {
    cli::AccountOptions account;  // library mode
    std::vector<std::string> args;
    cli::TransferFlags transfer;
    std::string key, key_file;
    std::vector<std::string> metadata;
    bool encrypt = false, cleanup = false;
    // Library mode (no URL): the Rescale library.
    std::string folder_id;
    std::vector<std::string> tags;
    bool recursive = false, pre_encrypt = false, check_conflicts = false;
    int older_than_hours = 24;
    cli::StorageOptions storage;
};

// --part-size as the part planner takes it (a file bigger than one part goes in parts).
transfer::PlanOptions plan_from(const Options& o);

int upload_to_library(cli::ToolRunner& tool, Options& o, const Config& config);
int upload_to_storage(cli::ToolRunner& tool, Options& o, const Config& config);
int cleanup(cli::ToolRunner& tool, const Options& o, const Config& config);

}  // namespace ri::upload
