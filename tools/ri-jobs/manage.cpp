// ri-jobs list, get, stop, delete, statuses, files, tag, fields: looking at and managing jobs.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/inputs.hpp"
#include "cli/renderers.hpp"
#include "core/strings.hpp"
#include "jobs.hpp"
#include "platform/job_records.hpp"
#include "platform/records.hpp"

namespace ri::jobs {
namespace {

using namespace platform;

std::vector<std::string> job_ids(const std::vector<std::string>& args) {
    return cli::ids_of(cli::collect_ids(args, {"job"}));
}

struct ListOptions {
    std::string status, state, tag, name_contains;
    size_t limit = 0;
};

int run_list(Context& ctx, const ListOptions& o) {
    if (!o.state.empty() && o.state != "completed" && o.state != "not_completed")
        throw Error::usage("--state is completed or not_completed.");
    JobQuery q;
    q.state = o.state;
    q.job_status = o.status.empty() ? "" : status_enum_form(o.status);
    q.tag = o.tag;
    q.search = o.name_contains;
    bool filtered = !o.name_contains.empty();
    q.limit = filtered ? 0 : o.limit;
    PlatformClient& c = ctx.connect();
    ctx.tool.out().human_text(cli::job_header());
    size_t shown = 0;
    c.list_jobs(q, [&](const Job& j) {
        if (!strings::icontains(j.name, o.name_contains)) return true;
        if (!q.job_status.empty() && !j.status.empty() &&
            status_enum_form(j.status) != q.job_status)
            return true;
        ctx.tool.out().emit(job_record(j), cli::job_line);
        return o.limit == 0 || ++shown < o.limit;
    });
    return 0;
}

}  // namespace

void add_list(Context& ctx, cli::Verbs& verbs) {
    auto o = std::make_shared<ListOptions>();
    auto* v = ctx.tool.app().add_subcommand("list", "List jobs, newest first");
    v->add_option("--status", o->status, "Only jobs in this status (e.g. Completed, Executing)")
        ->type_name("STATUS");
    v->add_option("--state", o->state, "Only completed or not_completed jobs")
        ->type_name("STATE")
        ->check(cli::choices_hint({"completed", "not_completed"}));
    v->add_option("--tag", o->tag, "Only jobs with this tag")->type_name("TAG");
    v->add_option("--name-contains", o->name_contains, "Only jobs whose name contains TEXT")
        ->type_name("TEXT");
    v->add_option("--limit", o->limit, "At most N jobs")->type_name("N");
    verbs.push_back({v, [&ctx, o] { return run_list(ctx, *o); }});
}

void add_get(Context& ctx, cli::Verbs& verbs) {
    auto ids = std::make_shared<std::vector<std::string>>();
    auto* v = ctx.tool.app().add_subcommand("get", "Show jobs with their current status");
    add_ids(v, *ids, "Job ids (or job records on stdin)");
    verbs.push_back({v, [&ctx, ids] {
                         auto list = job_ids(*ids);
                         PlatformClient& c = ctx.connect();
                         ctx.tool.out().human_text(cli::job_header());
                         return ctx.tool.each(list, [&](const std::string& id) {
                             Job j = c.get_job(id);
                             JobStatus s = latest_status(c, id);
                             ctx.tool.out().emit(job_record(j, s.status, s.status_reason),
                                                 cli::job_line);
                         });
                     }});
}

void add_stop(Context& ctx, cli::Verbs& verbs) {
    auto ids = std::make_shared<std::vector<std::string>>();
    auto* v = ctx.tool.app().add_subcommand("stop", "Stop running jobs");
    add_ids(v, *ids, "Job ids (or job records on stdin)");
    verbs.push_back({v, [&ctx, ids] {
                         auto list = job_ids(*ids);
                         PlatformClient& c = ctx.connect();
                         return ctx.tool.each(list, [&](const std::string& id) {
                             c.stop_job(id);
                             ctx.tool.out().emit(
                                 {{"kind", "job"}, {"id", id}, {"stop_requested", true}},
                                 cli::job_line);
                         });
                     }});
}

namespace {

struct DeleteOptions {
    std::vector<std::string> ids;
    bool yes = false;
};

int run_delete(Context& ctx, const DeleteOptions& o) {
    auto ids = job_ids(o.ids);
    cli::confirm_destructive(
        o.yes, fmt::format(
                   "Delete {} ({})", ids.size() == 1 ? "1 job" : fmt::format("{} jobs", ids.size()),
                   fmt::join(ids.begin(), ids.begin() + std::min<size_t>(ids.size(), 5), ", ")));
    PlatformClient& c = ctx.connect();
    return ctx.tool.each(ids, [&](const std::string& id) {
        try {
            c.delete_job(id);
        } catch (const ApiError& e) {
            if (e.status() != 400) throw;
            throw Error(e.code(),
                        fmt::format("The platform refused to delete job {}: its cluster is still "
                                    "running. Stop it first (ri-jobs stop {}; ri-jobs wait {}), "
                                    "then delete it.",
                                    id, id, id),
                        e.message());
        }
        ctx.tool.out().emit({{"kind", "job"}, {"id", id}, {"deleted", true}}, cli::job_line);
    });
}

}  // namespace

void add_delete(Context& ctx, cli::Verbs& verbs) {
    auto o = std::make_shared<DeleteOptions>();
    auto* v = ctx.tool.app().add_subcommand("delete", "Delete jobs (not while their cluster runs)");
    add_ids(v, o->ids, "Job ids (or job records on stdin)");
    v->add_flag("-y,--yes", o->yes, "Do it without asking (needed when not on a terminal)");
    verbs.push_back({v, [&ctx, o] { return run_delete(ctx, *o); }});
}

void add_statuses(Context& ctx, cli::Verbs& verbs) {
    auto ids = std::make_shared<std::vector<std::string>>();
    auto* v = ctx.tool.app().add_subcommand("statuses", "A job's status history, newest first");
    add_ids(v, *ids, "Job ids (or job records on stdin)");
    verbs.push_back({v, [&ctx, ids] {
                         auto list = job_ids(*ids);
                         PlatformClient& c = ctx.connect();
                         ctx.tool.out().human_text(cli::status_header());
                         return ctx.tool.each(list, [&](const std::string& id) {
                             for (const auto& s : c.job_statuses(id))
                                 ctx.tool.out().emit(status_record(id, s), cli::status_line);
                         });
                     }});
}

namespace {

struct FilesOptions {
    std::vector<std::string> ids;
    std::string search;
    size_t limit = 0;
};

int run_files(Context& ctx, const FilesOptions& o) {
    auto ids = job_ids(o.ids);
    PlatformClient& c = ctx.connect();
    ctx.tool.out().human_text(cli::item_header());
    return ctx.tool.each(ids, [&](const std::string& id) {
        c.job_files(
            id,
            [&](const CloudFile& f) {
                Json r = file_record(f);
                r["job_id"] = id;
                ctx.tool.out().emit(r, cli::file_line);
                return true;
            },
            o.search, o.limit);
    });
}

}  // namespace

void add_files(Context& ctx, cli::Verbs& verbs) {
    auto o = std::make_shared<FilesOptions>();
    auto* v = ctx.tool.app().add_subcommand("files", "A job's output files, as file records");
    add_ids(v, o->ids, "Job ids (or job records on stdin)");
    v->add_option("--search", o->search, "Only files whose name contains TEXT")->type_name("TEXT");
    v->add_option("--limit", o->limit, "At most N files per job")->type_name("N");
    verbs.push_back({v, [&ctx, o] { return run_files(ctx, *o); }});
}

namespace {

struct TagOptions {
    std::vector<std::string> ids, add;
};

int run_tag(Context& ctx, const TagOptions& o) {
    auto ids = job_ids(o.ids);
    PlatformClient& c = ctx.connect();
    return ctx.tool.each(ids, [&](const std::string& id) {
        for (const auto& t : o.add)
            c.add_job_tag(id, t);
        Json tags = Json::array();
        for (const auto& t : c.job_tags(id))
            tags.push_back(t.name);
        ctx.tool.out().emit({{"kind", "job"}, {"id", id}, {"tags", tags}}, cli::job_line);
    });
}

std::string fields_line(const Json& r) {
    std::string out = r["id"].get<std::string>();
    for (auto& [k, v] : r["custom_fields"].items())
        out += fmt::format("\n  {}: {}", k, v.is_string() ? v.get<std::string>() : v.dump());
    return out;
}

}  // namespace

void add_tag(Context& ctx, cli::Verbs& verbs) {
    auto o = std::make_shared<TagOptions>();
    auto* v = ctx.tool.app().add_subcommand("tag", "Add tags to jobs, then show their tags");
    add_ids(v, o->ids, "Job ids (or job records on stdin)");
    cli::add_repeatable(*v, "--add", o->add, "Add this tag (repeatable)", "TAG");
    verbs.push_back({v, [&ctx, o] { return run_tag(ctx, *o); }});
}

void add_fields(Context& ctx, cli::Verbs& verbs) {
    auto ids = std::make_shared<std::vector<std::string>>();
    auto* v = ctx.tool.app().add_subcommand("fields", "A job's custom fields");
    add_ids(v, *ids, "Job ids (or job records on stdin)");
    verbs.push_back(
        {v, [&ctx, ids] {
             auto list = job_ids(*ids);
             PlatformClient& c = ctx.connect();
             return ctx.tool.each(list, [&](const std::string& id) {
                 Json fields = Json::object();
                 Json given = c.job_custom_fields(id);
                 for (auto& [name, f] : given.items())
                     fields[name] = f.is_object() && f.contains("value") ? f["value"] : f;
                 ctx.tool.out().emit({{"kind", "job"}, {"id", id}, {"custom_fields", fields}},
                                     fields_line);
             });
         }});
}

}  // namespace ri::jobs
