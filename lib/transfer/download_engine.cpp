#include "transfer/download_engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>

#include "core/atomic_file.hpp"
#include "core/cancel.hpp"
#include "core/error.hpp"
#include "core/file.hpp"
#include "core/log.hpp"
#include "core/strings.hpp"
#include "crypto/aes_cbc.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hkdf.hpp"
#include "crypto/sha512.hpp"
#include "storage/storage_error.hpp"
#include "transfer/batch_runner.hpp"
#include "transfer/disk_space.hpp"
#include "transfer/object_checksum.hpp"

namespace ri::transfer {
namespace fs = std::filesystem;

namespace {

using crypto::kAesBlockSize;

// One object on its way down in ranged parts.
struct FileDownload {
    DownloadItem item;
    Progress::ItemId progress = 0;
    storage::ObjectInfo info;
    std::string dest;
    std::string partial;
    PartPlan plan;  // over the stored bytes (ciphertext when decrypting)
    File file;
    int64_t state_id = 0;
    bool decrypt = false;
    crypto::SecureBuffer iv{kAesBlockSize};
    bool resumed = false;
    storage::Backend* be = nullptr;
    std::shared_ptr<const crypto::SecureBuffer> key;
    // Legacy HKDF format (formatversion=1): parts of padded_size(hkdf_part_size) stored bytes,
    // each with its own derived key and IV and its own padding.
    bool hkdf = false;
    std::vector<std::byte> file_id;
    uint64_t hkdf_part_size = 0;
    uint64_t hkdf_last_plain = 0;  // plaintext bytes of the last part, once decrypted
    FailureFlag failure;

    std::mutex mutex;
    std::condition_variable cv;  // with mutex: a part is ready, the hash moved on, or failed
    int remaining = 0;
    int fetched = 0;
    // The parts to fetch, lowest first: a free worker takes the next one when it starts (not
    // when the tasks were queued), so parts are fetched in order and the hash can follow them.
    std::vector<int> todo;
    size_t todo_next = 0;
    size_t queued = 0;  // tasks handed to the pool so far, one per part

    // The plaintext SHA-512 (platform downloads), computed in part order on its own thread
    // while later parts are still arriving, instead of one serial pass over the whole file at
    // the end. Parts 1..n-1 are plaintext at their stored offsets (CBC keeps offsets); the last
    // part is hashed by finish(), up to the size left after its padding is cut. Not for the
    // HKDF format, whose plaintext offsets differ (that one is hashed after the download).
    //
    // SHA-512 is serial (one core, ~0.7 GB/s) and so the slowest step of a verified download.
    // Left alone, the fetch workers (and on a small machine the server) take the CPU and the
    // hasher falls behind, leaving most of the hashing for after the last byte, on one core.
    // So a part is queued only when it is at most hash_window parts ahead of the hash (the
    // hash thread queues more as it moves on): the hash keeps pace and ends soon after the
    // last part arrives, and a worker that may not start a part takes other files' work.
    bool in_order_hash = false;
    int hash_window = 0;        // 0: no limit
    std::set<int> ready;        // parts on disk (guarded by mutex)
    int hash_next = 1;          // the next part to hash (guarded by mutex; written by the hasher)
    bool hash_running = false;  // the hash thread has not ended (guarded by mutex)
    std::exception_ptr hash_error;  // why it ended early (error or interrupt)
    crypto::Sha512 hasher;          // used by the hash thread, then by finish() once it has ended
    std::vector<std::byte> hash_buffer;

