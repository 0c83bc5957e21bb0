#include "transfer/platform_download.hpp"

#include <fmt/format.h>

#include <map>
#include <memory>

#include "core/error.hpp"
#include "core/log.hpp"
#include "crypto/aes_cbc.hpp"
#include "crypto/key_material.hpp"
#include "platform/platform_client.hpp"
#include "transfer/disk_space.hpp"
#include "transfer/download_engine.hpp"
#include "transfer/download_targets.hpp"
#include "transfer/platform_storage.hpp"

namespace ri::transfer {
namespace fs = std::filesystem;

namespace {

std::string label(const platform::CloudFile& f) {
    return fmt::format("file {} ('{}')", f.id, f.name);
}

// confined_path, and no existing directory on the way may be a symlink that leads out of dir.
fs::path safe_destination(const fs::path& dir, const std::string& rel) {
    fs::path out = confined_path(dir, rel);
    std::error_code ec;
    fs::path root = fs::weakly_canonical(dir, ec);
    if (!root.has_filename()) root = root.parent_path();  // "out/": no empty last element
    fs::path parent = fs::weakly_canonical(out.parent_path(), ec);
    auto [r, p] = std::mismatch(root.begin(), root.end(), parent.begin(), parent.end());
    if (ec || r != root.end()) {
        throw Error::bad_data(fmt::format(
            "Refusing to write '{}': a symbolic link on its way leads out of '{}'; nothing is "
            "written outside it.",
            rel, dir.string()));
    }
    return out;
}

}  // namespace

std::vector<PlatformDownloadItem> files_by_id(platform::PlatformClient& client,
                                              const std::vector<std::string>& ids) {
    std::vector<PlatformDownloadItem> out;
    for (const auto& id : ids) {
        platform::CloudFile f = client.get_file(id);
        out.push_back({f, f.name});
    }
    return out;
}

std::vector<PlatformDownloadItem> job_outputs(platform::PlatformClient& client,
                                              const std::string& job_id, const PathFilter& filter) {
    std::vector<PlatformDownloadItem> out;
    client.job_files(job_id, [&](const platform::CloudFile& f) {
        std::string rel = f.relative_path.empty() ? f.name : f.relative_path;
        if (filter.keeps_file(rel)) out.push_back({f, rel});
        return true;
    });
    return out;
}

std::vector<PlatformDownloadItem> folder_tree(platform::PlatformClient& client,
                                              const std::string& folder_id,
                                              const PathFilter& filter) {
    std::vector<PlatformDownloadItem> out;
    std::vector<std::pair<std::string, std::string>> todo{{folder_id, ""}};
    while (!todo.empty()) {
        auto [id, prefix] = todo.back();
        todo.pop_back();
        client.folder_contents(id, [&](const platform::FolderItem& item) {
            if (item.type == platform::FolderItem::Type::folder) {
                todo.emplace_back(item.folder.id, prefix + item.folder.name + "/");
            } else {
                std::string rel = prefix + item.file.name;
                if (filter.keeps_file(rel)) out.push_back({item.file, rel});
            }
            return true;
        });
    }
    return out;
}

struct PlatformDownloader::Impl {
    platform::PlatformClient& client;
    TransferState* state;
    Progress& progress;
    PlatformDownloadOptions options;
    std::shared_ptr<http::HttpClientPool> pool = std::make_shared<http::HttpClientPool>();
    // Files on S3 share the storage's credentials; on Azure each has its own SAS.
    std::map<std::string, std::shared_ptr<storage::Backend>> backends;

    Impl(platform::PlatformClient& c, TransferState* s, Progress& p, PlatformDownloadOptions o)
        : client(c), state(s), progress(p), options(std::move(o)) {}

