// ri-tar's options and verbs: create (the default: run directories to archives), list and
// extract.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/tool_runner.hpp"

namespace ri::tar {

struct Options {
    std::vector<std::string> inputs;
    std::string output_dir, compression, subpath, directory = ".";
    std::optional<int> level;
    unsigned threads = 0;
    std::vector<std::string> includes, excludes;
    bool flatten = false, reproducible = false;
};

int run_create(cli::ToolRunner& tool, Options& o);         // create.cpp
int run_list(cli::ToolRunner& tool, const Options& o);     // read.cpp
int run_extract(cli::ToolRunner& tool, const Options& o);  // read.cpp

}  // namespace ri::tar
