// ri-jobs: list, show, submit, wait for, tail, stop and delete Rescale jobs; their statuses,
// output files, tags and custom fields; the hardware (core types) and software (analyses) catalog.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <thread>

#include "core/cancel.hpp"
#include "core/cli.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/input.hpp"
#include "core/path_filter.hpp"
#include "core/progress.hpp"
#include "core/state_store.hpp"
#include "platform/job_records.hpp"
#include "platform/job_spec.hpp"
#include "platform/job_watch.hpp"
#include "platform/platform_client.hpp"
#include "platform/records.hpp"
#include "platform/sge_script.hpp"
#include "platform/tool_client.hpp"
#include "transfer/platform_download.hpp"
#include "transfer/platform_upload.hpp"

using namespace ri;
using namespace ri::platform;

namespace {

struct Options {
    AccountOptions account;
    std::vector<std::string> ids;
    // list
    std::string status, state, tag, name_contains;
    size_t limit = 0;
    // submit
    std::string script, name, analysis, version, command, core_type, project;
    int cores_per_slot = 0, slots = 0;
    std::string walltime;
    std::vector<std::string> automations, tags, env, files, uploads;
    bool low_priority = false, create_only = false, dry_run = false;
    bool decompress = true;
    // wait, tail
    std::string interval, timeout;
    std::string log_file = "process_output.log";
    bool follow = false;
    int lines = 20;
    // delete, tag, catalog, download
    bool yes = false, all = false;
    std::vector<std::string> add_tags;
    std::string search, code, out_dir;
};

std::unique_ptr<PlatformClient> connect(ToolRunner& tool, const Options& o) {
    return platform::client_for_tool(tool, load_config(tool, o.account));
}

struct IdRecord {
    std::string id;
    Json record;  // the stdin record, or null
};

// Ids from the arguments, else from stdin: a bare id per line, or records of `kind` (their "id").
std::vector<IdRecord> collect(const std::vector<std::string>& args, std::string_view kind,
                              bool required = true) {
    std::vector<IdRecord> out;
    for (const auto& a : args)
        out.push_back({a, Json()});
    if (!args.empty() || stdin_is_terminal()) {
        if (out.empty() && required)
            throw Error::usage(
                fmt::format("No {} ids given: pass IDs or pipe {} records on stdin.", kind, kind));
        return out;
    }
    RecordReader reader(std::cin);
    while (auto rec = reader.next()) {
        const Json& r = rec->record;
        std::string k = r.value("kind", "");
        if (k == "path") {
            out.push_back({r["path"].get<std::string>(), Json()});
            continue;
        }
        if (k != kind)
            throw Error::bad_data(
                fmt::format("stdin line {}: a '{}' record; this command takes {} records.",
                            rec->line, k, kind));
        if (!r.contains("id") || !r["id"].is_string() || r["id"].get<std::string>().empty())
            throw Error::bad_data(
                fmt::format("stdin line {}: the record has no \"id\" field.", rec->line));
        out.push_back({r["id"].get<std::string>(), r});
    }
    if (out.empty() && required) throw Error::usage("No input given: stdin had no records.");
    return out;
}

std::vector<std::string> ids_of(const std::vector<IdRecord>& items) {
    std::vector<std::string> out;
    for (const auto& i : items)
        out.push_back(i.id);
    return out;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

bool contains_any_case(const std::string& text, const std::string& search) {
    return search.empty() || lower(text).find(lower(search)) != std::string::npos;
}

// --- jobs ---

int run_list(ToolRunner& tool, PlatformClient& c, const Options& o) {
    if (!o.state.empty() && o.state != "completed" && o.state != "not_completed")
        throw Error::usage("--state is completed or not_completed.");
    JobQuery q;
    q.state = o.state;
    q.job_status = o.status.empty() ? "" : status_enum_form(o.status);
    q.tag = o.tag;
    q.search = o.name_contains;
    bool filtered = !o.name_contains.empty();
    q.limit = filtered ? 0 : o.limit;
    tool.out().human_text(job_header());
    size_t shown = 0;
    c.list_jobs(q, [&](const Job& j) {
        if (!contains_any_case(j.name, o.name_contains)) return true;
        if (!q.job_status.empty() && !j.status.empty() &&
            status_enum_form(j.status) != q.job_status)
            return true;
        tool.out().emit(job_record(j), job_line);
        return o.limit == 0 || ++shown < o.limit;
    });
    return 0;
}

int run_get(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto ids = ids_of(collect(o.ids, "job"));
    tool.out().human_text(job_header());
    return tool.each(ids, [&](const std::string& id) {
        Job j = c.get_job(id);
        JobStatus s = latest_status(c, id);
        tool.out().emit(job_record(j, s.status, s.status_reason), job_line);
    });
}

JobSettings settings_from_flags(const Options& o) {
    JobSettings s;
    if (!o.name.empty()) s.name = o.name;
    if (!o.command.empty()) s.command = o.command;
    if (!o.analysis.empty()) s.analysis = o.analysis;
    if (!o.version.empty()) s.analysis_version = o.version;
    if (!o.core_type.empty()) s.core_type = o.core_type;
    if (o.cores_per_slot)
        s.cores_per_slot =
            parse_positive_count(std::to_string(o.cores_per_slot), "--cores-per-slot");
    if (o.slots) s.slots = parse_positive_count(std::to_string(o.slots), "--slots");
    if (!o.walltime.empty()) s.walltime_hours = parse_walltime_hours(o.walltime, "--walltime");
    if (!o.project.empty()) s.project_id = o.project;
    if (o.low_priority) s.low_priority = true;
    s.tags = o.tags;
    s.automations = o.automations;
    for (const auto& kv : o.env) {
        auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Error::usage(fmt::format("--env takes NAME=VALUE, got '{}'.", kv));
        s.env[kv.substr(0, eq)] = kv.substr(eq + 1);
    }
    return s;
}

int run_submit(ToolRunner& tool, PlatformClient* client, const Options& o,
               const std::function<PlatformClient&()>& connect_now) {
    // Everything that can be checked without the platform is checked first.
    JobSettings settings;
    if (!o.script.empty()) settings = read_sge_script(o.script).settings();
    settings.override_with(settings_from_flags(o));
    JobSpec spec = JobSpec::from_settings(settings);
    auto split = [](const std::string& list) {
        std::vector<std::string> out;
        size_t start = 0;
        while (start <= list.size()) {
            size_t comma = std::min(list.find(',', start), list.size());
            std::string id = list.substr(start, comma - start);
            id.erase(0, id.find_first_not_of(" \t"));
            id.erase(id.find_last_not_of(" \t") + 1);
            if (!id.empty()) out.push_back(id);
            start = comma + 1;
        }
        return out;
    };
    for (const auto& list : o.files)
        for (const auto& id : split(list))
            spec.add_input(id, o.decompress);
    for (const auto& item : collect({}, "file", false))
        spec.add_input(item.id, o.decompress);
    for (const auto& path : o.uploads) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            throw Error::missing_input(fmt::format(
                "--upload {}: no such file (directories: pack them with ri-tar).", path));
    }

    PlatformClient& c = client ? *client : connect_now();
    validate_against_catalog(spec, c.coretypes(false), c.analyses());
    if (!o.uploads.empty() && !o.dry_run) {
        // Through the platform transfer engine: encrypted, resumable, registered first. The job
        // sees its inputs by name, so a library file of the same name is replaced: reusing it
        // would run the job on whatever that file holds, not on the local file.
        transfer::PlatformUploadOptions uo;
        uo.if_exists = transfer::IfExists::overwrite;
        for (const auto& f : transfer::upload_files_to_platform(c, o.uploads, uo, &tool.progress()))
            spec.add_input(f.id, o.decompress);
    }
    Json body = job_create_body(spec);
    if (o.dry_run) {
        tool.out().emit({{"kind", "job_request"}, {"body", body}},
                        [](const Json& r) { return r["body"].dump(2); });
        return 0;
    }
    Job job = c.create_job(body);
    if (job.name.empty()) job.name = spec.name;
    if (o.create_only) {
        tool.out().emit(job_record(job, "Not Submitted"), job_line);
        return 0;
    }
    try {
        c.submit_job(job.id);
    } catch (const Error& e) {
        // The draft exists: say so (a true record), then fail.
        tool.out().emit(job_record(job, "Not Submitted"), job_line);
        throw Error(e.code(),
                    fmt::format("Job {} was created but not submitted: {}", job.id, e.message()),
                    e.detail());
    }
    std::string status = "Pending";
    try {
        status = latest_status(c, job.id).status;
        if (status == "Not Submitted") status = "Pending";
    } catch (const Error& e) {
        tool.notice(
            fmt::format("job {} submitted; its status could not be read: {}", job.id, e.message()));
    }
    tool.out().emit(job_record(job, status), job_line);
    return 0;
}

WaitOptions wait_options(const Options& o, std::chrono::milliseconds default_interval) {
    WaitOptions w;
    w.interval = o.interval.empty() ? default_interval : parse_duration(o.interval, "--interval");
    if (w.interval.count() < 100) throw Error::usage("--interval is at least 0.1 s.");
    w.max_interval = std::max(w.interval, std::chrono::milliseconds(60000));
    if (!o.timeout.empty()) w.timeout = parse_duration(o.timeout, "--timeout");
    return w;
}

int run_wait(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto items = collect(o.ids, "job");
    std::map<std::string, Json> records;
    for (const auto& i : items)
        if (i.record.is_object()) records[i.id] = i.record;
    JobWatcher watcher([&](const std::string& id) { return latest_status(c, id); },
                       wait_options(o, std::chrono::seconds(10)));
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
            tool.warn(fmt::format("job {} ended {}{}", id, s.status,
                                  s.status_reason.empty() ? "" : ": " + s.status_reason));
        }
        tool.out().emit(r, job_line);
    };
    watcher.wait(
        ids_of(items),
        [&](const std::string& id, const JobStatus& s) {
            tool.notice(fmt::format("job {}: {}", id, s.status));
        },
        done);
    return any_failed ? to_int(ExitCode::partial) : 0;
}