    std::string url() const { return be->url_of(item.key); }
};

std::optional<std::string> meta(const storage::Metadata& md, std::string_view name) {
    for (const auto& [k, v] : md)
        if (strings::iequals(k, name)) return v;
    return std::nullopt;
}

// The legacy HKDF format's parameters from object metadata, or nullopt when it is not that.
struct HkdfFormat {
    std::vector<std::byte> file_id;
    uint64_t part_size = 0;
};
std::optional<HkdfFormat> hkdf_format(const storage::Metadata& md, const std::string& what) {
    auto version = meta(md, "formatversion");
    if (!version || *version != "1") return std::nullopt;
    auto id = meta(md, "fileid");
    auto ps = meta(md, "partsize");
    HkdfFormat f;
    if (id) {
        if (auto d = crypto::base64_decode(*id)) f.file_id = *d;
    }
    if (ps) f.part_size = std::strtoull(ps->c_str(), nullptr, 10);
    if (f.file_id.size() != 32 || f.part_size == 0)
        throw Error::bad_data(fmt::format(
            "{} is in the HKDF format (formatversion=1) but its fileid or partsize metadata is "
            "invalid.",
            what));
    return f;
}

// Decrypts one HKDF part (its own key, IV and padding) into out; returns the plaintext bytes.
size_t decrypt_hkdf_part(std::span<const std::byte> master, std::span<const std::byte> file_id,
                         uint64_t index, std::span<const std::byte> in, std::byte* out,
                         const std::string& what) {
    crypto::PartKey pk = crypto::derive_part_key(master, file_id, index);
    crypto::AesCbc aes(crypto::AesCbc::Direction::decrypt, pk.key.span(), pk.iv.span(), true);
    size_t n = aes.update(in, out), tail = 0;
    if (in.empty() || in.size() % kAesBlockSize != 0 || !aes.finish(out + n, tail)) {
        throw Error::bad_data(fmt::format(
            "Decryption of {} failed: the key is wrong or the object is damaged. Nothing was "
            "saved.",
            what));
    }
    return n + tail;
}

Error checksum_mismatch(const std::string& what) {
    return Error::bad_data(fmt::format(
        "{} failed its checksum: the SHA-512 of the downloaded data does not match the one the "
        "platform recorded. Nothing was saved.",
        what));
}

Error wrong_key(const std::string& url) {
    return Error::bad_data(
        fmt::format("Decryption of {} failed: the key is wrong or the object is damaged. Nothing "
                    "was saved.",
                    url));
}

Error encrypted_without_key(const std::string& url) {
    return Error::usage(
        fmt::format("{} is encrypted (it has iv metadata): give --key or --key-file to decrypt "
                    "it, or --raw to save the "
                    "ciphertext.",
                    url));
}

// The IV of an object in the platform's CBC format, checked against its stored size.
void read_cbc_iv(const storage::ObjectInfo& info, const std::string& url, std::byte* iv_out) {
    auto iv = crypto::base64_decode(info.metadata.at("iv"));
    if (!iv || iv->size() != kAesBlockSize)
        throw Error::bad_data(fmt::format("{} has an invalid iv metadata value.", url));
    if (info.size == 0 || info.size % kAesBlockSize != 0)
        throw Error::bad_data(fmt::format(
            "{} is {} bytes: not AES-CBC ciphertext (truncated or damaged).", url, info.size));
    std::copy(iv->begin(), iv->end(), iv_out);
}

void make_parent_dirs(const std::string& dest) {
    fs::path dir = fs::path(dest).parent_path();
    if (dir.empty()) dir = ".";
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw file_error(FileRole::output, dir.string(), ec.value(), "creating");
}

// Decrypts the stored bytes of a part as they stream in: the first 16 bytes of a part after the
// first are the IV (the ciphertext block before it), then whole blocks are decrypted and a
// partial block waits for the next call. Padding stays in (finish() checks and cuts it).
class StreamingPartDecryptor {
  public:
    StreamingPartDecryptor(std::span<const std::byte> key, const std::byte* first_iv) : key_(key) {
        if (first_iv) start(first_iv);
    }

    // Plaintext of data (and of what was carried over), written to out.
    std::span<const std::byte> feed(std::span<const std::byte> data) {
        if (!aes_) {  // still collecting the IV block
            size_t take = std::min(data.size(), kAesBlockSize - iv_have_);
            std::copy_n(data.data(), take, iv_block_ + iv_have_);
            iv_have_ += take;
            data = data.subspan(take);
            if (iv_have_ < kAesBlockSize) return {};
            start(iv_block_);
        }
        out_.resize(carry_len_ + data.size() + kAesBlockSize);
        size_t produced = 0;
        if (carry_len_ && !data.empty()) {
            size_t take = std::min(data.size(), kAesBlockSize - carry_len_);
            std::copy_n(data.data(), take, carry_ + carry_len_);
            carry_len_ += take;
            data = data.subspan(take);
            if (carry_len_ == kAesBlockSize) {
                produced += aes_->update({carry_, kAesBlockSize}, out_.data());
                carry_len_ = 0;
            }
        }
        size_t whole = data.size() / kAesBlockSize * kAesBlockSize;
        if (whole) produced += aes_->update(data.first(whole), out_.data() + produced);
        carry_len_ = data.size() - whole;
        std::copy_n(data.data() + whole, carry_len_, carry_);
        return {out_.data(), produced};
    }

    // A part must end on a block boundary.
    bool aligned() const { return carry_len_ == 0; }

  private:
    void start(const std::byte* iv) {
        aes_ =
            std::make_unique<crypto::AesCbc>(crypto::AesCbc::Direction::decrypt, key_,
                                             std::span<const std::byte>(iv, kAesBlockSize), false);
    }

