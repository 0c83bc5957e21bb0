// What every verb of ri-jobs shares: the tool, the account, a platform client made on first use,
// and the option spellings several verbs repeat.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/options.hpp"
#include "cli/platform_session.hpp"
#include "cli/tool_runner.hpp"
#include "cli/verbs.hpp"
#include "platform/job_watch.hpp"
#include "platform/platform_client.hpp"

namespace ri::jobs {

using Context = cli::PlatformContext;

// The ID positional of a verb that takes job ids (or job records on stdin).
void add_ids(CLI::App* verb, std::vector<std::string>& ids, const char* what);
// --interval S, with the verb's default in the help.
void add_interval(CLI::App* verb, std::string& interval, const char* dflt);
// Poll settings from --interval and --timeout.
platform::WaitOptions wait_options(const std::string& interval, const std::string& timeout,
                                   std::chrono::milliseconds default_interval);

// One adder per verb, each in the file of its group (manage.cpp, submit.cpp, wait.cpp,
// tail.cpp, download.cpp, catalog.cpp).
void add_list(Context& c, cli::Verbs& verbs);
void add_get(Context& c, cli::Verbs& verbs);
void add_submit(Context& c, cli::Verbs& verbs);
void add_wait(Context& c, cli::Verbs& verbs);
void add_tail(Context& c, cli::Verbs& verbs);
void add_stop(Context& c, cli::Verbs& verbs);
void add_delete(Context& c, cli::Verbs& verbs);
void add_statuses(Context& c, cli::Verbs& verbs);
void add_files(Context& c, cli::Verbs& verbs);
void add_download(Context& c, cli::Verbs& verbs);
void add_tag(Context& c, cli::Verbs& verbs);
void add_fields(Context& c, cli::Verbs& verbs);
void add_hardware(Context& c, cli::Verbs& verbs);
void add_software(Context& c, cli::Verbs& verbs);

}  // namespace ri::jobs