int run_tail(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto ids = ids_of(collect(o.ids, "job"));
    if (ids.size() != 1) throw Error::usage("tail follows one job at a time.");
    const std::string& id = ids[0];
    WaitOptions w = wait_options(o, std::chrono::seconds(5));
    int window = o.follow ? std::max(o.lines, 200) : o.lines;
    std::vector<std::string> seen;
    std::string last_status;
    bool first = true;
    auto emit = [&](const std::string& line) {
        tool.out().emit({{"kind", "log"}, {"job_id", id}, {"file", o.log_file}, {"line", line}},
                        [](const Json& r) { return r["line"].get<std::string>(); });
    };
    auto gap = w.interval;
    while (true) {
        JobStatus s = latest_status(c, id);
        if (s.status != last_status) {
            if (o.follow && !tool.flags().quiet)
                stderr_line(fmt::format("job {}: {}", id, s.status));
            last_status = s.status;
            gap = w.interval;
        }
        auto runs = c.job_runs(id);
        if (!runs.empty()) {
            std::vector<std::string> now;
            try {
                now = c.tail(id, runs.back().id, o.log_file, window);
            } catch (const NotFoundError&) {
                // The log does not exist yet.
            }
            auto fresh = new_tail_lines(seen, now);
            // Without --follow, only the last N lines; with it, everything new.
            size_t skip = first && fresh.size() > static_cast<size_t>(o.lines)
                              ? fresh.size() - static_cast<size_t>(o.lines)
                              : 0;
            for (size_t i = skip; i < fresh.size(); ++i)
                emit(fresh[i]);
            if (!fresh.empty()) gap = w.interval;
            if (!now.empty()) first = false;
            seen = std::move(now);
        } else if (!o.follow) {
            tool.notice(fmt::format("job {} has not started a run yet ({})", id, s.status));
        }
        if (!o.follow) return 0;
        if (is_terminal_status(s.status))
            return is_completed_status(s.status) ? 0 : to_int(ExitCode::partial);
        // Back off while nothing changes, as wait does.
        for (auto left = gap; left.count() > 0; left -= std::chrono::milliseconds(100)) {
            cancel::check();
            std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(100)));
        }
        gap = std::min(w.max_interval,
                       std::chrono::milliseconds(static_cast<int64_t>(gap.count() * 1.5)));
    }
}

