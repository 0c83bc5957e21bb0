// ri-jobs wait: until every job ends; exit 0 only when all completed.
#include <fmt/format.h>

#include <map>

#include "cli/inputs.hpp"
#include "cli/renderers.hpp"
#include "jobs.hpp"
#include "platform/job_records.hpp"

namespace ri::jobs {
namespace {

using namespace platform;

struct WaitVerbOptions {
    std::vector<std::string> ids;
    std::string interval, timeout;
};

int run_wait(Context& ctx, const WaitVerbOptions& o) {
    auto items = cli::collect_ids(o.ids, {"job"});
    PlatformClient& c = ctx.connect();
    std::map<std::string, Json> records;
    for (const auto& i : items)
        if (i.record.is_object()) records[i.id] = i.record;
    JobWatcher watcher([&](const std::string& id) { return latest_status(c, id); },
                       wait_options(o.interval, o.timeout, std::chrono::seconds(10)));
    bool any_failed = false;
    auto done = [&](const std::string& id, const JobStatus& s) {
        Json r;
        if (auto it = records.find(id); it != records.end() && it->second.contains("name")) {
            r = {{"kind", "job"}, {"id", id}, {"name", it->second["name"]}, {"status", s.status}};
            if (!s.status_reason.empty()) r["status_reason"] = s.status_reason;
        } else {
            r = job_record(c.get_job(id), s.status, s.status_reason);
        }
        if (!is_completed_status(s.status)) {
            any_failed = true;
            ctx.tool.warn(fmt::format("job {} ended {}{}", id, s.status,
                                      s.status_reason.empty() ? "" : ": " + s.status_reason));
        }
        ctx.tool.out().emit(r, cli::job_line);
    };
    watcher.wait(
        cli::ids_of(items),
        [&](const std::string& id, const JobStatus& s) {
            ctx.tool.notice(fmt::format("job {}: {}", id, s.status));
        },
        done);
    return any_failed ? to_int(ExitCode::partial) : 0;
}

}  // namespace

void add_wait(Context& ctx, cli::Verbs& verbs) {
    auto o = std::make_shared<WaitVerbOptions>();
    auto* v =
        ctx.tool.app().add_subcommand("wait", "Wait until jobs end; exit 0 only if all completed");
    add_ids(v, o->ids, "Job ids (or job records on stdin)");
    add_interval(v, o->interval, "10");
    v->add_option("--timeout", o->timeout, "Give up after this long (90s, 15m, 2h): exit 75")
        ->type_name("D");
    verbs.push_back({v, [&ctx, o] { return run_wait(ctx, *o); }});
}

}  // namespace ri::jobs
