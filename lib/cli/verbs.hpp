// A tool's subcommands as a table: each verb file adds its CLI11 subcommand with its options
// beside its handler, and main.cpp runs the one that was parsed.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <vector>

namespace ri::cli {

struct Verb {
    CLI::App* app;
    std::function<int()> run;
};

using Verbs = std::vector<Verb>;

// The handler of the verb that was parsed (the deepest one: "hardware list", not "hardware");
// 64 (usage) when none was.
int run_parsed(const Verbs& verbs);

}  // namespace ri::cli
