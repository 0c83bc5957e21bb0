// ri-jobs tail: a job's log; with --follow every new line until the job ends.
#include <fmt/format.h>

#include "cli/inputs.hpp"
#include "jobs.hpp"

namespace ri::jobs {
namespace {

using namespace platform;

struct TailOptions {
    std::vector<std::string> ids;
    std::string interval, file = "process_output.log";
    int lines = 20;
    bool follow = false;
};

int run_tail(Context& ctx, const TailOptions& o) {
    auto ids = cli::ids_of(cli::collect_ids(o.ids, {"job"}));
    if (ids.size() != 1) throw Error::usage("tail follows one job at a time.");
    const std::string id = ids[0];
    LogOptions lo{.file = o.file,
                  .lines = o.lines,
                  .follow = o.follow,
                  .wait = wait_options(o.interval, "", std::chrono::seconds(5))};
    PlatformClient& c = ctx.connect();
    JobStatus last =
        follow_log(c, id, lo,
                   {.on_line =
                        [&](const std::string& line) {
                            ctx.tool.out().emit(
                                {{"kind", "log"}, {"job_id", id}, {"file", o.file}, {"line", line}},
                                [](const Json& r) { return r["line"].get<std::string>(); });
                        },
                    .on_status =
                        [&](const JobStatus& s) {
                            if (!ctx.tool.flags().quiet)
                                stderr_line(fmt::format("job {}: {}", id, s.status));
                        },
                    .on_notice = [&](const std::string& text) { ctx.tool.notice(text); }});
    if (!o.follow) return 0;
    return is_completed_status(last.status) ? 0 : to_int(ExitCode::partial);
}

}  // namespace

void add_tail(Context& ctx, cli::Verbs& verbs) {
    auto o = std::make_shared<TailOptions>();
    auto* v = ctx.tool.app().add_subcommand(
        "tail", "Show a job's log; --follow streams it until the job ends");
    add_ids(v, o->ids, "Job id");
    v->add_option("--file", o->file, "Log file in the run (default process_output.log)")
        ->type_name("PATH");
    v->add_option("--lines", o->lines, "Lines to show at first (default 20)")->type_name("N");
    v->add_flag("-f,--follow", o->follow, "Keep streaming new lines until the job ends");
    add_interval(v, o->interval, "5");
    verbs.push_back({v, [&ctx, o] { return run_tail(ctx, *o); }});
}

}  // namespace ri::jobs