int run_stop(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto ids = ids_of(collect(o.ids, "job"));
    return tool.each(ids, [&](const std::string& id) {
        c.stop_job(id);
        tool.out().emit({{"kind", "job"}, {"id", id}, {"stop_requested", true}}, job_line);
    });
}

int run_delete(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto ids = ids_of(collect(o.ids, "job"));
    confirm_destructive(
        o.yes, fmt::format(
                   "Delete {} ({})", ids.size() == 1 ? "1 job" : fmt::format("{} jobs", ids.size()),
                   fmt::join(ids.begin(), ids.begin() + std::min<size_t>(ids.size(), 5), ", ")));
    return tool.each(ids, [&](const std::string& id) {
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
        tool.out().emit({{"kind", "job"}, {"id", id}, {"deleted", true}}, job_line);
    });
}

int run_statuses(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto ids = ids_of(collect(o.ids, "job"));
    tool.out().human_text(status_header());
    return tool.each(ids, [&](const std::string& id) {
        for (const auto& s : c.job_statuses(id))
            tool.out().emit(status_record(id, s), status_line);
    });
}

int run_files(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto ids = ids_of(collect(o.ids, "job"));
    tool.out().human_text(item_header());
    return tool.each(ids, [&](const std::string& id) {
        c.job_files(
            id,
            [&](const CloudFile& f) {
                Json r = file_record(f);
                r["job_id"] = id;
                tool.out().emit(r, file_line);
                return true;
            },
            o.search, o.limit);
    });
}

