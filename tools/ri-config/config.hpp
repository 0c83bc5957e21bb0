// What every verb of ri-config shares: the tool, the account (--profile, --api-key, --api-url).
#pragma once

#include "cli/options.hpp"
#include "cli/tool_runner.hpp"
#include "cli/verbs.hpp"

namespace ri::config_tool {

struct Context {
    cli::ToolRunner& tool;
    cli::AccountOptions account;
};

// settings.cpp: list, get, set, unset, path; check.cpp: check.
void add_settings_verbs(Context& c, cli::Verbs& verbs);
void add_check(Context& c, cli::Verbs& verbs);

}  // namespace ri::config_tool
