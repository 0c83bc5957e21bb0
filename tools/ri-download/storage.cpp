// ri-download storage mode: objects and prefixes of s3:// and az:// URLs, resumable, decrypting
// objects stored in the platform's format.
#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "cli/batch_report.hpp"
#include "cli/renderers.hpp"
#include "cli/resume_state.hpp"
#include "core/path_filter.hpp"
#include "crypto/key_material.hpp"
#include "download.hpp"
#include "storage/object_url.hpp"
#include "transfer/download_engine.hpp"
#include "transfer/download_targets.hpp"
#include "transfer/records.hpp"

namespace ri::download {

int download_from_storage(cli::ToolRunner& tool, Options& o, const Config& config,
                          const std::vector<std::string>& urls) {
    transfer::DownloadOptions options;
    options.concurrency = o.transfer.workers();
    if (auto size = o.transfer.part_bytes()) options.part_size = *size;
    options.if_exists = o.transfer.if_exists_policy();
    options.decryption_key = crypto::key_from_flags(o.key, o.key_file, false);
    options.raw = o.raw;
    std::filesystem::path dir = o.output;
    PathFilter filter = o.transfer.filter();
    // Objects of one bucket or container share one backend (and its connections).
    std::map<std::string, std::pair<storage::ObjectUrl, std::vector<std::string>>> groups;
    for (const auto& text : urls) {
        auto url = storage::parse_object_url(text);
        if (!url) throw Error::usage(fmt::format("'{}' is not an s3:// or az:// URL.", text));
        auto& group = groups[url->scheme + "://" + url->account + "/" + url->bucket];
        group.first = *url;
        group.second.push_back(text);
    }
    std::optional<StateStore> store;
    auto state = cli::open_resume_state(tool, store, "downloads");
    cli::BatchReport report(tool);
    for (auto& [name, group] : groups) {
        auto backend = cli::open_backend(group.first, o.storage, config);
        std::vector<transfer::DownloadItem> items;
        for (const auto& text : group.second) {
            try {
                for (auto& t : transfer::download_targets(
                         *backend, *storage::parse_object_url(text), dir, filter))
                    items.push_back(std::move(t));
            } catch (const std::exception& e) {
                report.failed(e);
            }
        }
        transfer::Downloader downloader(*backend, state.get(), tool.progress(), options);
        downloader.run(
            items,
            [&](const transfer::DownloadResult& r) {
                report.done(transfer::object_record(r), cli::object_download_line,
                            r.skipped ? fmt::format("skipped {}: '{}' already exists (--if-exists "
                                                    "overwrite or rename)",
                                                    r.url, r.path)
                                      : "");
            },
            [&](const transfer::DownloadItem& item, const std::exception& e) {
                report.failed(e, "download " + backend->url_of(item.key));
            });
    }
    return report.exit_code();
}

}  // namespace ri::download