// The job's outputs into DIR, through the platform download engine of ri-download (listed once
// by the v2 job-files endpoint, decrypted in parallel, checked against the platform's SHA-512).
int run_download(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto ids = ids_of(collect(o.ids, "job"));
    std::optional<StateStore> store;
    auto state = transfer::open_resume_state(tool, store, "downloads");
    BatchOutcome outcome;
    std::vector<transfer::PlatformDownloadItem> items;
    for (const auto& id : ids) {
        try {
            for (auto& item : transfer::job_outputs(c, id, PathFilter()))
                items.push_back(std::move(item));
        } catch (const Error& e) {
            if (e.code() == ExitCode::interrupted) throw;
            outcome.failure(tool.report_item(e));
        }
    }
    transfer::PlatformDownloader downloader(c, state.get(), tool.progress(), {});
    downloader.run(
        items, o.out_dir,
        [&](const transfer::PlatformDownloadResult& r) {
            Json j{{"kind", "download"}, {"id", r.file.id}, {"name", r.file.name},
                   {"path", r.path},     {"size", r.size},  {"sha512", r.sha512}};
            if (r.skipped) j["skipped"] = true;
            if (r.resumed) j["resumed"] = true;
            tool.out().emit(j, [](const Json& x) {
                return fmt::format("{} {} -> {}",
                                   x.contains("skipped") ? "skipped   " : "downloaded",
                                   x["id"].get<std::string>(), x["path"].get<std::string>());
            });
            outcome.success();
        },
        [&](const transfer::PlatformDownloadItem& item, const std::exception& e) {
            tool.warn(fmt::format("failed to download file {} ('{}'):", item.file.id,
                                  item.relative_path));
            outcome.failure(tool.report_item(e));
        });
    return to_int(outcome.exit_code());
}

