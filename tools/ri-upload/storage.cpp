// ri-upload to s3:// or az://: resumable multipart uploads, optionally encrypted in the
// platform's format; --cleanup aborts the orphaned multipart uploads of a prefix.
#include <fmt/format.h>

#include <set>

#include "cli/batch_report.hpp"
#include "cli/inputs.hpp"
#include "cli/renderers.hpp"
#include "cli/resume_state.hpp"
#include "core/path_filter.hpp"
#include "core/strings.hpp"
#include "crypto/key_material.hpp"
#include "storage/backend.hpp"
#include "storage/object_url.hpp"
#include "transfer/records.hpp"
#include "transfer/upload_engine.hpp"
#include "transfer/upload_sources.hpp"
#include "upload.hpp"

namespace ri::upload {
namespace {

storage::Metadata metadata_from(const std::vector<std::string>& pairs) {
    storage::Metadata md;
    for (const auto& kv : pairs) {
        size_t eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
            throw Error::usage(fmt::format("--metadata '{}' is not KEY=VALUE.", kv));
        md[strings::lower(kv.substr(0, eq))] = kv.substr(eq + 1);
    }
    return md;
}

void choose_key(cli::ToolRunner& tool, const Options& o, transfer::UploadOptions& options) {
    if (!o.encrypt) {
        if (!o.key.empty() || !o.key_file.empty())
            throw Error::usage("--key and --key-file are for --encrypt.");
        return;
    }
    bool created = false;
    options.encryption_key = crypto::key_from_flags(o.key, o.key_file, true, &created);
    if (!options.encryption_key)
        throw Error::usage(
            "--encrypt needs the key: --key-file PATH (created if missing) or --key B64.");
    if (created)
        tool.warn(fmt::format(
            "created a new key in '{}' (mode 0600): keep it, the objects cannot be decrypted "
            "without it",
            o.key_file));
}

}  // namespace

int upload_to_storage(cli::ToolRunner& tool, Options& o, const Config& config) {
    auto dest = *storage::parse_object_url(o.args.back());
    std::vector<std::string> sources(o.args.begin(), o.args.end() - 1);
    if (sources.empty()) sources = cli::collect_inputs({}, {"path"});
    transfer::UploadOptions options;
    options.concurrency = o.transfer.workers();
    options.plan = plan_from(o);
    options.if_exists = o.transfer.if_exists_policy();
    options.metadata = metadata_from(o.metadata);
    choose_key(tool, o, options);
    PathFilter filter = o.transfer.filter();
    auto scan = transfer::scan_upload_sources(sources, dest, filter,
                                              [&](const std::string& w) { tool.warn(w); });
    auto backend = cli::open_backend(dest, o.storage, config);
    // One listing of the prefix answers "does it exist?" for every file of a directory upload.
    if (options.if_exists != transfer::IfExists::overwrite && scan.items.size() > 1 &&
        dest.is_prefix()) {
        auto keys = std::make_shared<std::set<std::string>>();
        storage::for_each_object(*backend, dest.key, [&](const storage::ObjectInfo& obj) {
            keys->insert(obj.key);
            return true;
        });
        options.existing_keys = keys;
    }
    std::optional<StateStore> store;
    auto state = cli::open_resume_state(tool, store, "this upload");
    tool.resume_hint("Run the same command again to resume: parts already sent are kept.");
    cli::BatchReport report(tool);
    transfer::Uploader uploader(*backend, state.get(), tool.progress(), options);
    uploader.run(
        scan.items,
        [&](const transfer::UploadResult& r) {
            report.done(transfer::object_record(r), cli::object_upload_line,
                        r.skipped
                            ? fmt::format("skipped {}: {} already exists (--if-exists overwrite or "
                                          "rename)",
                                          r.source, r.url)
                            : "");
        },
        [&](const transfer::UploadItem& item, const std::exception& e) {
            report.failed(e, "upload " + item.source);
        });
    return report.exit_code();
}

int cleanup(cli::ToolRunner& tool, const Options& o, const Config& config) {
    if (o.args.size() != 1)
        throw Error::usage("--cleanup takes one URL: ri-upload --cleanup s3://bucket[/prefix/]");
    auto url = storage::parse_object_url(o.args[0]);
    if (!url) throw Error::usage(fmt::format("'{}' is not an s3:// or az:// URL.", o.args[0]));
    auto backend = cli::open_backend(*url, o.storage, config);
    std::optional<StateStore> store;
    auto state = cli::open_resume_state(tool, store, "this upload");
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

}  // namespace ri::upload