    DownloadItem plan_item(const PlatformDownloadItem& it, const fs::path& dir);
    void run(const std::vector<PlatformDownloadItem>& items, const fs::path& dir,
             const DoneFn& on_done, const ErrorFn& on_error);
};

// What the engine needs of a library file: its key, its own store and key, where it goes, and
// the SHA-512 to check; a file small enough for one GET is marked known (no HEAD).
DownloadItem PlatformDownloader::Impl::plan_item(const PlatformDownloadItem& it,
                                                 const fs::path& dir) {
    platform::CloudFile f = it.file;
    if (f.encoded_encryption_key.empty() || f.path_parts.path.empty())
        f = client.get_file(f.id);  // a listing without the key: ask once
    DownloadItem d;
    d.key = f.path_parts.path;
    d.dest = safe_destination(dir, it.relative_path).string();
    d.label = label(f);
    d.progress_name = it.relative_path;
    d.decryption_key = std::make_shared<const crypto::SecureBuffer>(
        crypto::decode_base64_secret(f.encoded_encryption_key, 32, "the file's encryption key"));
    d.hash = true;
    if (!options.skip_checksum) d.expected_sha512 = f.sha512;
    d.plain_size = f.decrypted_size;
    std::string group = f.storage.is_azure() ? "az:" + f.id
                                             : fmt::format("{}:{}:{}", f.storage.storage_type,
                                                           f.storage.id, f.path_parts.container);
    auto& b = backends[group];
    if (!b) b = file_backend(client, f, pool);
    d.backend = b;
    uint64_t stored = crypto::padded_size(f.decrypted_size);
    if (stored <= options.part_size) {
        storage::ObjectInfo known;
        known.key = d.key;
        known.size = stored;
        d.known = known;  // one GET, no HEAD
    }
    return d;
}

void PlatformDownloader::Impl::run(const std::vector<PlatformDownloadItem>& items,
                                   const fs::path& dir, const DoneFn& on_done,
                                   const ErrorFn& on_error) {
    std::map<std::string, const PlatformDownloadItem*> by_key;
    std::map<std::string, Progress::ItemId> ids;
    std::vector<DownloadItem> downloads;
    uint64_t total = 0;
    for (const auto& it : items) {
        Progress::ItemId id =
            progress.queue(it.relative_path, crypto::padded_size(it.file.decrypted_size));
        try {
            DownloadItem d = plan_item(it, dir);
            d.progress_item = id;
            total += it.file.decrypted_size;
            by_key[d.key] = &it;
            ids[d.key] = id;
            downloads.push_back(std::move(d));
        } catch (const std::exception& e) {
            if (is_interrupt(e)) throw;
            progress.fail(id, e);
            on_error(it, e);
        }
    }
    if (downloads.empty()) return;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw file_error(FileRole::output, dir.string(), ec.value(), "creating");
    require_free_space(dir, total, dir.string());
    DownloadOptions o;
    o.concurrency = options.concurrency;
    o.part_size = options.part_size;
    o.if_exists = options.if_exists;
    // The Downloader's own backend serves no item (each has its own); any one will do.
    Downloader downloader(*backends.begin()->second, state, progress, o);
    downloader.run(
        downloads,
        [&](const DownloadResult& r) {
            const auto* it = by_key.at(r.key);
            PlatformDownloadResult out;
            out.file = it->file;
            out.path = r.path;
            out.size = r.size;
            out.sha512 = r.skipped ? it->file.sha512 : r.sha512;
            out.skipped = r.skipped;
            out.resumed = r.resumed;
            if (r.skipped)
                progress.skip(ids.at(r.key), "exists");
            else
                progress.finish(ids.at(r.key));
            on_done(out);
        },
        [&](const DownloadItem& d, const std::exception& e) {
            progress.fail(ids.at(d.key), e);
            on_error(*by_key.at(d.key), e);
        });
}

PlatformDownloader::PlatformDownloader(platform::PlatformClient& client, TransferState* state,
                                       Progress& progress, PlatformDownloadOptions options)
    : impl_(std::make_unique<Impl>(client, state, progress, std::move(options))) {}

PlatformDownloader::~PlatformDownloader() = default;

void PlatformDownloader::run(const std::vector<PlatformDownloadItem>& items, const fs::path& dir,
                             const DoneFn& on_done, const ErrorFn& on_error) {
    impl_->run(items, dir, on_done, on_error);
}

}  // namespace ri::transfer
