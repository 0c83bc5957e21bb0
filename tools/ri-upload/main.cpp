// ri-upload: upload files and directories to S3 (s3://bucket/prefix/) or Azure Blob
// (az://account/container/prefix/), resumable, optionally encrypted in the platform's format.
#include <fmt/format.h>

#include <cctype>
#include <filesystem>
#include <map>

#include "core/cli.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/input.hpp"
#include "core/units.hpp"
#include "crypto/key_material.hpp"
#include "platform/platform_client.hpp"
#include "platform/records.hpp"
#include "platform/tool_client.hpp"
#include "storage/backend_factory.hpp"
#include "transfer/platform_upload.hpp"
#include "transfer/upload_engine.hpp"
#include "transfer/upload_sources.hpp"

using namespace ri;

namespace {

struct Options {
    AccountOptions account;  // platform mode
    std::vector<std::string> args;
    int concurrency = 0;
    std::string part_size, if_exists = "skip", key, key_file;
    std::vector<std::string> includes, excludes, metadata;
    bool encrypt = false, cleanup = false;
    // Platform mode (no URL): the Rescale library.
    std::string folder_id;
    std::vector<std::string> tags;
    bool recursive = false, pre_encrypt = false, check_conflicts = false;
    int older_than_hours = 24;
    storage::StorageCliOptions storage;
};

Json object_record(const transfer::UploadResult& r) {
    Json j{
        {"kind", "object"}, {"url", r.url}, {"path", r.source}, {"size", r.size}, {"etag", r.etag}};
    if (r.skipped) j["skipped"] = true;
    if (r.encrypted && !r.skipped) {
        j["encrypted"] = true;
        j["iv"] = r.iv_b64;
    }
    if (r.resumed) j["resumed_parts"] = r.parts - r.parts_sent;
    return j;
}

int cleanup(ToolRunner& tool, const Options& o, const Config& config) {
    if (o.args.size() != 1)
        throw Error::usage("--cleanup takes one URL: ri-upload --cleanup s3://bucket[/prefix/]");
    auto url = storage::parse_object_url(o.args[0]);
    if (!url) throw Error::usage(fmt::format("'{}' is not an s3:// or az:// URL.", o.args[0]));
    auto backend = storage::open_backend(*url, o.storage, config);
    std::optional<StateStore> store;
    auto state = transfer::open_resume_state(tool, store, "this upload");
    auto aborted =
        transfer::abort_orphaned_uploads(*backend, state.get(), url->key, o.older_than_hours);
    for (const auto& u : aborted) {
        tool.out().emit({{"kind", "aborted_upload"},
                         {"url", backend->url_of(u.key)},
                         {"upload_id", u.upload_id},
                         {"initiated", u.initiated}},
                        [](const Json& r) {
                            return fmt::format("aborted {} (started {})",
                                               r["url"].get<std::string>(),
                                               r["initiated"].get<std::string>());
                        });
    }
    tool.out().human_text(fmt::format("{} orphaned upload(s) aborted", aborted.size()));
    return 0;
}

transfer::PlanOptions plan_from(const Options& o) {
    transfer::PlanOptions plan;
    if (!o.part_size.empty()) {
        auto size = units::parse_size(o.part_size);
        if (!size || *size == 0)
            throw Error::usage(fmt::format("--part-size '{}' is not a size.", o.part_size));
        plan.part_size = *size;
        plan.multipart_threshold = *size;  // a file bigger than one part goes in parts
    }
    return plan;
}

// No URL: upload to the Rescale library, encrypted, and register each file.
int upload_to_platform(ToolRunner& tool, Options& o, const Config& config) {
    if (o.encrypt || !o.key.empty() || !o.key_file.empty() || !o.metadata.empty())
        throw Error::usage(
            "--encrypt, --key, --key-file and --metadata are for s3:// and az:// destinations: "
            "library uploads are always encrypted with a new key per file.");
    std::vector<std::string> sources = o.args;
    if (sources.empty()) sources = collect_inputs({}, {"path"});
    auto client = platform::client_for_tool(tool, config);
    transfer::PlatformUploadOptions options;
    options.concurrency = o.concurrency > 0 ? o.concurrency : 8;
    options.plan = plan_from(o);
    options.folder_id = o.folder_id;
    options.if_exists = transfer::parse_if_exists(o.if_exists);
    options.check_conflicts = o.check_conflicts;
    options.pre_encrypt = o.pre_encrypt;
    options.tags = o.tags;
    PathFilter filter(o.includes, o.excludes);
    auto items =
        transfer::platform_upload_items(*client, sources, o.folder_id, o.recursive, filter);
    std::optional<StateStore> store;
    auto state = transfer::open_resume_state(tool, store, "this upload");
    BatchOutcome outcome;
    transfer::PlatformUploader uploader(*client, state.get(), tool.progress(), options);
    try {
        uploader.run(
            items,
            [&](const transfer::PlatformUploadResult& r) {
                if (r.skipped)
                    tool.warn(
                        fmt::format("skipped {}: '{}' is already in the folder (--if-exists "
                                    "overwrite or rename)",
                                    r.source, r.file.name));
                Json j = platform::file_record(r.file);
                j["size"] = r.size;
                j["sha512"] = r.sha512;
                j["path"] = r.source;
                if (r.skipped) j["skipped"] = true;
                if (r.resumed) j["resumed_parts"] = r.parts - r.parts_sent;
                tool.out().emit(j, [](const Json& x) {
                    return fmt::format("{} {} -> {} ({})",
                                       x.contains("skipped") ? "skipped " : "uploaded",
                                       x["path"].get<std::string>(), x["id"].get<std::string>(),
                                       units::bytes(x["size"]));
                });
                outcome.success();
            },
            [&](const transfer::PlatformUploadItem& item, const std::exception& e) {
                tool.warn(fmt::format("failed to upload {}:", item.source));
                outcome.failure(tool.report_item(e));
            });
    } catch (const Error& e) {
        if (e.code() == ExitCode::interrupted) {
            throw Error::interrupted(
                "Interrupted. Run the same command again to resume: parts already sent are kept "
                "and no file is registered twice.");
        }
        throw;
    }
    return to_int(outcome.exit_code());
}

bool looks_like_url(std::string_view arg) {
    auto colon = arg.find(":/");
    if (colon == std::string_view::npos || colon == 0) return false;
    for (size_t i = 0; i < colon; ++i) {
        char c = arg[i];
        bool ok = std::isalpha(static_cast<unsigned char>(c)) ||
                  (i > 0 && (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' ||
                             c == '.'));
        if (!ok) return false;
    }
    return true;
}

int upload(ToolRunner& tool, Options& o) {
    Config config = load_config(tool, o.account);
    if (o.cleanup) return cleanup(tool, o, config);
    // A last argument that is a URL of another kind is a mistake, not a file to upload to the
    // library (unless such a file really exists).
    if (!o.args.empty() && looks_like_url(o.args.back()) &&
        !storage::parse_object_url(o.args.back()) && !std::filesystem::exists(o.args.back()))
        throw Error::usage(fmt::format(
            "'{}' is not an s3:// or az:// URL (without a URL, ri-upload uploads to the Rescale "
            "library).",
            o.args.back()));
    if (o.args.empty() || !storage::parse_object_url(o.args.back()))
        return upload_to_platform(tool, o, config);
    auto dest = storage::parse_object_url(o.args.back());
    if (!dest)
        throw Error::usage(
            fmt::format("The last argument '{}' must be an s3:// or az:// URL.", o.args.back()));
    std::vector<std::string> sources(o.args.begin(), o.args.end() - 1);
    if (sources.empty()) sources = collect_inputs({}, {"path"});

    transfer::UploadOptions options;
    options.concurrency = o.concurrency > 0 ? o.concurrency : 8;
    options.plan = plan_from(o);
    options.if_exists = transfer::parse_if_exists(o.if_exists);
    for (const auto& kv : o.metadata) {
        size_t eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Error::usage(fmt::format("--metadata '{}' is not KEY=VALUE.", kv));
        std::string k = kv.substr(0, eq);
        for (auto& c : k)
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        options.metadata[k] = kv.substr(eq + 1);
    }
    if (o.encrypt) {
        bool created = false;
        options.encryption_key = crypto::key_from_flags(o.key, o.key_file, true, &created);
        if (!options.encryption_key)
            throw Error::usage(
                "--encrypt needs the key: --key-file PATH (created if missing) or --key B64.");
        if (created)
            tool.warn(
                fmt::format("created a new key in '{}' (mode 0600): keep it, the objects cannot be "
                            "decrypted without it",
                            o.key_file));
    } else if (!o.key.empty() || !o.key_file.empty()) {
        throw Error::usage("--key and --key-file are for --encrypt.");
    }

    PathFilter filter(o.includes, o.excludes);
    auto scan = transfer::scan_upload_sources(sources, *dest, filter,
                                              [&](const std::string& w) { tool.warn(w); });
    auto backend = storage::open_backend(*dest, o.storage, config);
    // One listing of the prefix answers "does it exist?" for every file of a directory upload.
    if (options.if_exists != transfer::IfExists::overwrite && scan.items.size() > 1 &&
        dest->is_prefix()) {
        auto keys = std::make_shared<std::set<std::string>>();
        std::string token;
        do {
            auto page = backend->list(dest->key, "", token, 1000);
            for (const auto& obj : page.objects)
                keys->insert(obj.key);
            token = page.next_token;
        } while (!token.empty());
        options.existing_keys = keys;
    }
    tool.progress().add_total(scan.bytes, scan.items.size());
    std::optional<StateStore> store;
    auto state = transfer::open_resume_state(tool, store, "this upload");

    BatchOutcome outcome;
    transfer::Uploader uploader(*backend, state.get(), tool.progress(), options);
    try {
        uploader.run(
            scan.items,
            [&](const transfer::UploadResult& r) {
                if (r.skipped) {
                    tool.warn(fmt::format(
                        "skipped {}: {} already exists (--if-exists overwrite or rename)", r.source,
                        r.url));
                }
                tool.out().emit(object_record(r), [](const Json& j) {
                    return fmt::format("{} {} -> {} ({})",
                                       j.contains("skipped") ? "skipped " : "uploaded",
                                       j["path"].get<std::string>(), j["url"].get<std::string>(),
                                       units::bytes(j["size"]));
                });
                outcome.success();
            },
            [&](const transfer::UploadItem& item, const std::exception& e) {
                tool.warn(fmt::format("failed to upload {}:", item.source));
                outcome.failure(tool.report_item(e));
            });
    } catch (const Error& e) {
        if (e.code() == ExitCode::interrupted) {
            throw Error::interrupted(
                "Interrupted. Run the same command again to resume: parts already sent are kept.");
        }
        throw;
    }
    return to_int(outcome.exit_code());
}

}  // namespace

