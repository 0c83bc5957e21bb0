// ri-download: download objects and prefixes from S3 (s3://) or Azure Blob (az://) into a
// directory, resumable, decrypting objects stored in the platform's format.
#include <fmt/format.h>

#include <filesystem>
#include <map>

#include "core/cli.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/input.hpp"
#include "core/units.hpp"
#include "crypto/key_material.hpp"
#include "storage/backend_factory.hpp"
#include "transfer/download_engine.hpp"
#include "transfer/download_targets.hpp"

using namespace ri;

namespace {

struct Options {
    std::vector<std::string> urls;
    std::string output = ".";
    int concurrency = 0;
    std::string part_size, if_exists = "skip", key, key_file;
    std::vector<std::string> includes, excludes;
    bool raw = false;
    storage::StorageCliOptions storage;
};

int download(ToolRunner& tool, Options& o) {
    Config config = Config::load();
    for (const auto& w : config.warnings())
        tool.warn(w);
    std::vector<std::string> urls = o.urls.empty() ? collect_inputs({}, {"url"}) : o.urls;
    transfer::DownloadOptions options;
    options.concurrency = o.concurrency > 0 ? o.concurrency : 8;
    if (!o.part_size.empty()) {
        auto size = units::parse_size(o.part_size);
        if (!size || *size == 0)
            throw Error::usage(fmt::format("--part-size '{}' is not a size.", o.part_size));
        options.part_size = *size;
    }
    options.if_exists = transfer::parse_if_exists(o.if_exists);
    options.decryption_key = crypto::key_from_flags(o.key, o.key_file, false);
    options.raw = o.raw;
    std::filesystem::path dir = o.output;
    PathFilter filter(o.includes, o.excludes);

    // Objects of one bucket or container share one backend (and its connections).
    std::map<std::string, std::pair<storage::ObjectUrl, std::vector<std::string>>> groups;
    for (const auto& text : urls) {
        auto url = storage::parse_object_url(text);
        if (!url) throw Error::usage(fmt::format("'{}' is not an s3:// or az:// URL.", text));
        std::string group = url->scheme + "://" + url->account + "/" + url->bucket;
        groups[group].first = *url;
        groups[group].second.push_back(text);
    }
    std::optional<StateStore> store;
    std::unique_ptr<transfer::TransferState> state;
    try {
        store.emplace(transfer::open_state_store());
        state = std::make_unique<transfer::TransferState>(*store);
    } catch (const Error& e) {
        tool.warn(
            fmt::format("resume state unavailable ({}); downloads cannot be resumed", e.message()));
    }
    BatchOutcome outcome;
    for (auto& [name, group] : groups) {
        auto backend = storage::open_backend(group.first, o.storage, config);
        std::vector<transfer::DownloadItem> items;
        for (const auto& text : group.second) {
            try {
                auto targets = transfer::download_targets(
                    *backend, *storage::parse_object_url(text), dir, filter);
                for (auto& t : targets) {
                    tool.progress().add_total(t.known ? t.known->size : 0, 1);
                    items.push_back(std::move(t));
                }
            } catch (const std::exception& e) {
                outcome.failure(tool.report_item(e));
            }
        }
        transfer::Downloader downloader(*backend, state.get(), tool.progress(), options);
        try {
            downloader.run(
                items,
                [&](const transfer::DownloadResult& r) {
                    if (r.skipped)
                        tool.warn(fmt::format(
                            "skipped {}: '{}' already exists (--if-exists overwrite or rename)",
                            r.url, r.path));
                    Json j{{"kind", "object"},
                           {"url", r.url},
                           {"path", r.path},
                           {"size", r.size},
                           {"etag", r.etag}};
                    if (r.skipped) j["skipped"] = true;
                    if (r.decrypted) j["decrypted"] = true;
                    if (r.resumed) j["resumed_parts"] = r.parts - r.parts_fetched;
                    tool.out().emit(j, [](const Json& x) {
                        return fmt::format("{} {} -> {} ({})",
                                           x.contains("skipped") ? "skipped   " : "downloaded",
                                           x["url"].get<std::string>(),
                                           x["path"].get<std::string>(), units::bytes(x["size"]));
                    });
                    outcome.success();
                },
                [&](const transfer::DownloadItem& item, const std::exception& e) {
                    tool.warn(fmt::format("failed to download {}:", backend->url_of(item.key)));
                    outcome.failure(tool.report_item(e));
                });
        } catch (const Error& e) {
            if (e.code() == ExitCode::interrupted) {
                throw Error::interrupted(
                    "Interrupted. Run the same command again to resume from the parts already "
                    "saved.");
            }
            throw;
        }
    }
    return to_int(outcome.exit_code());
}

}  // namespace

int main(int argc, char** argv) {
    ToolRunner tool("ri-download",
                    "Download objects and prefixes from S3 or Azure Blob storage, resumable");
    CLI::App& app = tool.app();
    Options o;
    app.add_option(
           "URL", o.urls,
           "s3://bucket/key, or a prefix ending in '/' (recursive); or object records on stdin")
        ->type_name("URL");
    app.add_option("-o,--output", o.output, "Directory to download into (default .)")
        ->type_name("DIR");
    app.add_option("-j,--concurrency", o.concurrency,
                   "Parts and files in flight at once (default 8)");
    app.add_option("--part-size", o.part_size, "Bytes per ranged request, e.g. 16MiB")
        ->type_name("SIZE");
    add_choice_option(
        app, "--if-exists", o.if_exists, {"skip", "overwrite", "rename"},
        "When the local file exists: skip (default), overwrite, or save as 'name (1)'");
    app.add_option("--include", o.includes,
                   "Only objects whose relative path matches this glob (repeatable)")
        ->allow_extra_args(false);
    app.add_option("--exclude", o.excludes, "Leave out objects matching this glob (repeatable)")->allow_extra_args(false);
    tool.secret(
        app.add_option("--key", o.key, "Key to decrypt encrypted objects, base64 of 32 bytes")
            ->type_name("B64"));
    app.add_option("--key-file", o.key_file, "File with the base64 key")->type_name("FILE");
    app.add_flag("--raw", o.raw, "Save encrypted objects as they are stored (ciphertext)");
    storage::add_storage_options(app, o.storage);
    return tool.run(argc, argv, [&] { return download(tool, o); });
}
