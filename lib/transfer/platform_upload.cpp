#include "transfer/platform_upload.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>

#include "core/cancel.hpp"
#include "core/error.hpp"
#include "core/file.hpp"
#include "core/log.hpp"
#include "crypto/aes_cbc.hpp"
#include "crypto/encoding.hpp"
#include "crypto/file_hasher.hpp"
#include "crypto/key_material.hpp"
#include "crypto/random.hpp"
#include "platform/platform_client.hpp"
#include "storage/backend_factory.hpp"
#include "transfer/hash_tap.hpp"
#include "transfer/platform_storage.hpp"
#include "transfer/task_pool.hpp"
#include "transfer/transfer_schema.hpp"
#include "transfer/upload_engine.hpp"

namespace ri::transfer {
namespace fs = std::filesystem;

namespace {

// Key material leaves no copy behind in freed memory.
void wipe(std::string& s) {
    if (!s.empty()) crypto::secure_zero(s.data(), s.size());
    s.clear();
}

std::string random_alnum(size_t n) {
    static constexpr char kChars[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    std::vector<std::byte> raw(n * 2);
    while (out.size() < n) {
        crypto::random_bytes(raw);
        for (auto b : raw) {
            auto v = static_cast<unsigned>(b);
            if (v < 248 && out.size() < n) out.push_back(kChars[v % 62]);  // 248 = 4 * 62
        }
    }
    return out;
}

std::string hash_of(const std::string& path) {
    File f = File::open_read(path);
    return crypto::hash_file(f).sha512;
}

// One file on its way: what it is called where, its key, and its state row.
struct Pending {
    PlatformUploadItem item;
    Progress::ItemId progress = 0;
    std::string name;
    std::string folder_id;
    SourceStat stat;
    std::string object_key;
    std::shared_ptr<const crypto::SecureBuffer> key;
    int64_t state_id = 0;
    std::shared_future<std::string> sha512;
    std::shared_ptr<std::promise<std::string>> sha512_promise;
    std::shared_ptr<HashTap> tap;  // the engine's uploads: hashes what the encryptor reads
    std::string replace_id;      // --if-exists overwrite: the existing file, deleted after register
    bool register_only = false;  // a previous run uploaded it completely
};

}  // namespace

struct PlatformUploader::Impl {
    platform::PlatformClient& client;
    TransferState* state;
    Progress& progress;
    PlatformUploadOptions options;
    const DoneFn* on_done = nullptr;
    const ErrorFn* on_error = nullptr;
    std::mutex mutex;
    std::map<std::string, std::map<std::string, platform::CloudFile>> folder_files;  // cached
    std::string my_library;

    Impl(platform::PlatformClient& c, TransferState* s, Progress& p, PlatformUploadOptions o)
        : client(c), state(s), progress(p), options(std::move(o)) {}

