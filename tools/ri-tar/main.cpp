// ri-tar: pack run directories into archives for upload; list and safely extract archives.
#include <fmt/format.h>

#include <ctime>
#include <iostream>
#include <optional>

#include "archive/archive_extractor.hpp"
#include "archive/archive_listing.hpp"
#include "archive/directory_packer.hpp"
#include "core/cli.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/input.hpp"
#include "core/units.hpp"

using namespace ri;
using namespace ri::archive;

namespace {

struct Options {
    std::vector<std::string> inputs;
    std::string output_dir, compression, subpath, directory = ".";
    std::optional<int> level;
    unsigned threads = 0;
    std::vector<std::string> includes, excludes;
    bool flatten = false, reproducible = false;
};

// Positional inputs, else one record (or bare path) per stdin line, handled as it arrives so
// that a pipeline moves on while later lines are still being produced.
template <typename Fn>
void for_each_input(const std::vector<std::string>& positional,
                    const std::vector<std::string>& fields, Fn&& fn) {
    if (!positional.empty()) {
        for (const auto& p : positional)
            fn(p);
        return;
    }
    if (stdin_is_terminal())
        throw Error::usage("No input given: pass arguments or pipe records on stdin.");
    RecordReader reader(std::cin);
    size_t n = 0;
    while (auto rec = reader.next()) {
        std::string value;
        for (const auto& f : fields) {
            auto it = rec->record.find(f);
            if (it != rec->record.end() && it->is_string() && !it->get<std::string>().empty()) {
                value = it->get<std::string>();
                break;
            }
        }
        if (value.empty())
            throw Error::bad_data(fmt::format("stdin line {}: the record has no \"{}\" field.",
                                              rec->line, fmt::join(fields, "\" or \"")));
        ++n;
        fn(value);
    }
    if (n == 0) throw Error::usage("No input given: stdin had no records.");
}

std::string iso_time(int64_t t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                       tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string mode_text(const std::string& type, const std::string& octal) {
    char kind = type == "dir" ? 'd' : type == "symlink" ? 'l' : type == "hardlink" ? 'h' : '-';
    unsigned m = static_cast<unsigned>(std::stoul(octal, nullptr, 8));
    std::string s(1, kind);
    const char* rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; ++i)
        s += (m & (0400u >> i)) ? rwx[i] : '-';
    return s;
}

// Settings from config.csv (Interlink's keys) stand in for flags that were not given.
void apply_config_defaults(ToolRunner& tool, CLI::App& app, Options& o) {
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
    if (app.count("--compression") == 0) {
        o.compression = from_config("tar_compression", "--compression", "none");
    }
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

int run_create(ToolRunner& tool, CLI::App& app, Options& o) {
    apply_config_defaults(tool, app, o);
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
    auto warn = [&tool](std::string_view w) { tool.warn(w); };
    BatchOutcome outcome;
    for_each_input(o.inputs, {"path", "dir"}, [&](const std::string& dir) {
        try {
            PackResult r = pack_directory(dir, p, tool.progress(), warn);
            Json rec{{"kind", "archive"}, {"path", r.archive}, {"source", r.source}};
            if (!r.subpath.empty()) rec["subpath"] = r.subpath;
            rec["compression"] = compression_name(p.format.compression);
            rec["files"] = r.files;
            rec["directories"] = r.directories;
            rec["symlinks"] = r.symlinks;
            rec["bytes"] = r.bytes;
            rec["size"] = r.size;
            tool.out().emit(rec, [](const Json& j) {
                return fmt::format("{} -> {}  ({} files, {} -> {})", j["source"].get<std::string>(),
                                   j["path"].get<std::string>(), j["files"].get<uint64_t>(),
                                   units::bytes(j["bytes"]), units::bytes(j["size"]));
            });
            outcome.success();
        } catch (const std::exception& e) {
            tool.progress().end_item(false);
            outcome.failure(tool.report_item(e));
        }
    });
    return to_int(outcome.exit_code());
}

// The creation flags mean nothing to list and extract; saying so beats ignoring them.
void refuse_create_flags(CLI::App& app, const char* sub) {
    for (const char* f :
         {"--output-dir", "--compression", "--level", "--threads", "--include", "--exclude",
          "--subpath", "--flatten", "--no-flatten", "--reproducible"}) {
        if (app.count(f) > 0)
            throw Error::usage(fmt::format("{} is for creating archives, not for '{}'.", f, sub));
    }
}

int run_list(ToolRunner& tool, Options& o) {
    BatchOutcome outcome;
    for_each_input(o.inputs, {"path"}, [&](const std::string& path) {
        try {
            list_archive(path, [&](const ListedEntry& e) {
                Json rec{{"kind", "entry"},
                         {"archive", path},
                         {"path", e.path},
                         {"type", e.type},
                         {"size", e.size},
                         {"mode", fmt::format("{:04o}", e.mode)},
                         {"mtime", iso_time(e.mtime)},
                         {"owner", e.owner},
                         {"group", e.group}};
                if (!e.target.empty()) rec["target"] = e.target;
                tool.out().emit(rec, [](const Json& j) {
                    std::string line = fmt::format(
                        "{} {:>8}/{:<8} {:>12} {} {}",
                        mode_text(j["type"].get<std::string>(), j["mode"].get<std::string>()),
                        j["owner"].get<std::string>(), j["group"].get<std::string>(),
                        j["size"].get<uint64_t>(), j["mtime"].get<std::string>(),
                        j["path"].get<std::string>());
                    if (j.contains("target"))
                        line += (j["type"] == "symlink" ? " -> " : " link to ") +
                                j["target"].get<std::string>();
                    return line;
                });
            });
            outcome.success();
        } catch (const std::exception& e) {
            outcome.failure(tool.report_item(e));
        }
    });
    return to_int(outcome.exit_code());
}

int run_extract(ToolRunner& tool, Options& o) {
    BatchOutcome outcome;
    auto warn = [&tool](std::string_view w) { tool.warn(w); };
    for_each_input(o.inputs, {"path"}, [&](const std::string& path) {
        try {
            ExtractResult r = extract_archive(path, o.directory, tool.progress(), warn);
            tool.out().emit({{"kind", "extracted"},
                             {"archive", path},
                             {"path", o.directory},
                             {"files", r.files},
                             {"directories", r.directories},
                             {"symlinks", r.symlinks},
                             {"hardlinks", r.hardlinks},
                             {"skipped", r.skipped},
                             {"bytes", r.bytes}},
                            [](const Json& j) {
                                return fmt::format(
                                    "{} -> {}  ({} files, {})", j["archive"].get<std::string>(),
                                    j["path"].get<std::string>(), j["files"].get<uint64_t>(),
                                    units::bytes(j["bytes"]));
                            });
            outcome.success();
        } catch (const std::exception& e) {
            tool.progress().end_item(false);
            outcome.failure(tool.report_item(e));
        }
    });
    return to_int(outcome.exit_code());
}

}  // namespace

int main(int argc, char** argv) {
    ToolRunner tool("ri-tar",
                    "Pack run directories into archives for upload; list and safely "
                    "extract archives");
    CLI::App& app = tool.app();
    Options o;

    app.add_option("DIR", o.inputs,
                   "Run directories to pack, one archive each (or paths/dir records on stdin)")
        ->type_name("DIR");
    app.add_option("-o,--output-dir", o.output_dir,
                   "Directory for the archives (default: the current one; created if missing)")
        ->type_name("DIR");
    add_choice_option(app, "--compression", o.compression, {"none", "gzip", "zstd"},
                      "none (default; config tar_compression), gzip, or zstd (multi-threaded)");
    app.add_option("--level", o.level, "Compression level: gzip 1-9 (default 6), zstd 1-19 (3)");
    app.add_option("--threads", o.threads, "zstd worker threads (default: one per core)");
    app.add_option("--include", o.includes,
                   "Store only files matching GLOB (repeatable; 'a;b' lists; default: config "
                   "include_pattern)")
        ->type_name("GLOB")
        ->allow_extra_args(false);
    app.add_option("--exclude", o.excludes,
                   "Leave out files and directories matching GLOB (repeatable; 'a;b' lists; "
                   "default: config exclude_pattern)")
        ->type_name("GLOB")
        ->allow_extra_args(false);
    app.add_option("--subpath", o.subpath,
                   "Archive only this subdirectory of each run; paths leading out are refused")
        ->type_name("PATH");
    app.add_flag("--flatten,!--no-flatten", o.flatten,
                 "Store files without their directories; two files with one name are an error "
                 "(default: config flatten_tar)");
    app.add_flag("--reproducible", o.reproducible,
                 "Byte-identical archives for identical trees: fixed owner and time "
                 "(SOURCE_DATE_EPOCH or 2000-01-01)");

    auto* list = app.add_subcommand("list", "List the entries of archives");
    list->add_option("ARCHIVE", o.inputs, "Archives to list (or paths/archive records on stdin)")
        ->type_name("FILE");
    auto* extract = app.add_subcommand(
        "extract", "Extract archives safely: nothing is ever written outside the target directory");
    extract
        ->add_option("ARCHIVE", o.inputs, "Archives to extract (or paths/archive records on stdin)")
        ->type_name("FILE");
    extract
        ->add_option("-C,--directory", o.directory,
                     "Target directory (default: the current one; created if missing)")
        ->type_name("DIR");

    return tool.run(argc, argv, [&]() -> int {
        if (list->parsed()) {
            refuse_create_flags(app, "list");
            return run_list(tool, o);
        }
        if (extract->parsed()) {
            refuse_create_flags(app, "extract");
            return run_extract(tool, o);
        }
        return run_create(tool, app, o);
    });
}
