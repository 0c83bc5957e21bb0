// What every verb of ri-files shares: the tool, the account, a platform client made on first use.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "cli/platform_session.hpp"
#include "cli/tool_runner.hpp"
#include "cli/verbs.hpp"
#include "platform/platform_client.hpp"

namespace ri::files {

using Context = cli::PlatformContext;

void add_yes(CLI::App* verb, bool& yes);
std::string plural(size_t n, std::string_view one);
// The first few ids of a batch, for a confirmation question.
std::string some_of(const std::vector<std::string>& ids);

// library.cpp: list, get, delete, move, tag; folders.cpp; trash.cpp.
void add_library_verbs(Context& c, cli::Verbs& verbs);
void add_folder_verbs(Context& c, cli::Verbs& verbs);
void add_trash_verbs(Context& c, cli::Verbs& verbs);

}  // namespace ri::files