    std::span<const std::byte> key_;
    std::unique_ptr<crypto::AesCbc> aes_;
    std::byte iv_block_[kAesBlockSize];
    size_t iv_have_ = 0;
    std::byte carry_[kAesBlockSize];
    size_t carry_len_ = 0;
    std::vector<std::byte> out_;
};

}  // namespace

struct Downloader::Impl {
    using Runner = BatchRunner<DownloadItem, DownloadResult>;

    storage::Backend& backend;
    TransferState* state;
    Progress& progress;
    DownloadOptions options;
    Runner* runner = nullptr;
    // Progress items this engine announced, and so ends; a caller's own are only started and
    // advanced here, and ended by the caller.
    std::set<Progress::ItemId> owned;
    // Destinations claimed by this run, so two objects never write one file.
    std::mutex claims_mutex;
    std::set<std::string> claimed;

    Impl(storage::Backend& b, TransferState* s, Progress& p, DownloadOptions o)
        : backend(b), state(s), progress(p), options(std::move(o)) {}

    storage::Backend& backend_for(const DownloadItem& item) {
        return item.backend ? *item.backend : backend;
    }
    std::shared_ptr<const crypto::SecureBuffer> key_for(const DownloadItem& item) const {
        return item.decryption_key ? item.decryption_key : options.decryption_key;
    }
    std::string label_of(const DownloadItem& item) {
        return item.label.empty() ? backend_for(item).url_of(item.key) : item.label;
    }
    Progress::ItemId ender(Progress::ItemId id) const { return owned.count(id) ? id : 0; }
    bool dest_taken(const std::string& path);
    std::optional<std::string> claim_destination(const DownloadItem& item, Progress::ItemId id,
                                                 const std::string& etag);
    template <typename Fn>
    void with_part_retries(storage::Backend& be, const std::string& key, Fn&& attempt);

