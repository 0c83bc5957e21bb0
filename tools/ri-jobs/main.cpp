// ri-jobs: list, show, submit, wait for, tail, stop and delete Rescale jobs; their statuses,
// output files, tags and custom fields; the hardware (core types) and software (analyses) catalog.
#include <fmt/format.h>

#include "cli/platform_session.hpp"
#include "jobs.hpp"

namespace ri::jobs {

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
    using namespace ri::jobs;
    ri::cli::ToolRunner tool("ri-jobs",
                             "Submit, watch, stop and clean up Rescale jobs; the hardware and "
                             "software catalog");
    Context context{tool, {}, nullptr};
    ri::cli::add_account_options(tool, context.account);
    return ri::cli::run_verbs(
        tool, argc, argv, context,
        {add_list, add_get, add_submit, add_wait, add_tail, add_stop, add_delete, add_statuses,
         add_files, add_download, add_tag, add_fields, add_hardware, add_software});
}
