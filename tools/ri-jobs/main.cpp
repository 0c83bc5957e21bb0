// ri-jobs: list, show, submit, wait for, tail, stop and delete Rescale jobs; their statuses,
// output files, tags and custom fields; the hardware (core types) and software (analyses) catalog.
#include <fmt/format.h>

#include "cli/platform_session.hpp"
#include "jobs.hpp"

namespace ri::jobs {

platform::PlatformClient& Context::connect() {
    if (!client) client = cli::connect_platform(tool, cli::load_config(tool, account));
    return *client;
}

void add_ids(CLI::App* verb, std::vector<std::string>& ids, const char* what) {
    verb->add_option("ID", ids, what)->type_name("ID");
}

void add_interval(CLI::App* verb, std::string& interval, const char* dflt) {
    verb->add_option("--interval", interval,
                     fmt::format("Seconds between polls at first (default {}; slows to 60 s "
                                 "while nothing changes)",
                                 dflt))
        ->type_name("S");
}

platform::WaitOptions wait_options(const std::string& interval, const std::string& timeout,
                                   std::chrono::milliseconds default_interval) {
    platform::WaitOptions w;
    w.interval =
        interval.empty() ? default_interval : platform::parse_duration(interval, "--interval");
    if (w.interval.count() < 100) throw Error::usage("--interval is at least 0.1 s.");
    w.max_interval = std::max(w.interval, std::chrono::milliseconds(60000));
    if (!timeout.empty()) w.timeout = platform::parse_duration(timeout, "--timeout");
    return w;
}

}  // namespace ri::jobs

int main(int argc, char** argv) {
    using namespace ri;
    cli::ToolRunner tool("ri-jobs",
                         "Submit, watch, stop and clean up Rescale jobs; the hardware and "
                         "software catalog");
    tool.app().require_subcommand(1);
    jobs::Context context{tool, {}, nullptr};
    cli::add_account_options(tool, context.account);
    cli::Verbs verbs;
    for (auto add :
         {jobs::add_list, jobs::add_get, jobs::add_submit, jobs::add_wait, jobs::add_tail,
          jobs::add_stop, jobs::add_delete, jobs::add_statuses, jobs::add_files, jobs::add_download,
          jobs::add_tag, jobs::add_fields, jobs::add_hardware, jobs::add_software})
        add(context, verbs);
    return tool.run(argc, argv, [&] { return cli::run_parsed(verbs); });
}