    void start_file(const DownloadItem& item, Progress::ItemId id);
    void download_small(const DownloadItem& item, Progress::ItemId id);
    std::vector<std::byte> fetch_small(const DownloadItem& item, storage::ObjectInfo& info);
    std::span<const std::byte> decode_small(const DownloadItem& item,
                                            const storage::ObjectInfo& info,
                                            std::span<const std::byte> body,
                                            crypto::SecureBuffer& plain, bool& decrypted);
    void choose_format(FileDownload& dl);
    void open_partial(FileDownload& dl, std::vector<int>& done_parts);
    void start_parts(const std::shared_ptr<FileDownload>& dl, const std::vector<int>& done_parts);
    void queue_parts(const std::shared_ptr<FileDownload>& dl);
    static int take_part(FileDownload& dl);
    void fetch_next_part(const std::shared_ptr<FileDownload>& dl);
    void fetch_hkdf_part(FileDownload& dl, int k);
    void fetch_part(FileDownload& dl, int k);
    void part_done(FileDownload& dl, int k);
    void hash_in_order(const std::shared_ptr<FileDownload>& dl);
    void hash_range(FileDownload& dl, uint64_t offset, uint64_t length);
    uint64_t plaintext_size(FileDownload& dl);
    std::string finish_hash(FileDownload& dl, uint64_t size);
    void finish(FileDownload& dl);
    [[noreturn]] void fail_file(FileDownload& dl, const Error& e);
    std::string hash_partial(FileDownload& dl, uint64_t size);
};

bool Downloader::Impl::dest_taken(const std::string& path) {
    std::error_code ec;
    std::lock_guard lock(claims_mutex);
    return claimed.count(path) || fs::exists(path, ec);
}

// Resolves an existing destination by the --if-exists policy: the path to write, or nullopt
// after reporting a skip.
std::optional<std::string> Downloader::Impl::claim_destination(const DownloadItem& item,
                                                               Progress::ItemId id,
                                                               const std::string& etag) {
    std::string dest = item.dest;
    if (dest_taken(dest)) {
        if (options.if_exists == IfExists::skip) {
            DownloadResult r;
            r.key = item.key;
            r.url = backend_for(item).url_of(item.key);
            r.path = dest;
            r.etag = etag;
            r.skipped = true;
            std::error_code ec;
            r.size = fs::file_size(dest, ec);
            progress.skip(ender(id), "exists");
            runner->done(r);
            return std::nullopt;
        }
        if (options.if_exists == IfExists::rename)
            dest = first_free_name(dest, [&](const std::string& p) { return dest_taken(p); });
    }
    std::lock_guard lock(claims_mutex);
    claimed.insert(dest);
    return dest;
}

// Runs attempt() until it succeeds; a connection that broke after some of the body arrived is
// tried again (attempt() asks for the rest) up to part_retries times. Failures before any byte
// arrived were retried by the transport already and go up as they are.
template <typename Fn>
void Downloader::Impl::with_part_retries(storage::Backend& be, const std::string& key,
                                         Fn&& attempt) {
    for (int n = 0;; ++n) {
        try {
            attempt();
            return;
        } catch (const storage::StorageError& e) {
            if (e.bytes_received() == 0 || n >= options.part_retries) throw;
            log::warn("{} broke after {} bytes ({}); requesting the rest", be.url_of(key),
                      e.bytes_received(), e.detail());
        }
    }
}

std::vector<std::byte> Downloader::Impl::fetch_small(const DownloadItem& item,
                                                     storage::ObjectInfo& info) {
    storage::Backend& be = backend_for(item);
    std::vector<std::byte> body;
    with_part_retries(be, item.key, [&] {
        body.clear();
        body.reserve(static_cast<size_t>(item.known->size));
        info = be.get(item.key, std::nullopt, [&](std::span<const std::byte> data) {
            if (cancel::requested()) cancel::check();
            // The listing said how big it is: more than that is never held in memory.
            if (body.size() + data.size() > item.known->size) {
                throw Error::bad_data(
                    fmt::format("{} is larger than its listing or platform record says ({} "
                                "bytes). Nothing was saved.",
                                be.url_of(item.key), item.known->size));
            }
            body.insert(body.end(), data.begin(), data.end());
        });
    });
    return body;
}

// The plaintext of a small object: checked against the store's MD5, decrypted when it is in a
// platform format (unless --raw).
std::span<const std::byte> Downloader::Impl::decode_small(const DownloadItem& item,
                                                          const storage::ObjectInfo& info,
                                                          std::span<const std::byte> body,
                                                          crypto::SecureBuffer& plain,
                                                          bool& decrypted) {
    std::string url = backend_for(item).url_of(item.key);
    if (auto expected = usable_md5(info)) {
        Md5 md5;
        md5.update(body);
        if (!matches(*expected, md5))
            throw Error::bad_data(fmt::format(
                "{} arrived damaged: its MD5 does not match the store's ({}). Nothing was saved.",
                url, info.etag));
    }
    auto key = key_for(item);
    if (auto hkdf = options.raw ? std::nullopt : hkdf_format(info.metadata, label_of(item))) {
        if (!key) throw encrypted_without_key(url);
        uint64_t stride = crypto::padded_size(hkdf->part_size);
        plain = crypto::SecureBuffer(body.size() + kAesBlockSize);
        size_t n = 0;
        for (uint64_t off = 0, index = 0; off < body.size(); off += stride, ++index) {
            size_t len = static_cast<size_t>(std::min<uint64_t>(stride, body.size() - off));
            n += decrypt_hkdf_part(key->span(), hkdf->file_id, index, body.subspan(off, len),
                                   plain.data() + n, label_of(item));
        }
        decrypted = true;
        return {plain.data(), n};
    }
    if (info.metadata.count("iv") == 0 || options.raw) return body;
    if (!key) throw encrypted_without_key(url);
    std::byte iv[kAesBlockSize];
    storage::ObjectInfo sized = info;
    sized.size = body.size();
    read_cbc_iv(sized, url, iv);
    plain = crypto::SecureBuffer(body.size() + kAesBlockSize);
    crypto::AesCbc aes(crypto::AesCbc::Direction::decrypt, key->span(), {iv, kAesBlockSize}, true);
    size_t n = aes.update(body, plain.data()), tail = 0;
    if (!aes.finish(plain.data() + n, tail)) throw wrong_key(url);
    decrypted = true;
    return {plain.data(), n + tail};
}

// An object known from the listing and no bigger than one part: one GET into memory, whose
// response headers carry the metadata a HEAD would have fetched (half the requests for a
// directory of small files), then checked, decrypted if needed, and written atomically.
void Downloader::Impl::download_small(const DownloadItem& item, Progress::ItemId id) {
    auto dest = claim_destination(item, id, item.known->etag);
    if (!dest) return;
    make_parent_dirs(*dest);
    fs::path dir = fs::path(*dest).parent_path();
    require_free_space(dir.empty() ? fs::path(".") : dir, item.known->size, *dest);
    progress.start(id, "downloading");
    storage::ObjectInfo info;
    std::vector<std::byte> body = fetch_small(item, info);
    crypto::SecureBuffer plain;
    bool decrypted = false;
    std::span<const std::byte> out = decode_small(item, info, body, plain, decrypted);
    std::string sha512;
    if (item.hash) {
        crypto::Sha512 h;
        h.update(out);
        sha512 = h.hex_digest();
        if (!item.expected_sha512.empty() && sha512 != item.expected_sha512)
            throw checksum_mismatch(label_of(item));
    }
    AtomicOutput file(*dest);
    file.file().write_all(out);
    file.commit();
    progress.advance(id, body.size());
    progress.finish(ender(id));
    DownloadResult r;
    r.key = item.key;
    r.url = backend_for(item).url_of(item.key);
    r.path = *dest;
    r.size = out.size();
    r.etag = info.etag;
    r.decrypted = decrypted;
    r.parts_fetched = 1;
    r.sha512 = sha512;
    runner->done(r);
}

void Downloader::Impl::start_file(const DownloadItem& item, Progress::ItemId id) {
    if (item.known && item.known->size <= options.part_size) return download_small(item, id);
    storage::Backend& be = backend_for(item);
    std::optional<storage::ObjectInfo> info = be.head(item.key);
    if (!info)
        throw storage::storage_error(be.scheme() == "az" ? "Azure" : "S3", be.url_of(item.key), 404,
                                     "NoSuchKey", "not found");
    progress.resize(id, info->size);
    auto dest = claim_destination(item, id, info->etag);
    if (!dest) return;
    auto dl = std::make_shared<FileDownload>();
    dl->item = item;
    dl->progress = id;
    dl->info = *info;
    dl->dest = *dest;
    dl->be = &be;
    dl->key = key_for(item);
    choose_format(*dl);
    dl->plan = plan_download(
        info->size, dl->hkdf ? crypto::padded_size(dl->hkdf_part_size) : options.part_size);
    dl->partial = dl->dest + kPartialSuffix;
    make_parent_dirs(dl->dest);
    std::vector<int> done_parts;
    open_partial(*dl, done_parts);
    progress.start(id, "downloading");
    uint64_t have = 0;
    for (int n : done_parts)
        have += dl->plan.length(n);
    progress.advance(id, have);
    start_parts(dl, done_parts);
}

// Plain, CBC (iv metadata) or the legacy HKDF format, from the object's metadata.
void Downloader::Impl::choose_format(FileDownload& dl) {
    if (options.raw) return;
    std::string url = dl.url();
    if (auto hkdf = hkdf_format(dl.info.metadata, label_of(dl.item))) {
        if (!dl.key) throw encrypted_without_key(url);
        if (!dl.item.plain_size)
            throw Error::internal("an HKDF-format download needs the file's decrypted size");
        dl.hkdf = true;
        dl.file_id = hkdf->file_id;
        dl.hkdf_part_size = hkdf->part_size;
    } else if (dl.info.metadata.count("iv")) {
        if (!dl.key) throw encrypted_without_key(url);
        read_cbc_iv(dl.info, url, dl.iv.data());
        dl.decrypt = true;
    }
}

// NAME.ri-partial: reopened with the parts an earlier run recorded when the object is the same,
// else created afresh; disk space is checked for what is still to come.
void Downloader::Impl::open_partial(FileDownload& dl, std::vector<int>& done_parts) {
    std::string url = dl.url();
    std::error_code ec;
    if (state) {
        if (auto rec = state->find_download(url, dl.dest)) {
            bool same = rec->etag == dl.info.etag && rec->size == dl.info.size &&
                        rec->part_size == dl.plan.part_size && fs::exists(dl.partial, ec);
            if (same) {
                done_parts = state->done_download_parts(rec->id);
                dl.state_id = rec->id;
                dl.resumed = !done_parts.empty();
            } else {
                state->forget_download(rec->id);
            }
        }
    }
    uint64_t have = 0;
    for (int n : done_parts)
        have += dl.plan.length(n);
    fs::path dir = fs::path(dl.dest).parent_path();
    require_free_space(dir.empty() ? fs::path(".") : dir, dl.info.size - have, dl.dest);
    dl.file = dl.resumed ? File::open_rw(dl.partial) : File::create(dl.partial);
    if (state && dl.state_id == 0) {
        dl.state_id = state->insert_download({.source = url,
                                              .dest = dl.dest,
                                              .size = dl.info.size,
                                              .etag = dl.info.etag,
                                              .part_size = dl.plan.part_size});
    }
}

void Downloader::Impl::start_parts(const std::shared_ptr<FileDownload>& dl,
                                   const std::vector<int>& done_parts) {
    std::set<int> skip(done_parts.begin(), done_parts.end());
    dl->in_order_hash = dl->item.hash && !dl->hkdf;
    dl->ready = skip;  // parts kept from an earlier run are hashed in their turn too
    for (int k = 1; k <= dl->plan.parts; ++k)
        if (!skip.count(k)) dl->todo.push_back(k);
    dl->remaining = static_cast<int>(dl->todo.size());
    if (dl->todo.empty()) return finish(*dl);
    if (dl->in_order_hash && dl->plan.parts > 1) {
        // As many parts ahead of the hash as there are workers, so the window alone never
        // leaves a worker idle. Measured (docs/BENCHMARKS.md, issue 5; 8 workers, 1 GiB):
        // windows of 2-8 parts within noise of each other, 16 parts 5% and 32 parts 12%
        // slower, as the hash fell behind and its tail after the last byte grew.
        dl->hash_window = runner->pool().workers();
        dl->hash_running = true;
        runner->pool().spawn_helper([this, dl] { hash_in_order(dl); });
    }
    queue_parts(dl);
}

// Queues one task per part that may start now: all of them, or with an in-order hash those up
// to hash_window parts past the next part to hash.
void Downloader::Impl::queue_parts(const std::shared_ptr<FileDownload>& dl) {
    size_t n = 0;
    {
        std::lock_guard lock(dl->mutex);
        if (dl->failure.raised()) return;
        size_t allowed = dl->todo.size();
        if (dl->hash_window > 0) {
            allowed = static_cast<size_t>(std::upper_bound(dl->todo.begin(), dl->todo.end(),
                                                           dl->hash_next + dl->hash_window) -
                                          dl->todo.begin());
        }
        if (allowed > dl->queued) {
            n = allowed - dl->queued;
            dl->queued = allowed;
        }
    }
    for (size_t i = 0; i < n; ++i)
        runner->pool().push_front([this, dl](int) { fetch_next_part(dl); });
}

// The lowest part nobody has taken yet (0 when the download failed).
int Downloader::Impl::take_part(FileDownload& dl) {
    std::lock_guard lock(dl.mutex);
    if (dl.failure.raised() || dl.todo_next >= dl.todo.size()) return 0;
    return dl.todo[dl.todo_next++];
}

void Downloader::Impl::fetch_next_part(const std::shared_ptr<FileDownload>& dl) {
    try {
        int k = take_part(*dl);
        if (k == 0) return;
        if (dl->hkdf)
            fetch_hkdf_part(*dl, k);
        else
            fetch_part(*dl, k);
        part_done(*dl, k);
    } catch (const std::exception& e) {
        bool first = dl->failure.raise();
        dl->cv.notify_all();
        if (is_interrupt(e)) throw;
        if (first) runner->failed(dl->item, ender(dl->progress), e);
    }
}

// A legacy HKDF part: fetched whole into memory (its padding is its own), decrypted with the
// part's derived key and written at its plaintext offset.
void Downloader::Impl::fetch_hkdf_part(FileDownload& dl, int k) {
    storage::Backend& be = *dl.be;
    const uint64_t off = dl.plan.offset(k), len = dl.plan.length(k);
    std::vector<std::byte> body;
    with_part_retries(be, dl.item.key, [&] {
        body.clear();
        be.get(dl.item.key, storage::ByteRange{off, len}, [&](std::span<const std::byte> d) {
            if (cancel::requested()) cancel::check();
            body.insert(body.end(), d.begin(), d.end());
        });
    });
    if (body.size() != len)
        throw Error::bad_data(fmt::format("{} sent {} bytes for part {}, expected {}.", dl.url(),
                                          body.size(), k, len));
    crypto::SecureBuffer plain(body.size() + kAesBlockSize);
    size_t n = decrypt_hkdf_part(dl.key->span(), dl.file_id, static_cast<uint64_t>(k - 1), body,
                                 plain.data(), label_of(dl.item));
    dl.file.pwrite_all({plain.data(), n}, static_cast<uint64_t>(k - 1) * dl.hkdf_part_size);
    progress.advance(dl.progress, len);
    if (k == dl.plan.parts) dl.hkdf_last_plain = n;
}

void Downloader::Impl::fetch_part(FileDownload& dl, int k) {
    storage::Backend& be = *dl.be;
    const uint64_t off = dl.plan.offset(k), len = dl.plan.length(k);
    // Decrypting part k > 1 needs the ciphertext block before it as IV: fetch 16 more bytes.
    const uint64_t prefix = dl.decrypt && k > 1 ? kAesBlockSize : 0;
    std::optional<StreamingPartDecryptor> decryptor;
    if (dl.decrypt) decryptor.emplace(dl.key->span(), k == 1 ? dl.iv.data() : nullptr);
    // A one-part object arrives in order from its first byte: check it against the MD5 the
    // store vouches for (a plain S3 ETag, or Azure's Content-MD5).
    std::optional<ExpectedMd5> expected_md5 =
        dl.plan.parts == 1 ? usable_md5(dl.info) : std::nullopt;
    Md5 md5;
    uint64_t got = 0;  // bytes of the range [off - prefix, off + len) consumed
    uint64_t write_at = off;
    auto sink = [&](std::span<const std::byte> data) {
        if (cancel::requested()) cancel::check();
        got += data.size();
        if (expected_md5) md5.update(data);
        std::span<const std::byte> plain = decryptor ? decryptor->feed(data) : data;
        dl.file.pwrite_all(plain, write_at);
        write_at += plain.size();
        progress.advance(dl.progress, plain.size());
    };
    with_part_retries(be, dl.item.key, [&] {
        uint64_t start = off - prefix + got;
        if (off + len > start)
            be.get(dl.item.key, storage::ByteRange{start, off + len - start}, sink);
    });
    if (got != len + prefix || (decryptor && !decryptor->aligned()))
        throw Error::bad_data(fmt::format("{} sent {} bytes for part {}, expected {}.", dl.url(),
                                          got, k, len + prefix));
    if (expected_md5 && !matches(*expected_md5, md5))
        fail_file(dl, Error::bad_data(fmt::format(
                          "{} arrived damaged: its MD5 does not match the store's ({}). Nothing "
                          "was saved.",
                          dl.url(), dl.info.etag)));
}

void Downloader::Impl::part_done(FileDownload& dl, int k) {
    if (state) state->record_download_part(dl.state_id, k);
    bool last = false;
    {
        std::lock_guard lock(dl.mutex);
        ++dl.fetched;
        last = --dl.remaining == 0 && !dl.failure.raised();
        dl.ready.insert(k);
    }
    if (dl.in_order_hash) dl.cv.notify_all();
    if (last) finish(dl);
}

// The hash thread (a helper of the pool, holding the download): parts 1..n-1 in order as they
// land on disk, queueing more parts as it moves on (the last part is finish()'s: its padding is
// cut first). Ends when they are hashed, the download failed, or on an interrupt.
void Downloader::Impl::hash_in_order(const std::shared_ptr<FileDownload>& dl_ptr) {
    FileDownload& dl = *dl_ptr;
    try {
        for (;;) {
            int k = 0;
            {
                std::unique_lock lock(dl.mutex);
                while (!dl.failure.raised() && dl.hash_next < dl.plan.parts &&
                       !dl.ready.count(dl.hash_next)) {
                    dl.cv.wait_for(lock, std::chrono::milliseconds(200));
                    cancel::check();
                }
                if (dl.failure.raised() || dl.hash_next >= dl.plan.parts) break;
                k = dl.hash_next;
            }
            hash_range(dl, dl.plan.offset(k), dl.plan.length(k));
            {
                std::lock_guard lock(dl.mutex);
                dl.hash_next = k + 1;
            }
            queue_parts(dl_ptr);
        }
    } catch (...) {
        std::lock_guard lock(dl.mutex);
        dl.hash_error = std::current_exception();
    }
    {
        std::lock_guard lock(dl.mutex);
        dl.hash_running = false;
    }
    dl.cv.notify_all();
}

// Only one thread hashes a download at a time: its hash thread, then finish().
void Downloader::Impl::hash_range(FileDownload& dl, uint64_t offset, uint64_t length) {
    dl.hash_buffer.resize(8u << 20);
    for (uint64_t done = 0; done < length;) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(dl.hash_buffer.size(), length - done));
        size_t n = dl.file.pread_full({dl.hash_buffer.data(), want}, offset + done);
        if (n != want) throw Error::io(fmt::format("Could not read back '{}'.", dl.partial));
        dl.hasher.update({dl.hash_buffer.data(), n});
        done += n;
        cancel::check();
    }
}