int run_tag(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto ids = ids_of(collect(o.ids, "job"));
    return tool.each(ids, [&](const std::string& id) {
        for (const auto& t : o.add_tags)
            c.add_job_tag(id, t);
        Json tags = Json::array();
        for (const auto& t : c.job_tags(id))
            tags.push_back(t.name);
        tool.out().emit({{"kind", "job"}, {"id", id}, {"tags", tags}}, job_line);
    });
}

int run_fields(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto ids = ids_of(collect(o.ids, "job"));
    return tool.each(ids, [&](const std::string& id) {
        Json fields = Json::object();
        Json given = c.job_custom_fields(id);
        for (auto& [name, f] : given.items())
            fields[name] = f.is_object() && f.contains("value") ? f["value"] : f;
        tool.out().emit({{"kind", "job"}, {"id", id}, {"custom_fields", fields}},
                        [](const Json& r) {
                            std::string out = r["id"].get<std::string>();
                            for (auto& [k, v] : r["custom_fields"].items())
                                out += fmt::format("\n  {}: {}", k,
                                                   v.is_string() ? v.get<std::string>() : v.dump());
                            return out;
                        });
    });
}

// --- catalog ---

int run_hardware(ToolRunner& tool, PlatformClient& c, const Options& o, bool get) {
    auto types = c.coretypes(!(o.all || get));
    if (get) {
        for (const auto& t : types)
            if (t.code == o.code) {
                tool.out().human_text(coretype_header());
                tool.out().emit(coretype_record(t), coretype_line);
                return 0;
            }
        throw Error::missing_input(
            fmt::format("Core type '{}' not found (see ri-jobs hardware list --all).", o.code));
    }
    std::sort(types.begin(), types.end(), [](const CoreType& a, const CoreType& b) {
        return a.display_order < b.display_order;
    });
    tool.out().human_text(coretype_header());
    for (const auto& t : types) {
        if (!o.all && !t.is_active) continue;
        std::string hay = t.code + " " + t.name + " " + t.raw.value("processorInfo", "");
        if (!contains_any_case(hay, o.search)) continue;
        tool.out().emit(coretype_record(t), coretype_line);
    }
    return 0;
}