    std::string target_of(const Pending& p) const {
        return fmt::format("{}|{}|{}", client.host(), p.folder_id, p.name);
    }
    std::map<std::string, platform::CloudFile>& files_in(const std::string& folder_id,
                                                         bool refresh = false);
    std::string free_name(const std::string& folder_id, const std::string& name);
    void report_done(const Pending& p, const PlatformUploadResult& r);
    void report_failed(const Pending& p, const std::exception& e);
    void report_skipped(const Pending& p, const platform::CloudFile& existing);
    bool resolve_conflict_early(Pending& p);
    void prepare(Pending& p, const RefreshingBackend& backend);
    std::shared_ptr<Pending> announce(const PlatformUploadItem& item, RefreshingBackend& backend);
    platform::CloudFile register_file(Pending& p, const RefreshingBackend& backend,
                                      const std::string& sha512);
    void finish(Pending& p, RefreshingBackend& backend, const UploadResult* up);
    void upload_pre_encrypted(Pending& p, RefreshingBackend& backend);
    void upload_outside_engine(Pending& p, RefreshingBackend& backend);
    void upload_through_engine(const std::vector<std::shared_ptr<Pending>>& pending,
                               RefreshingBackend& backend);
    void run(const std::vector<PlatformUploadItem>& items);
};

// The files of a folder by name (listed once per run).
std::map<std::string, platform::CloudFile>& PlatformUploader::Impl::files_in(
    const std::string& folder_id, bool refresh) {
    std::lock_guard lock(mutex);
    auto it = folder_files.find(folder_id);
    if (it != folder_files.end() && !refresh) return it->second;
    std::map<std::string, platform::CloudFile> files;
    client.folder_contents(folder_id, [&](const platform::FolderItem& item) {
        if (item.type == platform::FolderItem::Type::file) files[item.file.name] = item.file;
        return true;
    });
    return folder_files[folder_id] = std::move(files);
}

std::string PlatformUploader::Impl::free_name(const std::string& folder_id,
                                              const std::string& name) {
    auto& files = files_in(folder_id, true);
    return first_free_name(name, [&](const std::string& n) { return files.count(n) > 0; });
}

// Each file's progress ends with what happened to it, then the caller hears of it.
void PlatformUploader::Impl::report_done(const Pending& p, const PlatformUploadResult& r) {
    if (r.skipped)
        progress.skip(p.progress, "exists");
    else
        progress.finish(p.progress);
    (*on_done)(r);
}

void PlatformUploader::Impl::report_failed(const Pending& p, const std::exception& e) {
    if (is_interrupt(e)) throw dynamic_cast<const Error&>(e);
    progress.fail(p.progress, e);
    (*on_error)(p.item, e);
}

void PlatformUploader::Impl::report_skipped(const Pending& p, const platform::CloudFile& existing) {
    PlatformUploadResult r;
    r.source = p.item.source;
    r.file = existing;
    r.size = p.stat.size;
    r.sha512 = existing.sha512;
    r.skipped = true;
    report_done(p, r);
}

// Looks before uploading (--check-conflicts): false when the file is skipped.
bool PlatformUploader::Impl::resolve_conflict_early(Pending& p) {
    auto& files = files_in(p.folder_id);
    auto it = files.find(p.name);
    if (it == files.end()) return true;
    if (options.if_exists == IfExists::skip) {
        report_skipped(p, it->second);
        return false;
    }
    if (options.if_exists == IfExists::rename)
        p.name = first_free_name(p.name, [&](const std::string& n) { return files.count(n) > 0; });
    else
        p.replace_id = it->second.id;
    return true;
}

// Prepares the object key and file key: the ones of an interrupted run when the source is
// unchanged, else new ones.
void PlatformUploader::Impl::prepare(Pending& p, const RefreshingBackend& backend) {
    if (state) {
        if (auto rec = state->find_platform_upload(p.item.source, target_of(p))) {
            if (rec->size == p.stat.size && rec->mtime_ns == p.stat.mtime_ns) {
                auto key = crypto::decode_base64_secret(rec->key_b64, 32, "resume key");
                wipe(rec->key_b64);
                p.key = std::make_shared<const crypto::SecureBuffer>(std::move(key));
                p.object_key = rec->object_key;
                p.state_id = rec->id;
                p.register_only = rec->stage != "uploading";
                log::info("resuming platform upload of {} ({})", p.item.source, rec->stage);
                return;
            }
            state->forget_platform_upload(rec->id);
        }
    }
    p.key = std::make_shared<const crypto::SecureBuffer>(crypto::random_secret(32));
    p.object_key = backend.target().upload_key(p.name + "-" + random_alnum(22));
    if (!state) return;
    PlatformUploadRecord rec{.source = p.item.source,
                             .target = target_of(p),
                             .size = p.stat.size,
                             .mtime_ns = p.stat.mtime_ns,
                             .object_key = p.object_key,
                             .key_b64 = crypto::base64_encode(p.key->span()),
                             .stage = "uploading"};
    p.state_id = state->insert_platform_upload(rec);
    wipe(rec.key_b64);
}

// A file of the run, announced to the progress and made ready (name, folder, keys); null when
// it failed or was skipped already (both reported).
std::shared_ptr<Pending> PlatformUploader::Impl::announce(const PlatformUploadItem& item,
                                                          RefreshingBackend& backend) {
    auto p = std::make_shared<Pending>();
    p->item = item;
    FileStatus st{};
    try {
        st = file_status(item.source);
    } catch (const Error&) {
        // Reported below, as this file's failure.
    }
    p->progress = progress.queue(item.source, st.size);
    try {
        p->stat = stat_source(item.source);
        p->name = item.name.empty() ? fs::path(item.source).filename().string() : item.name;
        p->folder_id = !item.folder_id.empty() ? item.folder_id : options.folder_id;
        if (p->folder_id.empty()) {
            if (my_library.empty()) my_library = client.my_folders().my_library;
            p->folder_id = my_library;
        }
        if (options.check_conflicts && !resolve_conflict_early(*p)) return nullptr;
        prepare(*p, backend);
    } catch (const std::exception& e) {
        report_failed(*p, e);
        return nullptr;
    }
    p->sha512_promise = std::make_shared<std::promise<std::string>>();
    p->sha512 = p->sha512_promise->get_future().share();
    return p;
}

platform::CloudFile PlatformUploader::Impl::register_file(Pending& p,
                                                          const RefreshingBackend& backend,
                                                          const std::string& sha512) {
    if (state && p.state_id) state->set_platform_stage(p.state_id, "registering", sha512, "");
    platform::StorageTarget t = backend.target();
    platform::RegisterFileRequest req;
    req.type_id = options.type_id;
    req.folder_id = p.folder_id;
    req.encoded_encryption_key = crypto::base64_encode(p.key->span());
    req.path_parts = {t.bucket, p.object_key};
    req.storage = client.me_cached().default_storage;
    req.decrypted_size = p.stat.size;
    req.sha512 = sha512;
    struct Wipe {
        std::string& key;
        ~Wipe() { wipe(key); }
    } wipe_key{req.encoded_encryption_key};
    for (int attempt = 0;; ++attempt) {
        req.name = p.name;
        try {
            return client.register_file(req);
        } catch (const platform::ConflictError&) {
            // Ours already (a register that reached the server before a crash or a lost
            // answer)? Then it is registered: never twice.
            auto& files = files_in(p.folder_id, true);
            auto it = files.find(p.name);
            if (it != files.end() && it->second.path_parts.path == p.object_key) return it->second;
            if (it == files.end() || attempt >= 3 || options.if_exists == IfExists::skip) throw;
            if (options.if_exists == IfExists::rename)
                p.name = free_name(p.folder_id, p.name);
            else
                client.delete_file(it->second.id);
        }
    }
}

void PlatformUploader::Impl::finish(Pending& p, RefreshingBackend& backend,
                                    const UploadResult* up) {
    std::string sha512 = p.sha512.get();
    platform::CloudFile file;
    try {
        file = register_file(p, backend, sha512);
    } catch (const platform::ConflictError&) {
        if (options.if_exists != IfExists::skip) throw;
        // Skipped after all: the object nobody will register goes.
        try {
            backend.delete_objects({p.object_key});
        } catch (const std::exception& e) {
            log::info("could not delete unregistered object {}: {}", p.object_key, e.what());
        }
        if (state && p.state_id) state->forget_platform_upload(p.state_id);
        return report_skipped(p, files_in(p.folder_id)[p.name]);
    }
    if (state && p.state_id) state->set_platform_stage(p.state_id, "registered", sha512, file.id);
    if (!p.replace_id.empty() && p.replace_id != file.id) client.delete_file(p.replace_id);
    for (const auto& tag : options.tags) {
        client.add_file_tag(file.id, tag);
        file.tags.push_back(tag);
    }
    if (file.sha512.empty()) file.sha512 = sha512;
    if (file.decrypted_size == 0) file.decrypted_size = p.stat.size;
    if (file.folder_id.empty()) file.folder_id = p.folder_id;
    PlatformUploadResult r;
    r.source = p.item.source;
    r.file = file;
    r.size = p.stat.size;
    r.sha512 = sha512;
    if (up) {
        r.resumed = up->resumed;
        r.parts = up->parts;
        r.parts_sent = up->parts_sent;
    }
    if (state && p.state_id) state->forget_platform_upload(p.state_id);
    report_done(p, r);
}

// Legacy mode: whole-file CBC into a temporary file beside nothing else, then a plain upload.
void PlatformUploader::Impl::upload_pre_encrypted(Pending& p, RefreshingBackend& backend) {
    std::string tmp = (fs::temp_directory_path() / ("ri-pre-encrypt-" + random_alnum(12))).string();
    struct Cleanup {
        std::string path;
        ~Cleanup() { remove_file(path); }
    } cleanup{tmp};
    crypto::SecureBuffer iv = crypto::random_secret(crypto::kAesBlockSize);
    {
        File in = File::open_read(p.item.source);
        File out = File::create(tmp, 0600);
        crypto::AesCbc aes(crypto::AesCbc::Direction::encrypt, p.key->span(), iv.span(), true);
        std::vector<std::byte> buf(4u << 20), enc(buf.size() + crypto::kAesBlockSize);
        uint64_t off = 0;
        for (;;) {
            size_t n = in.pread_full(buf, off);
            off += n;
            size_t m = aes.update({buf.data(), n}, enc.data());
            out.write_all({enc.data(), m});
            if (n < buf.size()) break;
            cancel::check();
        }
        size_t tail = 0;
        aes.finish(enc.data(), tail);
        out.write_all({enc.data(), tail});
        out.close();
    }
    UploadOptions uo;
    uo.concurrency = options.concurrency;
    uo.plan = options.plan;
    uo.if_exists = IfExists::overwrite;
    uo.metadata["iv"] = crypto::base64_encode(iv.span());
    Uploader up(backend, nullptr, progress, uo);
    std::exception_ptr err;
    UploadItem item{.source = tmp, .key = p.object_key, .progress_item = p.progress};
    up.run(
        {item}, [](const UploadResult&) {},
        [&](const UploadItem&, const std::exception&) { err = std::current_exception(); });
    if (err) std::rethrow_exception(err);
}

// Files that do not go through the engine's tap: uploaded completely by an earlier run (to be
// registered only), or --pre-encrypt.
void PlatformUploader::Impl::upload_outside_engine(Pending& p, RefreshingBackend& backend) {
    try {
        if (p.register_only) {
            progress.start(p.progress, "registering");
            progress.advance(p.progress, p.stat.size);
        } else {
            progress.start(p.progress, "uploading");
            upload_pre_encrypted(p, backend);
        }
        finish(p, backend, nullptr);
    } catch (const std::exception& e) {
        report_failed(p, e);
    }
}

void PlatformUploader::Impl::upload_through_engine(
    const std::vector<std::shared_ptr<Pending>>& pending, RefreshingBackend& backend) {
    std::map<std::string, std::shared_ptr<Pending>> by_key;
    std::vector<UploadItem> uploads;
    for (const auto& p : pending) {
        if (p->register_only || options.pre_encrypt) continue;
        p->tap = std::make_shared<HashTap>(p->item.source, p->stat.size, p->sha512_promise);
        uploads.push_back({.source = p->item.source,
                           .key = p->object_key,
                           .encryption_key = p->key,
                           .tap = p->tap,
                           .progress_item = p->progress});
        by_key[p->object_key] = p;
    }
    if (uploads.empty()) return;
    UploadOptions uo;
    uo.concurrency = options.concurrency;
    uo.plan = options.plan;
    uo.if_exists = IfExists::overwrite;  // the key is new (or ours, being resumed)
    Uploader uploader(backend, state, progress, uo);
    uploader.run(
        uploads,
        [&](const UploadResult& r) {
            auto& p = *by_key.at(r.key);
            try {
                if (state && p.state_id)
                    state->set_platform_stage(p.state_id, "registering", "", "");
                finish(p, backend, &r);
            } catch (const std::exception& e) {
                report_failed(p, e);
            }
        },
        [&](const UploadItem& u, const std::exception& e) {
            auto& p = *by_key.at(u.key);
            p.tap->stop();  // no hash for a failed upload; frees its buffers
            report_failed(p, e);
        });
}

void PlatformUploader::Impl::run(const std::vector<PlatformUploadItem>& items) {
    auto pool = std::make_shared<http::HttpClientPool>();
    auto backend = upload_backend(client, pool);
    std::vector<std::shared_ptr<Pending>> pending;
    for (const auto& item : items)
        if (auto p = announce(item, *backend)) pending.push_back(p);
    // SHA-512 runs beside the uploads on threads of its own: from the plaintext the encryptor
    // reads (HashTap) for the engine's uploads, else from a read of the file (at most a few
    // files at once), all queued at once.
    TaskPool hashers(std::clamp(options.concurrency / 4, 1, 4));
    for (auto& p : pending) {
        if (!p->register_only && !options.pre_encrypt) continue;
        hashers.push_back([promise = p->sha512_promise, source = p->item.source](int) {
            try {
                promise->set_value(hash_of(source));
            } catch (...) {
                promise->set_exception(std::current_exception());
            }
        });
    }
    for (auto& p : pending)
        if (p->register_only || options.pre_encrypt) upload_outside_engine(*p, *backend);
    upload_through_engine(pending, *backend);
    for (auto& p : pending)
        if (p->tap) p->tap->stop();
    hashers.wait();
}

PlatformUploader::PlatformUploader(platform::PlatformClient& client, TransferState* state,
                                   Progress& progress, PlatformUploadOptions options)
    : impl_(std::make_unique<Impl>(client, state, progress, std::move(options))) {}

PlatformUploader::~PlatformUploader() = default;

void PlatformUploader::run(const std::vector<PlatformUploadItem>& items, const DoneFn& on_done,
                           const ErrorFn& on_error) {
    impl_->on_done = &on_done;
    impl_->on_error = &on_error;
    impl_->run(items);
}

namespace {

struct FolderMaker {
    platform::PlatformClient& client;
    std::map<std::string, std::string> made;  // parent id + "/" + name -> id

