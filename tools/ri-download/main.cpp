// ri-download: download objects and prefixes from S3 (s3://) or Azure Blob (az://) into a
// directory, resumable, decrypting objects stored in the platform's format.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>

#include "core/cli.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/input.hpp"
#include "core/units.hpp"
#include "crypto/key_material.hpp"
#include "platform/platform_client.hpp"
#include "platform/tool_client.hpp"
#include "storage/backend_factory.hpp"
#include "transfer/download_engine.hpp"
#include "transfer/download_targets.hpp"
#include "transfer/platform_download.hpp"

using namespace ri;

namespace {

struct Options {
    AccountOptions account;  // platform mode
    std::vector<std::string> urls;
    std::string output = ".";
    int concurrency = 0;
    std::string part_size, if_exists = "skip", key, key_file;
    std::vector<std::string> includes, excludes;
    bool raw = false;
    // Library mode: file ids (positional), --job, --folder.
    std::vector<std::string> jobs, folders;
    bool skip_checksum = false;
    storage::StorageCliOptions storage;
};

uint64_t part_size_of(const Options& o) {
    if (o.part_size.empty()) return transfer::kDefaultPartSize;
    auto size = units::parse_size(o.part_size);
    if (!size || *size == 0)
        throw Error::usage(fmt::format("--part-size '{}' is not a size.", o.part_size));
    return *size;
}

// Library mode: file ids, job outputs (--job) and folders (--folder), or file/job records on
// stdin, decrypted and checked against the platform's SHA-512.
int download_from_platform(ToolRunner& tool, Options& o, const Config& config,
                           const std::vector<InputRecord>& records) {
    if (!o.key.empty() || !o.key_file.empty() || o.raw)
        throw Error::usage("--key, --key-file and --raw are for s3:// and az:// URLs.");
    std::vector<std::string> ids = o.urls, jobs = o.jobs, folders = o.folders;
    for (const auto& rec : records) {
        const InputRecord* in = &rec;
        {
            const Json& r = in->record;
            std::string kind = r.value("kind", "");
            std::string id = r.contains("id") && r["id"].is_string() ? r["id"].get<std::string>()
                             : kind == "path"                        ? r.value("path", "")
                                                                     : "";
            if (kind == "download") continue;  // our own records, piped back: nothing to do
            if (kind == "file" && r.contains("id") && r.value("id", "").empty()) continue;
            if (id.empty())
                throw Error::bad_data(
                    fmt::format("stdin line {}: the record has no \"id\".", in->line));
            (kind == "job" ? jobs : kind == "folder" ? folders : ids).push_back(id);
        }
    }
    auto client = platform::client_for_tool(tool, config);
    transfer::PlatformDownloadOptions options;
    options.concurrency = o.concurrency > 0 ? o.concurrency : 8;
    options.part_size = part_size_of(o);
    options.if_exists = transfer::parse_if_exists(o.if_exists);
    options.skip_checksum = o.skip_checksum;
    PathFilter filter(o.includes, o.excludes);
    std::vector<transfer::PlatformDownloadItem> items;
    BatchOutcome outcome;
    auto gather = [&](auto&& fn) {
        try {
            auto more = fn();
            for (auto& m : more)
                items.push_back(std::move(m));
        } catch (const Error& e) {
            if (e.code() == ExitCode::interrupted) throw;
            outcome.failure(tool.report_item(e));
        }
    };
    if (!ids.empty()) gather([&] { return transfer::files_by_id(*client, ids); });
    for (const auto& job : jobs)
        gather([&] { return transfer::job_outputs(*client, job, filter); });
    for (const auto& folder : folders)
        gather([&] { return transfer::folder_tree(*client, folder, filter); });
    std::optional<StateStore> store;
    auto state = transfer::open_resume_state(tool, store, "downloads");
    transfer::PlatformDownloader downloader(*client, state.get(), tool.progress(), options);
    try {
        downloader.run(
            items, o.output,
            [&](const transfer::PlatformDownloadResult& r) {
                if (r.skipped)
                    tool.warn(fmt::format(
                        "skipped file {}: '{}' already exists (--if-exists overwrite or rename)",
                        r.file.id, r.path));
                Json j{{"kind", "download"}, {"id", r.file.id}, {"name", r.file.name},
                       {"path", r.path},     {"size", r.size},  {"sha512", r.sha512}};
                if (r.skipped) j["skipped"] = true;
                if (r.resumed) j["resumed"] = true;
                tool.out().emit(j, [](const Json& x) {
                    return fmt::format("{} {} -> {} ({})",
                                       x.contains("skipped") ? "skipped   " : "downloaded",
                                       x["id"].get<std::string>(), x["path"].get<std::string>(),
                                       units::bytes(x["size"]));
                });
                outcome.success();
            },
            [&](const transfer::PlatformDownloadItem& item, const std::exception& e) {
                tool.warn(fmt::format("failed to download file {} ('{}'):", item.file.id,
                                      item.relative_path));
                outcome.failure(tool.report_item(e));
            });
    } catch (const Error& e) {
        if (e.code() == ExitCode::interrupted) {
            throw Error::interrupted(
                "Interrupted. Run the same command again to resume from the parts already saved.");
        }
        throw;
    }
    return to_int(outcome.exit_code());
}

bool is_storage_mode(const Options& o) {
    if (!o.jobs.empty() || !o.folders.empty()) return false;
    if (o.urls.empty()) return false;
    return std::all_of(o.urls.begin(), o.urls.end(),
                       [](const std::string& u) { return storage::parse_object_url(u); });
}

int download(ToolRunner& tool, Options& o) {
    Config config = load_config(tool, o.account);
    if (!is_storage_mode(o) && (!o.urls.empty() || !o.jobs.empty() || !o.folders.empty()))
        return download_from_platform(tool, o, config, {});
    std::vector<std::string> urls = o.urls;
    if (urls.empty()) {
        // stdin: object records (url) are storage mode; file/job records and ids the library.
        if (stdin_is_terminal())
            throw Error::usage(
                "Give file ids, --job JOB_ID, --folder FOLDER_ID, or s3:// / az:// URLs.");
        std::vector<InputRecord> records;
        RecordReader reader(std::cin);
        while (auto in = reader.next())
            records.push_back(std::move(*in));
        bool storage = !records.empty();
        for (const auto& r : records) {
            std::string u = r.record.value("url", r.record.value("path", ""));
            storage = storage && storage::parse_object_url(u).has_value();
            if (storage) urls.push_back(u);
        }
        if (!storage) return download_from_platform(tool, o, config, records);
    }
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
    auto state = transfer::open_resume_state(tool, store, "downloads");
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
                    "Download library files and job outputs from Rescale, or objects and prefixes "
                    "from S3 or Azure Blob storage; decrypted, verified, resumable");
    CLI::App& app = tool.app();
    Options o;
    app.add_option(
           "URL", o.urls,
           "s3://bucket/key, or a prefix ending in '/' (recursive); or library file ids; or "
           "object, file or job records on stdin")
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
    app.add_option("--exclude", o.excludes, "Leave out objects matching this glob (repeatable)")
        ->allow_extra_args(false);
    tool.secret(
        app.add_option("--key", o.key, "Key to decrypt encrypted objects, base64 of 32 bytes")
            ->type_name("B64"));
    app.add_option("--key-file", o.key_file, "File with the base64 key")->type_name("FILE");
    app.add_flag("--raw", o.raw, "Save encrypted objects as they are stored (ciphertext)");
    app.add_option("--job", o.jobs,
                   "Library mode: download the output files of this job (repeatable)")
        ->type_name("JOB_ID")
        ->allow_extra_args(false);
    app.add_option("--folder", o.folders,
                   "Library mode: download this library folder, recursively (repeatable)")
        ->type_name("FOLDER_ID")
        ->allow_extra_args(false);
    app.add_flag("--skip-checksum", o.skip_checksum,
                 "Library mode: do not compare with the platform's SHA-512");
    add_account_options(tool, o.account, "Library mode: ");
    storage::add_storage_options(app, o.storage);
    return tool.run(argc, argv, [&] { return download(tool, o); });
}
