// ri-download library mode: file ids, job outputs (--job), folders (--folder), or file/job
// records on stdin, decrypted and checked against the platform's SHA-512.
#include <fmt/format.h>

#include "cli/batch_report.hpp"
#include "cli/platform_session.hpp"
#include "cli/renderers.hpp"
#include "cli/resume_state.hpp"
#include "core/path_filter.hpp"
#include "download.hpp"
#include "transfer/platform_download.hpp"
#include "transfer/records.hpp"

namespace ri::download {
namespace {

struct Wanted {
    std::vector<std::string> ids, jobs, folders;
};

// Ids from the arguments and flags, then from the records: job and folder records by kind, file
// records and bare ids as files; our own download records piped back mean nothing to do.
Wanted wanted_from(const Options& o, const std::vector<InputRecord>& records) {
    Wanted w{o.urls, o.jobs, o.folders};
    for (const auto& in : records) {
        const Json& r = in.record;
        std::string kind = r.value("kind", "");
        std::string id = r.contains("id") && r["id"].is_string() ? r["id"].get<std::string>()
                         : kind == "path"                        ? r.value("path", "")
                                                                 : "";
        if (kind == "download") continue;
        if (kind == "file" && r.contains("id") && r.value("id", "").empty()) continue;
        if (id.empty())
            throw Error::bad_data(fmt::format("stdin line {}: the record has no \"id\".", in.line));
        (kind == "job" ? w.jobs : kind == "folder" ? w.folders : w.ids).push_back(id);
    }
    return w;
}

}  // namespace

int download_from_library(cli::ToolRunner& tool, Options& o, const Config& config,
                          const std::vector<InputRecord>& records) {
    if (!o.key.empty() || !o.key_file.empty() || o.raw)
        throw Error::usage("--key, --key-file and --raw are for s3:// and az:// URLs.");
    Wanted w = wanted_from(o, records);
    auto client = cli::connect_platform(tool, config);
    transfer::PlatformDownloadOptions options;
    options.concurrency = o.transfer.workers();
    if (auto size = o.transfer.part_bytes()) options.part_size = *size;
    options.if_exists = o.transfer.if_exists_policy();
    options.skip_checksum = o.skip_checksum;
    PathFilter filter = o.transfer.filter();
    std::vector<transfer::PlatformDownloadItem> items;
    cli::BatchReport report(tool);
    auto gather = [&](auto&& fn) {
        try {
            for (auto& m : fn())
                items.push_back(std::move(m));
        } catch (const std::exception& e) {
            report.failed(e);
        }
    };
    if (!w.ids.empty()) gather([&] { return transfer::files_by_id(*client, w.ids); });
    for (const auto& job : w.jobs)
        gather([&] { return transfer::job_outputs(*client, job, filter); });
    for (const auto& folder : w.folders)
        gather([&] { return transfer::folder_tree(*client, folder, filter); });
    std::optional<StateStore> store;
    auto state = cli::open_resume_state(tool, store, "downloads");
    transfer::PlatformDownloader downloader(*client, state.get(), tool.progress(), options);
    downloader.run(
        items, o.output,
        [&](const transfer::PlatformDownloadResult& r) {
            report.done(transfer::download_record(r), cli::file_download_line,
                        r.skipped ? fmt::format("skipped file {}: '{}' already exists "
                                                "(--if-exists overwrite or rename)",
                                                r.file.id, r.path)
                                  : "");
        },
        [&](const transfer::PlatformDownloadItem& item, const std::exception& e) {
            report.failed(e, cli::file_download_subject(item));
        });
    return report.exit_code();
}

}  // namespace ri::download