    std::string child(const std::string& parent, const std::string& name) {
        std::string k = parent + "/" + name;
        if (auto it = made.find(k); it != made.end()) return it->second;
        // The platform allows two folders of one name: reuse the one that is there.
        auto find = [&] {
            std::string found;
            client.folder_contents(parent, [&](const platform::FolderItem& item) {
                if (item.type == platform::FolderItem::Type::folder && item.folder.name == name)
                    found = item.folder.id;
                return found.empty();
            });
            return found;
        };
        std::string id = find();
        if (id.empty()) {
            try {
                id = client.create_folder(parent, name).id;
            } catch (const platform::ConflictError&) {
                id = find();
                if (id.empty()) throw;
            }
        }
        return made[k] = id;
    }
};

}  // namespace

std::vector<PlatformUploadItem> platform_upload_items(platform::PlatformClient& client,
                                                      const std::vector<std::string>& sources,
                                                      const std::string& folder_id, bool recursive,
                                                      const PathFilter& filter) {
    std::vector<PlatformUploadItem> items;
    FolderMaker folders{client, {}};
    std::string root = folder_id;
    for (const auto& source : sources) {
        std::error_code ec;
        auto st = fs::status(source, ec);
        if (ec || !fs::exists(st))
            throw Error::missing_input(fmt::format("'{}' does not exist.", source));
        if (!fs::is_directory(st)) {
            items.push_back({source, "", folder_id});
            continue;
        }
        if (!recursive)
            throw Error::usage(fmt::format(
                "'{}' is a directory: give --recursive to upload it as a library folder.", source));
        if (root.empty()) root = client.my_folders().my_library;
        fs::path dir = fs::path(source).lexically_normal();
        std::string top = dir.filename().empty() ? dir.parent_path().filename().string()
                                                 : dir.filename().string();
        std::vector<std::pair<std::string, std::string>> files;  // rel, path
        for (auto it = fs::recursive_directory_iterator(dir, ec);
             !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
            if (!it->is_regular_file(ec)) continue;
            std::string rel = fs::relative(it->path(), dir).generic_string();
            if (!filter.keeps_file(rel)) continue;
            files.emplace_back(rel, it->path().string());
        }
        if (ec) throw file_error(FileRole::input, source, ec.value(), "listing");
        std::sort(files.begin(), files.end());
        std::string top_id = folders.child(root, top);
        for (const auto& [rel, path] : files) {
            std::string parent = top_id;
            fs::path r(rel);
            for (auto part = r.begin(); part != r.end(); ++part) {
                if (std::next(part) == r.end()) break;
                parent = folders.child(parent, part->string());
            }
            items.push_back({path, r.filename().string(), parent});
        }
    }
    return items;
}

std::vector<platform::CloudFile> upload_files_to_platform(platform::PlatformClient& client,
                                                          const std::vector<std::string>& paths,
                                                          const PlatformUploadOptions& options,
                                                          Progress* progress) {
    Progress quiet;
    Progress& prog = progress ? *progress : quiet;
    std::optional<StateStore> store;
    std::unique_ptr<TransferState> state;
    try {
        store.emplace(open_state_store());
        state = std::make_unique<TransferState>(*store);
    } catch (const Error& e) {
        log::warn("resume state unavailable ({}); uploads cannot be resumed", e.message());
    }
    std::vector<PlatformUploadItem> items;
    for (const auto& p : paths)
        items.push_back({p, "", ""});
    std::map<std::string, platform::CloudFile> done;
    std::exception_ptr first_error;
    PlatformUploader uploader(client, state.get(), prog, options);
    uploader.run(
        items, [&](const PlatformUploadResult& r) { done[r.source] = r.file; },
        [&](const PlatformUploadItem&, const std::exception&) {
            if (!first_error) first_error = std::current_exception();
        });
    if (first_error) std::rethrow_exception(first_error);
    std::vector<platform::CloudFile> out;
    for (const auto& p : paths)
        out.push_back(done.at(p));
    return out;
}

}  // namespace ri::transfer
