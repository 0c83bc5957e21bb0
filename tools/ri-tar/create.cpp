// ri-tar (create): each run directory into one archive, flags over config.csv's tar settings.
#include <fmt/format.h>

#include "archive/directory_packer.hpp"
#include "cli/batch_report.hpp"
#include "cli/inputs.hpp"
#include "core/config.hpp"
#include "core/units.hpp"
#include "tar.hpp"

namespace ri::tar {
namespace {

using namespace archive;

// Settings from config.csv (Interlink's keys) stand in for flags that were not given.
void apply_config_defaults(cli::ToolRunner& tool, Options& o) {
    CLI::App& app = tool.app();
    bool need = app.count("--compression") == 0 || app.count("--include") == 0 ||
                app.count("--exclude") == 0 ||
                app.count("--flatten") + app.count("--no-flatten") == 0;
    if (!need) return;
    Config c = Config::load();
    auto from_config = [&](const char* key, const char* flag, std::string fallback) {
        auto v = c.lookup(key);
        if (!v || v->source == "default") return fallback;
        tool.notice(fmt::format("{} from {}: {} = '{}'", flag, v->source, key, v->value));
        return v->value;
    };
    if (app.count("--compression") == 0)
        o.compression = from_config("tar_compression", "--compression", "none");
    if (app.count("--include") == 0) {
        std::string v = from_config("include_pattern", "--include", "");
        if (!v.empty()) o.includes = {v};
    }
    if (app.count("--exclude") == 0) {
        std::string v = from_config("exclude_pattern", "--exclude", "");
        if (!v.empty()) o.excludes = {v};
    }
    if (app.count("--flatten") + app.count("--no-flatten") == 0) {
        std::string v = from_config("flatten_tar", "--flatten", "false");
        o.flatten = v == "true" || v == "1" || v == "yes";
    }
}

PackOptions pack_options(const Options& o) {
    PackOptions p;
    p.output_dir = o.output_dir.empty() ? "." : o.output_dir;
    p.format.compression = parse_compression(o.compression);
    p.format.level = o.level;
    p.format.threads = o.threads;
    p.format.reproducible = o.reproducible;
    p.format.fixed_mtime = reproducible_mtime();
    validate_format(p.format);
    p.filter = PathFilter(o.includes, o.excludes);
    p.subpath = o.subpath;
    normalize_subpath(p.subpath);  // a bad --subpath is a usage error before any work
    p.flatten = o.flatten;
    return p;
}

Json archive_record(const PackResult& r, const PackOptions& p) {
    Json rec{{"kind", "archive"}, {"path", r.archive}, {"source", r.source}};
    if (!r.subpath.empty()) rec["subpath"] = r.subpath;
    rec["compression"] = compression_name(p.format.compression);
    rec["files"] = r.files;
    rec["directories"] = r.directories;
    rec["symlinks"] = r.symlinks;
    rec["bytes"] = r.bytes;
    rec["size"] = r.size;
    return rec;
}

std::string archive_line(const Json& j) {
    return fmt::format("{} -> {}  ({} files, {} -> {})", j["source"].get<std::string>(),
                       j["path"].get<std::string>(), j["files"].get<uint64_t>(),
                       units::bytes(j["bytes"]), units::bytes(j["size"]));
}

}  // namespace

int run_create(cli::ToolRunner& tool, Options& o) {
    apply_config_defaults(tool, o);
    PackOptions p = pack_options(o);
    auto warn = [&tool](std::string_view w) { tool.warn(w); };
    cli::BatchReport report(tool);
    cli::for_each_input(o.inputs, {"path", "dir"}, [&](const std::string& dir) {
        // Announced before it is looked at, so even a directory that is not there is an item
        // whose failure a supervisor reads from the progress events.
        Progress::ItemId item = tool.progress().queue(dir, 0);
        report.run(
            item,
            [&] {
                PackResult r = pack_directory(dir, p, tool.progress(), warn, item);
                tool.progress().finish(item);
                return archive_record(r, p);
            },
            archive_line);
    });
    return report.exit_code();
}

}  // namespace ri::tar
