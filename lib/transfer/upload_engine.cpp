#include "transfer/upload_engine.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <map>
#include <mutex>

#include "core/cancel.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/posix_file.hpp"
#include "core/redact.hpp"
#include "crypto/aes_cbc.hpp"
#include "crypto/encoding.hpp"
#include "crypto/key_material.hpp"
#include "storage/storage_error.hpp"
#include "transfer/object_checksum.hpp"
#include "transfer/task_pool.hpp"

namespace ri::transfer {

using crypto::kAesBlockSize;

FileStat stat_source(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw file_error(FileRole::input, path, errno, "reading");
    if (!S_ISREG(st.st_mode))
        throw Error::missing_input(fmt::format("'{}' is not a regular file.", path));
    return {static_cast<uint64_t>(st.st_size),
            static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

namespace {

// The state of one file being uploaded as a multipart upload.
struct FileJob {
    UploadItem item;
    FileStat stat;
    PartPlan plan;
    std::string key;
    std::string url;
    std::string upload_id;
    int64_t state_id = 0;
    storage::Metadata metadata;
    PosixFile file;
    bool resumed = false;

    std::mutex mutex;
    std::map<int, storage::PartInfo> done;
    int remaining = 0;
    int sent = 0;
    bool failed = false;

    // Encryption: parts are encrypted in order; `order` lists the parts this run encrypts.
    std::shared_ptr<const crypto::SecureBuffer> key_material;
    crypto::SecureBuffer iv{kAesBlockSize};
    std::map<int, std::string> chain_ivs;  // part -> last ciphertext block (base64), from state
    std::vector<int> order;
    size_t next_in_order = 0;
    std::unique_ptr<crypto::AesCbc> aes;
    int last_encrypted = 0;
    std::condition_variable encrypt_cv;
    bool tapping = false;  // the item's tap takes the plaintext (see encrypt_part)

    bool encrypting() const { return key_material != nullptr; }
};

}  // namespace

struct Uploader::Impl {
    storage::Backend& backend;
    TransferState* state;
    Progress& progress;
    UploadOptions options;
    std::vector<crypto::SecureBuffer> buffers;  // one per worker, grown as needed
    std::mutex callback_mutex;
    const DoneFn* on_done = nullptr;
    const ErrorFn* on_error = nullptr;
    TaskPool* pool = nullptr;

    Impl(storage::Backend& b, TransferState* s, Progress& p, UploadOptions o)
        : backend(b), state(s), progress(p), options(std::move(o)) {}

    std::shared_ptr<const crypto::SecureBuffer> key_for(const UploadItem& item) const {
        return item.encryption_key ? item.encryption_key : options.encryption_key;
    }

    UploadResult result(const std::string& source, const std::string& key, uint64_t size,
                        bool encrypted) const {
        UploadResult r;
        r.source = source;
        r.key = key;
        r.url = backend.url_of(key);
        r.size = size;
        r.encrypted = encrypted;
        return r;
    }

    crypto::SecureBuffer& buffer(int worker, uint64_t size) {
        auto& b = buffers[static_cast<size_t>(worker)];
        if (b.size() < size) b = crypto::SecureBuffer(static_cast<size_t>(size));
        return b;
    }

    void done(const UploadResult& r) {
        std::lock_guard lock(callback_mutex);
        (*on_done)(r);
    }

    void failed(const UploadItem& item, const std::exception& e) {
        std::lock_guard lock(callback_mutex);
        (*on_error)(item, e);
    }

    bool exists(const std::string& key) {
        if (options.existing_keys) return options.existing_keys->count(key) > 0;
        return backend.head(key).has_value();
    }

    storage::Metadata object_metadata(const PartPlan& plan, const crypto::SecureBuffer& iv,
                                      bool encrypted) const {
        storage::Metadata md = options.metadata;
        if (encrypted) {
            md["iv"] = crypto::base64_encode(iv.span());
            md["streamingformat"] = "cbc";
            md["partsize"] = std::to_string(plan.part_size);
        }
        return md;
    }

    void start_file(const UploadItem& item, int worker) {
        try {
            start_file_or_throw(item, worker);
        } catch (const std::exception& e) {
            if (is_interrupt(e)) throw;
            progress.end_item(false, item.source);
            failed(item, e);
        }
    }

    void start_file_or_throw(const UploadItem& item, int worker) {
        FileStat st = stat_source(item.source);
        std::string key = item.key;
        if (options.if_exists != IfExists::overwrite && exists(key)) {
            if (options.if_exists == IfExists::skip) {
                UploadResult r = result(item.source, key, st.size, key_for(item) != nullptr);
                r.skipped = true;
                if (auto info = backend.head(key)) r.etag = info->etag;
                done(r);
                return;
            }
            key = first_free_name(key, [&](const std::string& k) { return exists(k); });
        }
        PlanOptions plan_options = options.plan;
        plan_options.encrypted = key_for(item) != nullptr;
        PartPlan plan = plan_upload(st.size, backend.limits(), plan_options);
        progress.begin_item("uploading", item.source, st.size);
        if (!plan.multipart) {
            if (item.tap) item.tap->not_in_order();
            put_whole(item, key, st, plan, worker);
            return;
        }
        auto job = std::make_shared<FileJob>();
        job->item = item;
        job->stat = st;
        job->plan = plan;
        job->key = key;
        job->url = backend.url_of(key);
        job->file = PosixFile::open_read(item.source);
        job->key_material = key_for(item);
        prepare_multipart(*job);
        std::vector<int> missing;
        for (int k = 1; k <= plan.parts; ++k) {
            if (!job->done.count(k)) missing.push_back(k);
        }
        job->remaining = static_cast<int>(missing.size());
        job->order = missing;
        // The tap sees the file from its first byte in order, or not at all.
        if (item.tap && (missing.empty() || missing.front() != 1 || job->resumed))
            item.tap->not_in_order();
        job->tapping = item.tap && !job->resumed && !missing.empty() && missing.front() == 1;
        if (missing.empty()) {
            complete(*job);
            return;
        }
        // Parts go to the front, first part first, so started files finish before new ones open.
        for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
            int k = *it;
            pool->push_front([this, job, k](int w) { upload_part(job, k, w); });
        }
    }

    void put_whole(const UploadItem& item, const std::string& key, const FileStat& st,
                   const PartPlan& plan, int worker) {
        PosixFile file = PosixFile::open_read(item.source);
        auto& buf = buffer(worker, plan.size + kAesBlockSize);
        size_t n = file.pread_full({buf.data(), static_cast<size_t>(st.size)}, 0);
        if (n != st.size)
            throw Error::io(fmt::format("The source file '{}' changed while it was being uploaded.",
                                        item.source));
        size_t body = n;
        crypto::SecureBuffer iv(kAesBlockSize);
        auto file_key = key_for(item);
        const bool encrypting = file_key != nullptr;
        if (encrypting) {
            iv = crypto::random_secret(kAesBlockSize);
            crypto::AesCbc aes(crypto::AesCbc::Direction::encrypt, file_key->span(), iv.span(),
                               true);
            body = aes.update({buf.data(), n}, buf.data());
            size_t tail = 0;
            aes.finish(buf.data() + body, tail);
            body += tail;
        }
        storage::ObjectInfo info =
            backend.put(key, {buf.data(), body}, object_metadata(plan, iv, encrypting));
        // S3 answers a single PUT with the MD5 of what it stored: check it against what we sent.
        if (auto expected = usable_md5(info)) {
            Md5 md5;
            md5.update({buf.data(), body});
            if (!matches(*expected, md5)) {
                throw Error::bad_data(fmt::format("{} was stored with a different checksum than "
                                                  "the data sent; upload it again.",
                                                  backend.url_of(key)),
                                      fmt::format("etag {} vs md5 {}", info.etag, md5.hex()));
            }
        }
        progress.advance(st.size);
        progress.end_item(true, item.source);
        UploadResult r = result(item.source, key, st.size, encrypting);
        r.etag = info.etag;
        if (encrypting) r.iv_b64 = crypto::base64_encode(iv.span());
        r.parts = 1;
        r.parts_sent = 1;
        done(r);
    }

    // Resume from the state database when the file and the server agree; else start fresh.
    void prepare_multipart(FileJob& job) {
        std::string key_b64 =
            job.encrypting() ? crypto::base64_encode(job.key_material->span()) : "";
        if (state) {
            if (auto rec = state->find_upload(job.item.source, job.url)) {
                bool same = rec->size == job.stat.size && rec->mtime_ns == job.stat.mtime_ns &&
                            rec->part_size == job.plan.part_size && rec->parts == job.plan.parts &&
                            rec->encrypted == job.encrypting() && rec->key_b64 == key_b64;
                if (same && try_resume(job, *rec)) return;
                // Stale: the file or the settings changed. The old upload's parts are useless.
                try {
                    backend.abort_multipart(job.key, rec->upload_id);
                } catch (const std::exception& e) {
                    log::info("could not abort stale upload of {}: {}", job.url, e.what());
                }
                state->forget_upload(rec->id);
            }
        }
        if (job.encrypting()) job.iv = crypto::random_secret(kAesBlockSize);
        job.metadata = object_metadata(job.plan, job.iv, job.encrypting());
        job.upload_id = backend.create_multipart(job.key, job.metadata);
        if (state) {
            UploadRecord rec{0,
                             job.item.source,
                             job.stat.size,
                             job.stat.mtime_ns,
                             job.url,
                             job.upload_id,
                             job.plan.part_size,
                             job.plan.parts,
                             job.encrypting(),
                             key_b64,
                             job.encrypting() ? crypto::base64_encode(job.iv.span()) : ""};
            job.state_id = state->insert_upload(rec);
        }
    }

    bool try_resume(FileJob& job, const UploadRecord& rec) {
        std::vector<storage::PartInfo> server;
        try {
            server = backend.list_parts(job.key, rec.upload_id);
        } catch (const storage::StorageError& e) {
            if (e.http_status() == 404) return false;  // NoSuchUpload: aborted or expired
            throw;
        }
        std::map<int, storage::PartInfo> on_server;
        for (const auto& p : server)
            on_server[p.number] = p;
        auto recorded = state->done_parts(rec.id);
        job.upload_id = rec.upload_id;
        job.state_id = rec.id;
        if (job.encrypting()) {
            auto iv = crypto::base64_decode(rec.iv_b64);
            if (!iv || iv->size() != kAesBlockSize) return false;
            std::copy(iv->begin(), iv->end(), job.iv.data());
        }
        job.metadata = object_metadata(job.plan, job.iv, job.encrypting());
        for (const auto& [number, part] : recorded) {
            auto it = on_server.find(number);
            // A part counts only if the server has it with the size (and tag) the state recorded.
            if (it == on_server.end() || it->second.size != part.size ||
                (!it->second.etag.empty() && !part.etag.empty() && it->second.etag != part.etag)) {
                continue;
            }
            job.done[number] = {number, part.size, part.etag};
            if (!part.chain_iv_b64.empty()) job.chain_ivs[number] = part.chain_iv_b64;
        }
        job.resumed = true;
        uint64_t already = 0;
        for (const auto& [n, p] : job.done)
            already += std::min(job.plan.length(n), p.size);
        if (job.encrypting()) already = std::min(already, job.stat.size);
        progress.advance(already);
        log::info("resuming upload of {} to {}: {} of {} parts already on the server",
                  job.item.source, job.url, job.done.size(), job.plan.parts);
        return true;
    }

    void upload_part(const std::shared_ptr<FileJob>& job, int k, int worker) {
        try {
            {
                std::lock_guard lock(job->mutex);
                if (job->failed) return;
            }
            upload_part_or_throw(*job, k, worker);
        } catch (const std::exception& e) {
            bool first = false;
            {
                std::lock_guard lock(job->mutex);
                first = !job->failed;
                job->failed = true;
            }
            job->encrypt_cv.notify_all();
            if (is_interrupt(e)) throw;
            if (first) {
                progress.end_item(false, job->item.source);
                failed(job->item, e);
            }
        }
    }

    void upload_part_or_throw(FileJob& job, int k, int worker) {
        const PartPlan& plan = job.plan;
        uint64_t wire_len = plan.length(k);
        auto& buf = buffer(worker, plan.part_size + kAesBlockSize);
        uint64_t plain_off = plan.offset(k);
        uint64_t plain_len =
            job.encrypting()
                ? (plain_off >= job.stat.size ? 0
                                              : std::min(plan.part_size, job.stat.size - plain_off))
                : wire_len;
        std::string chain_b64;
        if (!job.encrypting()) {
            if (job.file.pread_full({buf.data(), static_cast<size_t>(plain_len)}, plain_off) !=
                plain_len) {
                throw Error::io(fmt::format(
                    "The source file '{}' changed while it was being uploaded.", job.item.source));
            }
        } else {
            encrypt_part(job, k, buf, plain_off, plain_len, wire_len, chain_b64);
        }
        cancel::check();
        std::string etag = backend.upload_part(job.key, job.upload_id, k,
                                               {buf.data(), static_cast<size_t>(wire_len)});
        if (state) state->record_part(job.state_id, k, {wire_len, etag, chain_b64});
        progress.advance(plain_len);
        bool last = false;
        {
            std::lock_guard lock(job.mutex);
            job.done[k] = {k, wire_len, etag};
            ++job.sent;
            last = --job.remaining == 0 && !job.failed;
        }
        if (last) complete(job);
    }

    // Encrypts part k into buf, in file order: waits for its turn, continues the CBC chain
    // (or restarts it from the chained IV the state recorded for part k-1).
    void encrypt_part(FileJob& job, int k, crypto::SecureBuffer& buf, uint64_t plain_off,
                      uint64_t plain_len, uint64_t wire_len, std::string& chain_b64) {
        std::unique_lock lock(job.mutex);
        job.encrypt_cv.wait(lock, [&] { return job.failed || job.order[job.next_in_order] == k; });
        if (job.failed) throw Error::internal("upload of this file already failed");
        if (!job.aes || job.last_encrypted != k - 1) {
            crypto::SecureBuffer iv(kAesBlockSize);
            if (k == 1) {
                std::copy_n(job.iv.data(), kAesBlockSize, iv.data());
            } else {
                auto it = job.chain_ivs.find(k - 1);
                auto decoded =
                    it == job.chain_ivs.end() ? std::nullopt : crypto::base64_decode(it->second);
                if (!decoded || decoded->size() != kAesBlockSize) {
                    throw Error::internal(
                        fmt::format("resume state lacks the chained IV of part {}", k - 1));
                }
                std::copy(decoded->begin(), decoded->end(), iv.data());
            }
            job.aes = std::make_unique<crypto::AesCbc>(crypto::AesCbc::Direction::encrypt,
                                                       job.key_material->span(), iv.span(), true);
        }
        auto changed = [&] {
            return Error::io(fmt::format(
                "The source file '{}' changed while it was being uploaded.", job.item.source));
        };
        size_t n = 0;
        bool tapped = false;
        if (job.tapping) {
            // The plaintext goes in pieces into buffers the tap lends (it hashes them on its
            // thread), and is encrypted from there into buf.
            for (uint64_t done = 0; done < plain_len;) {
                size_t piece = static_cast<size_t>(std::min<uint64_t>(kTapPiece, plain_len - done));
                std::span<std::byte> plain = job.item.tap->borrow(piece);
                if (plain.empty()) {  // the tap reads the file itself (before any piece)
                    job.tapping = false;
                    break;
                }
                if (job.file.pread_full(plain, plain_off + done) != piece) throw changed();
                job.item.tap->give(piece);
                n += job.aes->update(plain, buf.data() + n);
                done += piece;
                tapped = true;
            }
        }
        if (!tapped) {
            if (job.file.pread_full({buf.data(), static_cast<size_t>(plain_len)}, plain_off) !=
                plain_len)
                throw changed();
            n = job.aes->update({buf.data(), static_cast<size_t>(plain_len)}, buf.data());
        }
        if (k == job.plan.parts) {
            size_t tail = 0;
            job.aes->finish(buf.data() + n, tail);
            n += tail;
        }
        if (n != wire_len)
            throw Error::internal(
                fmt::format("part {} encrypted to {} bytes, planned {}", k, n, wire_len));
        chain_b64 = crypto::base64_encode({buf.data() + n - kAesBlockSize, kAesBlockSize});
        job.chain_ivs[k] = chain_b64;
        job.last_encrypted = k;
        ++job.next_in_order;
        if (job.next_in_order >= job.order.size()) job.aes.reset();
        lock.unlock();
        job.encrypt_cv.notify_all();
    }

    void complete(FileJob& job) {
        std::vector<storage::PartInfo> parts;
        for (const auto& [n, p] : job.done)
            parts.push_back(p);
        storage::ObjectInfo info =
            backend.complete_multipart(job.key, job.upload_id, parts, job.metadata);
        if (state && job.state_id) state->forget_upload(job.state_id);
        progress.end_item(true, job.item.source);
        UploadResult r = result(job.item.source, job.key, job.stat.size, job.encrypting());
        r.etag = info.etag;
        if (job.encrypting()) r.iv_b64 = crypto::base64_encode(job.iv.span());
        r.parts = job.plan.parts;
        r.parts_sent = job.sent;
        r.resumed = job.resumed;
        done(r);
    }
};

Uploader::Uploader(storage::Backend& backend, TransferState* state, Progress& progress,
                   UploadOptions options)
    : impl_(std::make_unique<Impl>(backend, state, progress, std::move(options))) {}

Uploader::~Uploader() = default;

void Uploader::run(const std::vector<UploadItem>& items, const DoneFn& on_done,
                   const ErrorFn& on_error) {
    impl_->on_done = &on_done;
    impl_->on_error = &on_error;
    int workers = std::max(1, impl_->options.concurrency);
    impl_->buffers.clear();
    impl_->buffers.resize(static_cast<size_t>(workers));
    TaskPool pool(workers);
    impl_->pool = &pool;
    for (const auto& item : items) {
        pool.push_back([this, item](int w) { impl_->start_file(item, w); });
    }
    pool.wait();
    impl_->pool = nullptr;
}

std::vector<storage::UploadInfo> abort_orphaned_uploads(storage::Backend& backend,
                                                        TransferState* state,
                                                        const std::string& prefix,
                                                        int older_than_hours) {
    std::set<std::string> known;
    if (state) {
        for (const auto& rec : state->uploads_to(backend.url_of("")))
            known.insert(rec.upload_id);
    }
    auto now = std::chrono::system_clock::now();
    std::vector<storage::UploadInfo> aborted;
    for (const auto& u : backend.list_multipart_uploads(prefix)) {
        if (known.count(u.upload_id)) continue;
        std::tm tm{};
        if (!strptime(u.initiated.c_str(), "%Y-%m-%dT%H:%M:%S", &tm))
            continue;  // unknown age: keep it
        auto started = std::chrono::system_clock::from_time_t(timegm(&tm));
        if (now - started < std::chrono::hours(older_than_hours)) continue;
        backend.abort_multipart(u.key, u.upload_id);
        aborted.push_back(u);
    }
    return aborted;
}

}  // namespace ri::transfer