int run_software(ToolRunner& tool, PlatformClient& c, const Options& o, bool get) {
    auto list = c.analyses();
    if (get) {
        for (const auto& a : list)
            if (a.code == o.code) {
                tool.out().emit(analysis_record(a, true), [](const Json& r) {
                    std::string out = fmt::format(
                        "{} - {} ({})\n  {:<16} {:<20}  {}", r["code"].get<std::string>(),
                        r["name"].get<std::string>(), r["vendor"].get<std::string>(), "VERSION",
                        "VERSION CODE", "CORE TYPES");
                    for (const auto& v : r["versions"]) {
                        std::string types;
                        for (const auto& t : v.value("allowed_core_types", Json::array()))
                            types += (types.empty() ? "" : ",") + t.get<std::string>();
                        out += fmt::format("\n  {:<16} {:<20}  {}", v["version"].get<std::string>(),
                                           v["version_code"].get<std::string>(), types);
                    }
                    return out;
                });
                return 0;
            }
        throw Error::missing_input(
            fmt::format("Analysis '{}' not found (see ri-jobs software list).", o.code));
    }
    tool.out().human_text(analysis_header());
    for (const auto& a : list) {
        if (!contains_any_case(a.code + " " + a.name + " " + a.vendor_name, o.search)) continue;
        tool.out().emit(analysis_record(a, false), analysis_line);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    ToolRunner tool("ri-jobs",
                    "Submit, watch, stop and clean up Rescale jobs; the hardware and "
                    "software catalog");
    CLI::App& app = tool.app();
    app.require_subcommand(1);
    Options o;
    add_account_options(tool, o.account);

    auto ids_arg = [&](CLI::App* sub, const char* what) {
        sub->add_option("ID", o.ids, what)->type_name("ID");
    };
    auto interval_opt = [&](CLI::App* sub, const char* dflt) {
        sub->add_option("--interval", o.interval,
                        fmt::format("Seconds between polls at first (default {}; slows to 60 s "
                                    "while nothing changes)",
                                    dflt))
            ->type_name("S");
    };

    auto* list = app.add_subcommand("list", "List jobs, newest first");
    list->add_option("--status", o.status, "Only jobs in this status (e.g. Completed, Executing)")
        ->type_name("STATUS");
    list->add_option("--state", o.state, "Only completed or not_completed jobs")
        ->type_name("STATE")
        ->check(choices_hint({"completed", "not_completed"}));
    list->add_option("--tag", o.tag, "Only jobs with this tag")->type_name("TAG");
    list->add_option("--name-contains", o.name_contains, "Only jobs whose name contains TEXT")
        ->type_name("TEXT");
    list->add_option("--limit", o.limit, "At most N jobs")->type_name("N");

    auto* get = app.add_subcommand("get", "Show jobs with their current status");
    ids_arg(get, "Job ids (or job records on stdin)");

    auto* submit =
        app.add_subcommand("submit", "Create a job from a script and/or flags, then submit it");
    submit->add_option("--script", o.script, "SGE-style script with #RESCALE_* directives")
        ->type_name("FILE");
    submit->add_option("--name", o.name, "Job name (default: Unnamed Job)")->type_name("NAME");
    submit->add_option("--analysis", o.analysis, "Software code (default: user_included)")
        ->type_name("CODE");
    submit->add_option("--version", o.version, "Software version or version code")->type_name("V");
    submit->add_option("--command", o.command, "Command to run (default: the script's body)")
        ->type_name("CMD");
    submit->add_option("--core-type", o.core_type, "Core type code (default: emerald)")
        ->type_name("CODE");
    submit->add_option("--cores-per-slot", o.cores_per_slot, "Cores per slot (default 1)")
        ->type_name("N");
    submit->add_option("--slots", o.slots, "Slots (default 1)")->type_name("N");
    submit->add_option("--walltime", o.walltime, "Walltime in HOURS, at most 336 (default 48)")
        ->type_name("HOURS");
    submit->add_option("--automation", o.automations, "Attach this automation (repeatable)")
        ->type_name("ID")
        ->allow_extra_args(false);
    submit->add_option("--project", o.project, "Project id")->type_name("ID");
    submit->add_option("--tag", o.tags, "Tag the job (repeatable)")
        ->type_name("TAG")
        ->allow_extra_args(false);
    submit->add_option("--env", o.env, "Environment variable for the job (repeatable)")
        ->type_name("K=V")
        ->allow_extra_args(false);
    submit->add_flag("--low-priority", o.low_priority, "Run at low priority (cheaper, may wait)");
    submit->add_option("--files", o.files, "Input files: library file ids, comma-separated")
        ->type_name("ID,ID")
        ->allow_extra_args(false);
    submit
        ->add_option("--upload", o.uploads, "Upload these local files first and use them as inputs")
        ->type_name("PATH");
    submit->add_flag("--decompress,!--no-decompress", o.decompress,
                     "Unpack archive inputs on the cluster (default) or not");
    submit->add_flag("--create-only", o.create_only, "Create the job as a draft; do not submit it");
    submit->add_flag("--dry-run", o.dry_run,
                     "Check everything and print the create body; create nothing");

    auto* wait = app.add_subcommand("wait", "Wait until jobs end; exit 0 only if all completed");
    ids_arg(wait, "Job ids (or job records on stdin)");
    interval_opt(wait, "10");
    wait->add_option("--timeout", o.timeout, "Give up after this long (90s, 15m, 2h): exit 75")
        ->type_name("D");

    auto* tail =
        app.add_subcommand("tail", "Show a job's log; --follow streams it until the job ends");
    ids_arg(tail, "Job id");
    tail->add_option("--file", o.log_file, "Log file in the run (default process_output.log)")
        ->type_name("PATH");
    tail->add_option("--lines", o.lines, "Lines to show at first (default 20)")->type_name("N");
    tail->add_flag("-f,--follow", o.follow, "Keep streaming new lines until the job ends");
    interval_opt(tail, "5");

    auto* stop = app.add_subcommand("stop", "Stop running jobs");
    ids_arg(stop, "Job ids (or job records on stdin)");
    auto* del = app.add_subcommand("delete", "Delete jobs (not while their cluster runs)");
    ids_arg(del, "Job ids (or job records on stdin)");
    del->add_flag("-y,--yes", o.yes, "Do it without asking (needed when not on a terminal)");
    auto* statuses = app.add_subcommand("statuses", "A job's status history, newest first");
    ids_arg(statuses, "Job ids (or job records on stdin)");
    auto* files = app.add_subcommand("files", "A job's output files, as file records");
    ids_arg(files, "Job ids (or job records on stdin)");
    files->add_option("--search", o.search, "Only files whose name contains TEXT")
        ->type_name("TEXT");
    files->add_option("--limit", o.limit, "At most N files per job")->type_name("N");
    auto* download = app.add_subcommand("download", "Download a job's output files");
    ids_arg(download, "Job ids (or job records on stdin)");
    download->add_option("-o,--output", o.out_dir, "Directory to write into")
        ->type_name("DIR")
        ->required();
    auto* tag = app.add_subcommand("tag", "Add tags to jobs, then show their tags");
    ids_arg(tag, "Job ids (or job records on stdin)");
    tag->add_option("--add", o.add_tags, "Add this tag (repeatable)")
        ->type_name("TAG")
        ->allow_extra_args(false);
    auto* fields = app.add_subcommand("fields", "A job's custom fields");
    ids_arg(fields, "Job ids (or job records on stdin)");

    auto* hardware = app.add_subcommand("hardware", "The core types (hardware) on offer");
    hardware->require_subcommand(1);
    auto* hlist = hardware->add_subcommand("list", "List core types (active ones by default)");
    hlist->add_option("--search", o.search, "Only those whose code, name or CPU contains TEXT")
        ->type_name("TEXT");
    hlist->add_flag("--all", o.all, "Include retired core types");
    auto* hget = hardware->add_subcommand("get", "Show one core type");
    hget->add_option("CODE", o.code, "Core type code")->required();
    auto* software = app.add_subcommand("software", "The analyses (software) on offer");
    software->require_subcommand(1);
    auto* slist = software->add_subcommand("list", "List analyses and their versions");
    slist->add_option("--search", o.search, "Only those whose code, name or vendor contains TEXT")
        ->type_name("TEXT");
    auto* sget = software->add_subcommand("get", "Show one analysis with its version codes");
    sget->add_option("CODE", o.code, "Analysis code")->required();

    return tool.run(argc, argv, [&]() -> int {
        std::unique_ptr<PlatformClient> client;
        auto c = [&]() -> PlatformClient& {
            if (!client) client = connect(tool, o);
            return *client;
        };
        if (submit->parsed()) return run_submit(tool, nullptr, o, c);
        if (list->parsed()) return run_list(tool, c(), o);
        if (get->parsed()) return run_get(tool, c(), o);
        if (wait->parsed()) return run_wait(tool, c(), o);
        if (tail->parsed()) return run_tail(tool, c(), o);
        if (stop->parsed()) return run_stop(tool, c(), o);
        if (del->parsed()) return run_delete(tool, c(), o);
        if (statuses->parsed()) return run_statuses(tool, c(), o);
        if (files->parsed()) return run_files(tool, c(), o);
        if (download->parsed()) return run_download(tool, c(), o);
        if (tag->parsed()) return run_tag(tool, c(), o);
        if (fields->parsed()) return run_fields(tool, c(), o);
        if (hlist->parsed()) return run_hardware(tool, c(), o, false);
        if (hget->parsed()) return run_hardware(tool, c(), o, true);
        if (slist->parsed()) return run_software(tool, c(), o, false);
        if (sget->parsed()) return run_software(tool, c(), o, true);
        return to_int(ExitCode::usage);
    });
}
