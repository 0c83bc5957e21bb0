// A tool's subcommands as a table: each verb file adds its CLI11 subcommand with its options
// beside its handler, and main.cpp runs the one that was parsed.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <initializer_list>
#include <vector>

#include "cli/tool_runner.hpp"

namespace ri::cli {

struct Verb {
    CLI::App* app;
    std::function<int()> run;
};

using Verbs = std::vector<Verb>;

// The handler of the verb that was parsed (the deepest one: "hardware list", not "hardware");
// 64 (usage) when none was.
int run_parsed(const Verbs& verbs);

// The main of a tool made of verbs: each adder puts its verbs (flags beside handlers) into the
// table, one verb is required, and the parsed one runs. Context is what the verbs share.
template <class Context>
int run_verbs(ToolRunner& tool, int argc, char** argv, Context& context,
              std::initializer_list<void (*)(Context&, Verbs&)> adders) {
    tool.app().require_subcommand(1);
    Verbs verbs;
    for (auto add : adders)
        add(context, verbs);
    return tool.run(argc, argv, [&] { return run_parsed(verbs); });
}

// The main of a tool without verbs: its options, the flags that fill them, what it does.
template <class Options>
int run_tool(ToolRunner& tool, int argc, char** argv, void (*add)(ToolRunner&, Options&),
             int (*body)(ToolRunner&, Options&)) {
    Options options;
    add(tool, options);
    return tool.run(argc, argv, [&] { return body(tool, options); });
}

}  // namespace ri::cli
