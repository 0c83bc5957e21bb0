// ri-jobs submit: a job from an SGE-style script and/or flags, inputs from the library, from
// file records on stdin or uploaded first; checked against the catalog before anything is
// created, then created and submitted (or left a draft with --create-only).
#include <fmt/format.h>

#include <filesystem>

#include "cli/inputs.hpp"
#include "cli/renderers.hpp"
#include "core/strings.hpp"
#include "jobs.hpp"
#include "platform/job_launch.hpp"
#include "platform/job_records.hpp"
#include "platform/job_spec.hpp"
#include "platform/sge_script.hpp"
#include "transfer/platform_upload.hpp"

namespace ri::jobs {
namespace {

using namespace platform;

struct SubmitOptions {
    std::string script, name, analysis, version, command, core_type, project, walltime;
    int cores_per_slot = 0, slots = 0;
    std::vector<std::string> automations, tags, env, files, uploads;
    bool low_priority = false, create_only = false, dry_run = false, decompress = true;
};

JobSettings settings_from_flags(const SubmitOptions& o) {
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

// Everything that can be checked without the platform, checked first: the spec with its library
// inputs, and the local files to upload.
JobSpec spec_from(const SubmitOptions& o) {
    JobSettings settings;
    if (!o.script.empty()) settings = read_sge_script(o.script).settings();
    settings.override_with(settings_from_flags(o));
    JobSpec spec = JobSpec::from_settings(settings);
    for (const auto& list : o.files)
        for (const auto& id : strings::split_list(list))
            spec.add_input(id, o.decompress);
    for (const auto& item : cli::collect_ids({}, {"file"}, false))
        spec.add_input(item.id, o.decompress);
    for (const auto& path : o.uploads) {
        std::error_code ec;
        if (!std::filesystem::is_regular_file(path, ec))
            throw Error::missing_input(fmt::format(
                "--upload {}: no such file (directories: pack them with ri-tar).", path));
    }
    return spec;
}

int run_submit(Context& ctx, const SubmitOptions& o) {
    JobSpec spec = spec_from(o);
    PlatformClient& c = ctx.connect();
    validate_against_catalog(spec, c.coretypes(false), c.analyses());
    auto& out = ctx.tool.out();
    if (o.dry_run) {
        out.emit({{"kind", "job_request"}, {"body", job_create_body(spec)}},
                 [](const Json& r) { return r["body"].dump(2); });
        return 0;
    }
    // Through the platform transfer engine: encrypted, resumable, registered first. The job sees
    // its inputs by name, so a library file of the same name is replaced: reusing it would run
    // the job on whatever that file holds, not on the local file.
    auto upload = [&](const std::vector<std::string>& paths) {
        transfer::PlatformUploadOptions uo;
        uo.if_exists = transfer::IfExists::overwrite;
        std::vector<std::string> ids;
        for (const auto& f : transfer::upload_files_to_platform(c, paths, uo, &ctx.tool.progress()))
            ids.push_back(f.id);
        return ids;
    };
    LaunchResult r = launch_job(
        c, spec, o.uploads, upload, {.create_only = o.create_only, .decompress = o.decompress},
        [&](const Job& draft) { out.emit(job_record(draft, "Not Submitted"), cli::job_line); },
        [&](const std::string& text) { ctx.tool.notice(text); });
    out.emit(job_record(r.job, r.status), cli::job_line);
    return 0;
}

}  // namespace

void add_submit(Context& ctx, cli::Verbs& verbs) {
    auto o = std::make_shared<SubmitOptions>();
    auto* v = ctx.tool.app().add_subcommand(
        "submit", "Create a job from a script and/or flags, then submit it");
    v->add_option("--script", o->script, "SGE-style script with #RESCALE_* directives")
        ->type_name("FILE");
    v->add_option("--name", o->name, "Job name (default: Unnamed Job)")->type_name("NAME");
    v->add_option("--analysis", o->analysis, "Software code (default: user_included)")
        ->type_name("CODE");
    v->add_option("--version", o->version, "Software version or version code")->type_name("V");
    v->add_option("--command", o->command, "Command to run (default: the script's body)")
        ->type_name("CMD");
    v->add_option("--core-type", o->core_type, "Core type code (default: emerald)")
        ->type_name("CODE");
    v->add_option("--cores-per-slot", o->cores_per_slot, "Cores per slot (default 1)")
        ->type_name("N");
    v->add_option("--slots", o->slots, "Slots (default 1)")->type_name("N");
    v->add_option("--walltime", o->walltime, "Walltime in HOURS, at most 336 (default 48)")
        ->type_name("HOURS");
    cli::add_repeatable(*v, "--automation", o->automations, "Attach this automation (repeatable)",
                        "ID");
    v->add_option("--project", o->project, "Project id")->type_name("ID");
    cli::add_repeatable(*v, "--tag", o->tags, "Tag the job (repeatable)", "TAG");
    cli::add_repeatable(*v, "--env", o->env, "Environment variable for the job (repeatable)",
                        "K=V");
    v->add_flag("--low-priority", o->low_priority, "Run at low priority (cheaper, may wait)");
    cli::add_repeatable(*v, "--files", o->files, "Input files: library file ids, comma-separated",
                        "ID,ID");
    v->add_option("--upload", o->uploads, "Upload these local files first and use them as inputs")
        ->type_name("PATH");
    v->add_flag("--decompress,!--no-decompress", o->decompress,
                "Unpack archive inputs on the cluster (default) or not");
    v->add_flag("--create-only", o->create_only, "Create the job as a draft; do not submit it");
    v->add_flag("--dry-run", o->dry_run,
                "Check everything and print the create body; create nothing");
    verbs.push_back({v, [&ctx, o] { return run_submit(ctx, *o); }});
}

}  // namespace ri::jobs
