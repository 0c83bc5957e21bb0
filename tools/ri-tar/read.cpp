// ri-tar list and extract: what an archive holds, and extracting it where nothing can land
// outside the target directory.
#include <fmt/format.h>

#include "archive/archive_extractor.hpp"
#include "archive/archive_listing.hpp"
#include "cli/batch_report.hpp"
#include "cli/inputs.hpp"
#include "core/time_text.hpp"
#include "core/units.hpp"
#include "tar.hpp"

namespace ri::tar {
namespace {

using namespace archive;

std::string mode_text(const std::string& type, const std::string& octal) {
    char kind = type == "dir" ? 'd' : type == "symlink" ? 'l' : type == "hardlink" ? 'h' : '-';
    unsigned m = static_cast<unsigned>(std::stoul(octal, nullptr, 8));
    std::string s(1, kind);
    const char* rwx = "rwxrwxrwx";
    for (int i = 0; i < 9; ++i)
        s += (m & (0400u >> i)) ? rwx[i] : '-';
    return s;
}

Json entry_record(const std::string& archive, const ListedEntry& e) {
    Json rec{{"kind", "entry"},
             {"archive", archive},
             {"path", e.path},
             {"type", e.type},
             {"size", e.size},
             {"mode", fmt::format("{:04o}", e.mode)},
             {"mtime", time_text::iso8601_from_epoch(e.mtime)},
             {"owner", e.owner},
             {"group", e.group}};
    if (!e.target.empty()) rec["target"] = e.target;
    return rec;
}

std::string entry_line(const Json& j) {
    std::string line = fmt::format(
        "{} {:>8}/{:<8} {:>12} {} {}",
        mode_text(j["type"].get<std::string>(), j["mode"].get<std::string>()),
        j["owner"].get<std::string>(), j["group"].get<std::string>(), j["size"].get<uint64_t>(),
        j["mtime"].get<std::string>(), j["path"].get<std::string>());
    if (j.contains("target"))
        line += (j["type"] == "symlink" ? " -> " : " link to ") + j["target"].get<std::string>();
    return line;
}

}  // namespace

int run_list(cli::ToolRunner& tool, const Options& o) {
    BatchOutcome outcome;
    cli::for_each_input(o.inputs, {"path"}, [&](const std::string& path) {
        try {
            list_archive(path, [&](const ListedEntry& e) {
                tool.out().emit(entry_record(path, e), entry_line);
            });
            outcome.success();
        } catch (const std::exception& e) {
            outcome.failure(tool.report_item(e));
        }
    });
    return to_int(outcome.exit_code());
}

int run_extract(cli::ToolRunner& tool, const Options& o) {
    cli::BatchReport report(tool);
    auto warn = [&tool](std::string_view w) { tool.warn(w); };
    auto extracted_line = [](const Json& j) {
        return fmt::format("{} -> {}  ({} files, {})", j["archive"].get<std::string>(),
                           j["path"].get<std::string>(), j["files"].get<uint64_t>(),
                           units::bytes(j["bytes"]));
    };
    cli::for_each_input(o.inputs, {"path"}, [&](const std::string& path) {
        Progress::ItemId item = tool.progress().queue(path, 0);
        report.run(
            item,
            [&]() -> Json {
                ExtractResult r = extract_archive(path, o.directory, tool.progress(), warn, item);
                tool.progress().finish(item);
                return {{"kind", "extracted"},
                        {"archive", path},
                        {"path", o.directory},
                        {"files", r.files},
                        {"directories", r.directories},
                        {"symlinks", r.symlinks},
                        {"hardlinks", r.hardlinks},
                        {"skipped", r.skipped},
                        {"bytes", r.bytes}};
            },
            extracted_line);
    });
    return report.exit_code();
}

}  // namespace ri::tar
