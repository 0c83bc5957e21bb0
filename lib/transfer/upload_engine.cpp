#include "transfer/upload_engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include "core/cancel.hpp"
#include "core/error.hpp"
#include "core/file.hpp"
#include "core/log.hpp"
#include "core/time_text.hpp"
#include "crypto/aes_cbc.hpp"
#include "crypto/encoding.hpp"
#include "crypto/key_material.hpp"
#include "storage/storage_error.hpp"
#include "transfer/batch_runner.hpp"
#include "transfer/object_checksum.hpp"

namespace ri::transfer {

using crypto::kAesBlockSize;

SourceStat stat_source(const std::string& path) {
    FileStatus st = file_status(path);
    if (!st.exists) throw Error::missing_input(fmt::format("'{}' does not exist.", path));
    if (!st.regular) throw Error::missing_input(fmt::format("'{}' is not a regular file.", path));
    return {st.size, st.mtime_ns};
}

namespace {

// One file on its way up as a multipart upload.
struct FileUpload {
    UploadItem item;
    Progress::ItemId progress = 0;
    SourceStat stat;
    PartPlan plan;
    std::string key;
    std::string url;
    std::string upload_id;
    int64_t state_id = 0;
    storage::Metadata metadata;
    File file;
    bool resumed = false;
    FailureFlag failure;

    std::mutex mutex;
    std::map<int, storage::PartInfo> done;
    int remaining = 0;
    int sent = 0;

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

    Error changed() const {
        return Error::io(
            fmt::format("The source file '{}' changed while it was being uploaded.", item.source));
    }
};

// The plaintext bytes of part k (an encrypted file's last part also carries the padding).
uint64_t plain_length(const FileUpload& up, int k) {
    if (!up.encrypting()) return up.plan.length(k);
    uint64_t off = up.plan.offset(k);
    return off >= up.stat.size ? 0 : std::min(up.plan.part_size, up.stat.size - off);
}

}  // namespace

struct Uploader::Impl {
    using Runner = BatchRunner<UploadItem, UploadResult>;

    storage::Backend& backend;
    TransferState* state;
    Progress& progress;
    UploadOptions options;
    std::vector<crypto::SecureBuffer> buffers;  // one per worker, grown as needed
    Runner* runner = nullptr;
    // Progress items this engine announced, and so ends; a caller's own (platform uploads,
    // which register after the upload) are only started and advanced here.
    std::set<Progress::ItemId> owned;

    Progress::ItemId ender(Progress::ItemId id) const { return owned.count(id) ? id : 0; }

    Impl(storage::Backend& b, TransferState* s, Progress& p, UploadOptions o)
        : backend(b), state(s), progress(p), options(std::move(o)) {}

    std::shared_ptr<const crypto::SecureBuffer> key_for(const UploadItem& item) const {
        return item.encryption_key ? item.encryption_key : options.encryption_key;
    }
    UploadResult result(const std::string& source, const std::string& key, uint64_t size,
                        bool encrypted) const;
    crypto::SecureBuffer& buffer(int worker, uint64_t size);
    bool exists(const std::string& key);
    storage::Metadata object_metadata(const PartPlan& plan, const crypto::SecureBuffer& iv,
                                      bool encrypted) const;