int main(int argc, char** argv) {
    ToolRunner tool("ri-upload",
                    "Upload files to the Rescale library (encrypted, registered), or to S3 or "
                    "Azure Blob storage; resumable");
    CLI::App& app = tool.app();
    Options o;
    app.add_option(
           "ARGS", o.args,
           "PATH... [then s3://bucket/prefix/ or az://account/container/prefix/]; without a URL "
           "the files go to the Rescale library")
        ->type_name("PATH");
    app.add_option("-j,--concurrency", o.concurrency,
                   "Parts and files in flight at once (default 8)");
    app.add_option("--part-size", o.part_size,
                   "Multipart part size, e.g. 16MiB (grows for huge files)")
        ->type_name("SIZE");
    add_choice_option(
        app, "--if-exists", o.if_exists, {"skip", "overwrite", "rename"},
        "When the object exists: skip it (default), overwrite it, or upload as 'name (1)'");
    app.add_option("--include", o.includes,
                   "Only files matching this glob (repeatable; ';'-separated lists too)")
        ->allow_extra_args(false);
    app.add_option("--exclude", o.excludes, "Leave out files matching this glob (repeatable)")
        ->allow_extra_args(false);
    app.add_option("--metadata", o.metadata, "User metadata KEY=VALUE on every object (repeatable)")
        ->allow_extra_args(false);
    app.add_flag("--encrypt", o.encrypt,
                 "Encrypt in the platform's format (AES-256-CBC; IV in the object's metadata)");
    tool.secret(
        app.add_option("--key", o.key, "Encryption key, base64 of 32 bytes")->type_name("B64"));
    app.add_option("--key-file", o.key_file,
                   "File with the base64 key (created, mode 0600, if missing)")
        ->type_name("FILE");
    app.add_flag("--cleanup", o.cleanup,
                 "Abort orphaned multipart uploads under the URL that no local state knows");
    app.add_option("--older-than", o.older_than_hours,
                   "--cleanup: only uploads started this many hours ago (default 24)");
    app.add_option("--folder-id", o.folder_id,
                   "Library mode: the folder to upload into (default My Library)")
        ->type_name("ID");
    app.add_option("--tag", o.tags, "Library mode: tag each uploaded file (repeatable)")
        ->allow_extra_args(false);
    app.add_flag("-r,--recursive", o.recursive,
                 "Library mode: upload directories as library folders, recursively");
    app.add_flag("--pre-encrypt", o.pre_encrypt,
                 "Library mode: encrypt to a temporary file first, then upload (legacy)");
    app.add_flag("--check-conflicts", o.check_conflicts,
                 "Library mode: look for files of the same name before uploading");
    add_account_options(tool, o.account, "Library mode: ");
    storage::add_storage_options(app, o.storage);
    return tool.run(argc, argv, [&] { return upload(tool, o); });
}