// The size of the plaintext once every part is in: the HKDF format's is checked against the
// platform's record, the CBC padding is checked and cut.
uint64_t Downloader::Impl::plaintext_size(FileDownload& dl) {
    uint64_t size = dl.info.size;
    if (dl.hkdf) {
        size = *dl.item.plain_size;
        uint64_t stride = dl.plan.part_size;
        uint64_t expect_last = size - static_cast<uint64_t>(dl.plan.parts - 1) * dl.hkdf_part_size;
        if (dl.info.size != (dl.plan.parts - 1) * stride + crypto::padded_size(expect_last) ||
            (dl.hkdf_last_plain && dl.hkdf_last_plain != expect_last)) {
            fail_file(dl, Error::bad_data(fmt::format(
                              "{} does not have the size its platform record says ({} bytes "
                              "decrypted). Nothing was saved.",
                              label_of(dl.item), size)));
        }
        return size;
    }
    if (!dl.decrypt) return size;
    // The padding is in the last plaintext block, written like any other: check and cut it.
    std::byte last[kAesBlockSize];
    if (dl.file.pread_full({last, kAesBlockSize}, size - kAesBlockSize) != kAesBlockSize)
        throw Error::io(fmt::format("Could not read back '{}'.", dl.partial));
    auto pad = static_cast<unsigned>(last[kAesBlockSize - 1]);
    bool ok = pad >= 1 && pad <= kAesBlockSize;
    for (unsigned i = 0; ok && i < pad; ++i)
        ok = static_cast<unsigned>(last[kAesBlockSize - 1 - i]) == pad;
    if (!ok) fail_file(dl, wrong_key(dl.url()));
    return size - pad;
}

