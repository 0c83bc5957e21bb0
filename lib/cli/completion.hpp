// Shell completion scripts (bash, zsh, fish) and a JSON description of a tool's flags, generated
// from its own CLI11 definition so that they cannot drift from it (`TOOL --completion bash`,
// `TOOL --cli-json`; completions/ holds the output and a test regenerates it and compares).
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <string_view>

#include "core/output.hpp"

namespace ri::cli {

std::string completion_script(const CLI::App& app, std::string_view shell);
Json describe_cli(const CLI::App& app);

}  // namespace ri::cli