    void start_file(const UploadItem& item, Progress::ItemId id, int worker);
    void skip_existing(const UploadItem& item, Progress::ItemId id, const std::string& key,
                       const SourceStat& st);
    void put_whole(const UploadItem& item, Progress::ItemId id, const std::string& key,
                   const SourceStat& st, const PartPlan& plan, int worker);
    void start_multipart(const UploadItem& item, Progress::ItemId id, const std::string& key,
                         const SourceStat& st, const PartPlan& plan);
    void prepare_multipart(FileUpload& up);
    bool try_resume(FileUpload& up, const UploadRecord& rec);
    void upload_part(const std::shared_ptr<FileUpload>& up, int k, int worker);
    void send_part(FileUpload& up, int k, int worker);
    void encrypt_part(FileUpload& up, int k, crypto::SecureBuffer& buf, std::string& chain_b64);
    void start_cipher(FileUpload& up, int k);
    size_t encrypt_from_tap(FileUpload& up, uint64_t plain_off, uint64_t plain_len,
                            crypto::SecureBuffer& buf, bool& tapped);
    void complete(FileUpload& up);
};

UploadResult Uploader::Impl::result(const std::string& source, const std::string& key,
                                    uint64_t size, bool encrypted) const {
    UploadResult r;
    r.source = source;
    r.key = key;
    r.url = backend.url_of(key);
    r.size = size;
    r.encrypted = encrypted;
    return r;
}

crypto::SecureBuffer& Uploader::Impl::buffer(int worker, uint64_t size) {
    auto& b = buffers[static_cast<size_t>(worker)];
    if (b.size() < size) b = crypto::SecureBuffer(static_cast<size_t>(size));
    return b;
}

bool Uploader::Impl::exists(const std::string& key) {
    if (options.existing_keys) return options.existing_keys->count(key) > 0;
    return backend.head(key).has_value();
}

storage::Metadata Uploader::Impl::object_metadata(const PartPlan& plan,
                                                  const crypto::SecureBuffer& iv,
                                                  bool encrypted) const {
    storage::Metadata md = options.metadata;
    if (encrypted) {
        md["iv"] = crypto::base64_encode(iv.span());
        md["streamingformat"] = "cbc";
        md["partsize"] = std::to_string(plan.part_size);
    }
    return md;
}

void Uploader::Impl::start_file(const UploadItem& item, Progress::ItemId id, int worker) {
    SourceStat st = stat_source(item.source);
    progress.resize(id, st.size);
    std::string key = item.key;
    if (options.if_exists != IfExists::overwrite && exists(key)) {
        if (options.if_exists == IfExists::skip) return skip_existing(item, id, key, st);
        key = first_free_name(key, [&](const std::string& k) { return exists(k); });
    }
    PlanOptions plan_options = options.plan;
    plan_options.encrypted = key_for(item) != nullptr;
    PartPlan plan = plan_upload(st.size, backend.limits(), plan_options);
    progress.start(id, "uploading");
    if (!plan.multipart) {
        if (item.tap) item.tap->not_in_order();
        return put_whole(item, id, key, st, plan, worker);
    }
    start_multipart(item, id, key, st, plan);
}

void Uploader::Impl::skip_existing(const UploadItem& item, Progress::ItemId id,
                                   const std::string& key, const SourceStat& st) {
    UploadResult r = result(item.source, key, st.size, key_for(item) != nullptr);
    r.skipped = true;
    if (auto info = backend.head(key)) r.etag = info->etag;
    progress.skip(ender(id), "exists");
    runner->done(r);
}

void Uploader::Impl::put_whole(const UploadItem& item, Progress::ItemId id, const std::string& key,
                               const SourceStat& st, const PartPlan& plan, int worker) {
    File file = File::open_read(item.source);
    auto& buf = buffer(worker, plan.size + kAesBlockSize);
    size_t n = file.pread_full({buf.data(), static_cast<size_t>(st.size)}, 0);
    if (n != st.size)
        throw Error::io(
            fmt::format("The source file '{}' changed while it was being uploaded.", item.source));
    size_t body = n;
    crypto::SecureBuffer iv(kAesBlockSize);
    auto file_key = key_for(item);
    const bool encrypting = file_key != nullptr;
    if (encrypting) {
        iv = crypto::random_secret(kAesBlockSize);
        crypto::AesCbc aes(crypto::AesCbc::Direction::encrypt, file_key->span(), iv.span(), true);
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
    progress.advance(id, st.size);
    progress.finish(ender(id));
    UploadResult r = result(item.source, key, st.size, encrypting);
    r.etag = info.etag;
    if (encrypting) r.iv_b64 = crypto::base64_encode(iv.span());
    r.parts = 1;
    r.parts_sent = 1;
    runner->done(r);
}

void Uploader::Impl::start_multipart(const UploadItem& item, Progress::ItemId id,
                                     const std::string& key, const SourceStat& st,
                                     const PartPlan& plan) {
    auto up = std::make_shared<FileUpload>();
    up->item = item;
    up->progress = id;
    up->stat = st;
    up->plan = plan;
    up->key = key;
    up->url = backend.url_of(key);
    up->file = File::open_read(item.source);
    up->key_material = key_for(item);
    prepare_multipart(*up);
    std::vector<int> missing;
    for (int k = 1; k <= plan.parts; ++k)
        if (!up->done.count(k)) missing.push_back(k);
    up->remaining = static_cast<int>(missing.size());
    up->order = missing;
    // The tap sees the file from its first byte in order, or not at all.
    if (item.tap && (missing.empty() || missing.front() != 1 || up->resumed))
        item.tap->not_in_order();
    up->tapping = item.tap && !up->resumed && !missing.empty() && missing.front() == 1;
    if (missing.empty()) return complete(*up);
    // Parts go to the front, first part first, so started files finish before new ones open.
    for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
        int k = *it;
        runner->pool().push_front([this, up, k](int w) { upload_part(up, k, w); });
    }
}

// Resume from the state database when the file and the server agree; else start fresh.
void Uploader::Impl::prepare_multipart(FileUpload& up) {
    std::string key_b64 = up.encrypting() ? crypto::base64_encode(up.key_material->span()) : "";
    if (state) {
        if (auto rec = state->find_upload(up.item.source, up.url)) {
            bool same = rec->size == up.stat.size && rec->mtime_ns == up.stat.mtime_ns &&
                        rec->part_size == up.plan.part_size && rec->parts == up.plan.parts &&
                        rec->encrypted == up.encrypting() && rec->key_b64 == key_b64;
            if (same && try_resume(up, *rec)) return;
            // Stale: the file or the settings changed. The old upload's parts are useless.
            try {
                backend.abort_multipart(up.key, rec->upload_id);
            } catch (const std::exception& e) {
                log::info("could not abort stale upload of {}: {}", up.url, e.what());
            }
            state->forget_upload(rec->id);
        }
    }
    if (up.encrypting()) up.iv = crypto::random_secret(kAesBlockSize);
    up.metadata = object_metadata(up.plan, up.iv, up.encrypting());
    up.upload_id = backend.create_multipart(up.key, up.metadata);
    if (!state) return;
    up.state_id = state->insert_upload({
        .source = up.item.source,
        .size = up.stat.size,
        .mtime_ns = up.stat.mtime_ns,
        .dest = up.url,
        .upload_id = up.upload_id,
        .part_size = up.plan.part_size,
        .parts = up.plan.parts,
        .encrypted = up.encrypting(),
        .key_b64 = key_b64,
        .iv_b64 = up.encrypting() ? crypto::base64_encode(up.iv.span()) : "",
    });
}

bool Uploader::Impl::try_resume(FileUpload& up, const UploadRecord& rec) {
    std::vector<storage::PartInfo> server;
    try {
        server = backend.list_parts(up.key, rec.upload_id);
    } catch (const storage::StorageError& e) {
        if (e.http_status() == 404) return false;  // NoSuchUpload: aborted or expired
        throw;
    }
    std::map<int, storage::PartInfo> on_server;
    for (const auto& p : server)
        on_server[p.number] = p;
    auto recorded = state->done_parts(rec.id);
    up.upload_id = rec.upload_id;
    up.state_id = rec.id;
    if (up.encrypting()) {
        auto iv = crypto::base64_decode(rec.iv_b64);
        if (!iv || iv->size() != kAesBlockSize) return false;
        std::copy(iv->begin(), iv->end(), up.iv.data());
    }
    up.metadata = object_metadata(up.plan, up.iv, up.encrypting());
    for (const auto& [number, part] : recorded) {
        auto it = on_server.find(number);
        // A part counts only if the server has it with the size (and tag) the state recorded.
        if (it == on_server.end() || it->second.size != part.size ||
            (!it->second.etag.empty() && !part.etag.empty() && it->second.etag != part.etag)) {
            continue;
        }
        up.done[number] = {number, part.size, part.etag};
        if (!part.chain_iv_b64.empty()) up.chain_ivs[number] = part.chain_iv_b64;
    }
    up.resumed = true;
    uint64_t already = 0;
    for (const auto& [n, p] : up.done)
        already += std::min(up.plan.length(n), p.size);
    if (up.encrypting()) already = std::min(already, up.stat.size);
    progress.advance(up.progress, already);
    log::info("resuming upload of {} to {}: {} of {} parts already on the server", up.item.source,
              up.url, up.done.size(), up.plan.parts);
    return true;
}

void Uploader::Impl::upload_part(const std::shared_ptr<FileUpload>& up, int k, int worker) {
    if (up->failure.raised()) return;
    try {
        send_part(*up, k, worker);
    } catch (const std::exception& e) {
        bool first = up->failure.raise();
        up->encrypt_cv.notify_all();
        if (is_interrupt(e)) throw;
        if (first) runner->failed(up->item, ender(up->progress), e);
    }
}

void Uploader::Impl::send_part(FileUpload& up, int k, int worker) {
    const uint64_t wire_len = up.plan.length(k);
    auto& buf = buffer(worker, up.plan.part_size + kAesBlockSize);
    const uint64_t plain_len = plain_length(up, k);
    std::string chain_b64;
    if (!up.encrypting()) {
        if (up.file.pread_full({buf.data(), static_cast<size_t>(plain_len)}, up.plan.offset(k)) !=
            plain_len)
            throw up.changed();
    } else {
        encrypt_part(up, k, buf, chain_b64);
    }
    cancel::check();
    std::string etag =
        backend.upload_part(up.key, up.upload_id, k, {buf.data(), static_cast<size_t>(wire_len)});
    if (state) state->record_part(up.state_id, k, {wire_len, etag, chain_b64});
    progress.advance(up.progress, plain_len);
    bool last = false;
    {
        std::lock_guard lock(up.mutex);
        up.done[k] = {k, wire_len, etag};
        ++up.sent;
        last = --up.remaining == 0 && !up.failure.raised();
    }
    if (last) complete(up);
}

// The cipher for part k: the running one when k follows the last part encrypted, else one that
// restarts the chain from the file's IV (k = 1) or the chained IV the state recorded for k-1.
void Uploader::Impl::start_cipher(FileUpload& up, int k) {
    if (up.aes && up.last_encrypted == k - 1) return;
    crypto::SecureBuffer iv(kAesBlockSize);
    if (k == 1) {
        std::copy_n(up.iv.data(), kAesBlockSize, iv.data());
    } else {
        auto it = up.chain_ivs.find(k - 1);
        auto decoded = it == up.chain_ivs.end() ? std::nullopt : crypto::base64_decode(it->second);
        if (!decoded || decoded->size() != kAesBlockSize)
            throw Error::internal(
                fmt::format("resume state lacks the chained IV of part {}", k - 1));
        std::copy(decoded->begin(), decoded->end(), iv.data());
    }
    up.aes = std::make_unique<crypto::AesCbc>(crypto::AesCbc::Direction::encrypt,
                                              up.key_material->span(), iv.span(), true);
}

// The plaintext goes in pieces into buffers the tap lends (it hashes them on its thread) and is
// encrypted from there into buf. Returns the ciphertext bytes; tapped says whether it happened
// (a tap that reads the file itself lends nothing).
size_t Uploader::Impl::encrypt_from_tap(FileUpload& up, uint64_t plain_off, uint64_t plain_len,
                                        crypto::SecureBuffer& buf, bool& tapped) {
    size_t n = 0;
    for (uint64_t done = 0; done < plain_len;) {
        size_t piece = static_cast<size_t>(std::min<uint64_t>(kTapPiece, plain_len - done));
        std::span<std::byte> plain = up.item.tap->borrow(piece);
        if (plain.empty()) {  // the tap reads the file itself (before any piece)
            up.tapping = false;
            break;
        }
        if (up.file.pread_full(plain, plain_off + done) != piece) throw up.changed();
        up.item.tap->give(piece);
        n += up.aes->update(plain, buf.data() + n);
        done += piece;
        tapped = true;
    }
    return n;
}

// Encrypts part k into buf, in file order: waits for its turn, continues the CBC chain.
void Uploader::Impl::encrypt_part(FileUpload& up, int k, crypto::SecureBuffer& buf,
                                  std::string& chain_b64) {
    const uint64_t plain_off = up.plan.offset(k), plain_len = plain_length(up, k);
    std::unique_lock lock(up.mutex);
    up.encrypt_cv.wait(lock,
                       [&] { return up.failure.raised() || up.order[up.next_in_order] == k; });
    if (up.failure.raised()) throw Error::internal("upload of this file already failed");
    start_cipher(up, k);
    bool tapped = false;
    size_t n = up.tapping ? encrypt_from_tap(up, plain_off, plain_len, buf, tapped) : 0;
    if (!tapped) {
        if (up.file.pread_full({buf.data(), static_cast<size_t>(plain_len)}, plain_off) !=
            plain_len)
            throw up.changed();
        n = up.aes->update({buf.data(), static_cast<size_t>(plain_len)}, buf.data());
    }
    if (k == up.plan.parts) {
        size_t tail = 0;
        up.aes->finish(buf.data() + n, tail);
        n += tail;
    }
    if (n != up.plan.length(k))
        throw Error::internal(
            fmt::format("part {} encrypted to {} bytes, planned {}", k, n, up.plan.length(k)));
    chain_b64 = crypto::base64_encode({buf.data() + n - kAesBlockSize, kAesBlockSize});
    up.chain_ivs[k] = chain_b64;
    up.last_encrypted = k;
    ++up.next_in_order;
    if (up.next_in_order >= up.order.size()) up.aes.reset();
    lock.unlock();
    up.encrypt_cv.notify_all();
}

void Uploader::Impl::complete(FileUpload& up) {
    std::vector<storage::PartInfo> parts;
    for (const auto& [n, p] : up.done)
        parts.push_back(p);
    storage::ObjectInfo info = backend.complete_multipart(up.key, up.upload_id, parts, up.metadata);
    if (state && up.state_id) state->forget_upload(up.state_id);
    progress.finish(ender(up.progress));
    UploadResult r = result(up.item.source, up.key, up.stat.size, up.encrypting());
    r.etag = info.etag;
    if (up.encrypting()) r.iv_b64 = crypto::base64_encode(up.iv.span());
    r.parts = up.plan.parts;
    r.parts_sent = up.sent;
    r.resumed = up.resumed;
    runner->done(r);
}

Uploader::Uploader(storage::Backend& backend, TransferState* state, Progress& progress,
                   UploadOptions options)
    : impl_(std::make_unique<Impl>(backend, state, progress, std::move(options))) {}

Uploader::~Uploader() = default;

void Uploader::run(const std::vector<UploadItem>& items, const DoneFn& on_done,
                   const ErrorFn& on_error) {
    Impl& impl = *impl_;
    int workers = std::max(1, impl.options.concurrency);
    impl.buffers.clear();
    impl.buffers.resize(static_cast<size_t>(workers));
    // Every file is announced before the first starts, so the totals are whole from the start.
    std::vector<UploadItem> queued = items;
    for (auto& item : queued) {
        if (item.progress_item) continue;
        FileStatus st{};
        try {
            st = file_status(item.source);
        } catch (const Error&) {
            // Reported as the item's failure when it starts.
        }
        item.progress_item = impl.progress.queue(item.source, st.size);
        impl.owned.insert(item.progress_item);
    }
    Impl::Runner runner(impl.progress, workers, on_done, on_error);
    impl.runner = &runner;
    runner.run(queued, [&](const UploadItem& item, int worker) {
        runner.guard(item, impl.ender(item.progress_item),
                     [&] { impl.start_file(item, item.progress_item, worker); });
    });
    impl.runner = nullptr;
    impl.owned.clear();
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
        auto started = time_text::parse_iso8601(u.initiated);
        if (!started) continue;  // unknown age: keep it
        if (now - *started < std::chrono::hours(older_than_hours)) continue;
        backend.abort_multipart(u.key, u.upload_id);
        aborted.push_back(u);
    }
    return aborted;
}

}  // namespace ri::transfer