// The plaintext's SHA-512: the in-order hash's last part, or one pass over the file.
std::string Downloader::Impl::finish_hash(FileDownload& dl, uint64_t size) {
    if (!dl.in_order_hash) return hash_partial(dl, size);
    {
        // Every part is in: the hash thread ends once it has hashed up to the last.
        std::unique_lock lock(dl.mutex);
        dl.cv.wait(lock, [&] { return !dl.hash_running; });
    }
    if (dl.hash_error) std::rethrow_exception(dl.hash_error);
    for (; dl.hash_next < dl.plan.parts; ++dl.hash_next)
        hash_range(dl, dl.plan.offset(dl.hash_next), dl.plan.length(dl.hash_next));
    uint64_t last_offset = dl.plan.offset(dl.plan.parts);
    hash_range(dl, last_offset, size - last_offset);
    return dl.hasher.hex_digest();
}

void Downloader::Impl::finish(FileDownload& dl) {
    uint64_t size = plaintext_size(dl);
    dl.file.truncate(size);
    if (dl.file.size() != size)
        throw Error::io(fmt::format("'{}' has the wrong size after download.", dl.partial));
    std::string sha512;
    if (dl.item.hash) {
        sha512 = finish_hash(dl, size);
        if (!dl.item.expected_sha512.empty() && sha512 != dl.item.expected_sha512)
            fail_file(dl, checksum_mismatch(label_of(dl.item)));
    }
    dl.file.close();
    replace_file(dl.partial, dl.dest);
    if (state) state->forget_download(dl.state_id);
    progress.finish(ender(dl.progress));
    DownloadResult r;
    r.key = dl.item.key;
    r.url = dl.url();
    r.path = dl.dest;
    r.size = size;
    r.etag = dl.info.etag;
    r.decrypted = dl.decrypt;
    r.parts = dl.plan.parts;
    r.parts_fetched = dl.fetched;
    r.resumed = dl.resumed;
    r.sha512 = sha512;
    runner->done(r);
}

// A verification failure: the partial file and its resume state go (a rerun starts over).
void Downloader::Impl::fail_file(FileDownload& dl, const Error& e) {
    if (state) state->forget_download(dl.state_id);
    dl.file.close();
    remove_file(dl.partial);
    throw e;
}

std::string Downloader::Impl::hash_partial(FileDownload& dl, uint64_t size) {
    crypto::Sha512 h;
    std::vector<std::byte> buf(8u << 20);
    for (uint64_t off = 0; off < size;) {
        size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - off));
        size_t n = dl.file.pread_full({buf.data(), want}, off);
        if (n != want) throw Error::io(fmt::format("Could not read back '{}'.", dl.partial));
        h.update({buf.data(), n});
        off += n;
        cancel::check();
    }
    return h.hex_digest();
}

Downloader::Downloader(storage::Backend& backend, TransferState* state, Progress& progress,
                       DownloadOptions options)
    : impl_(std::make_unique<Impl>(backend, state, progress, std::move(options))) {}

Downloader::~Downloader() = default;

void Downloader::run(const std::vector<DownloadItem>& items, const DoneFn& on_done,
                     const ErrorFn& on_error) {
    Impl& impl = *impl_;
    std::vector<DownloadItem> queued = items;
    for (auto& item : queued) {
        if (item.progress_item) continue;
        std::string name = !item.progress_name.empty() ? item.progress_name
                                                       : impl.backend_for(item).url_of(item.key);
        item.progress_item = impl.progress.queue(name, item.known ? item.known->size : 0);
        impl.owned.insert(item.progress_item);
    }
    Impl::Runner runner(impl.progress, std::max(1, impl.options.concurrency), on_done, on_error);
    impl.runner = &runner;
    runner.run(queued, [&](const DownloadItem& item, int) {
        runner.guard(item, impl.ender(item.progress_item),
                     [&] { impl.start_file(item, item.progress_item); });
    });
    impl.runner = nullptr;
    impl.owned.clear();
}

}  // namespace ri::transfer
