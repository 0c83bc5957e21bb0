#include "transfer/download_engine.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <set>

#include "core/atomic_file.hpp"
#include "core/cancel.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/posix_file.hpp"
#include "crypto/aes_cbc.hpp"
#include "crypto/encoding.hpp"
#include "crypto/hkdf.hpp"
#include "crypto/sha512.hpp"
#include "http/http_client.hpp"
#include "storage/storage_error.hpp"
#include "transfer/disk_space.hpp"
#include "transfer/object_checksum.hpp"
#include "transfer/task_pool.hpp"

namespace ri::transfer {
namespace fs = std::filesystem;

namespace {

using crypto::kAesBlockSize;

struct DownloadJob {
    DownloadItem item;
    storage::ObjectInfo info;
    std::string dest;
    std::string partial;
    PartPlan plan;  // over the stored bytes (ciphertext when decrypting)
    PosixFile file;
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

    std::mutex mutex;
    std::condition_variable cv;  // with mutex: a part is ready, the hash moved on, or failed
    int remaining = 0;
    int fetched = 0;
    bool failed = false;
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
};

std::optional<std::string> meta(const storage::Metadata& md, std::string_view name) {
    for (const auto& [k, v] : md) {
        if (k.size() != name.size()) continue;
        bool same = true;
        for (size_t i = 0; same && i < k.size(); ++i)
            same = std::tolower(static_cast<unsigned char>(k[i])) == name[i];
        if (same) return v;
    }
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

}  // namespace

struct Downloader::Impl {
    storage::Backend& backend;
    TransferState* state;
    Progress& progress;
    DownloadOptions options;
    std::mutex callback_mutex;
    const DoneFn* on_done = nullptr;
    const ErrorFn* on_error = nullptr;
    TaskPool* pool = nullptr;
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

    void done(const DownloadResult& r) {
        std::lock_guard lock(callback_mutex);
        (*on_done)(r);
    }
    void failed(const DownloadItem& item, const std::exception& e) {
        std::lock_guard lock(callback_mutex);
        (*on_error)(item, e);
    }

    bool dest_taken(const std::string& path) {
        std::error_code ec;
        std::lock_guard lock(claims_mutex);
        return claimed.count(path) || fs::exists(path, ec);
    }

    void start_file(const DownloadItem& item) {
        try {
            start_file_or_throw(item);
        } catch (const std::exception& e) {
            if (is_interrupt(e)) throw;
            progress.end_item(false, backend_for(item).url_of(item.key));
            failed(item, e);
        }
    }

    // Resolves an existing destination by the --if-exists policy: the path to write, or
    // nullopt after reporting a skip.
    std::optional<std::string> claim_destination(const DownloadItem& item,
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
                done(r);
                return std::nullopt;
            }
            if (options.if_exists == IfExists::rename) {
                dest = first_free_name(dest, [&](const std::string& p) { return dest_taken(p); });
            }
        }
        std::lock_guard lock(claims_mutex);
        claimed.insert(dest);
        return dest;
    }

    static Error encrypted_without_key(const std::string& url) {
        return Error::usage(
            fmt::format("{} is encrypted (it has iv metadata): give --key or --key-file to decrypt "
                        "it, or --raw to save the "
                        "ciphertext.",
                        url));
    }

    // An object known from the listing and no bigger than one part: one GET into memory, whose
    // response headers carry the metadata a HEAD would have fetched (half the requests for a
    // directory of small files), then checked, decrypted if needed, and written atomically.
    void download_small(const DownloadItem& item) {
        auto dest = claim_destination(item, item.known->etag);
        if (!dest) return;
        storage::Backend& be = backend_for(item);
        auto key = key_for(item);
        std::string url = be.url_of(item.key);
        std::string what = label_of(item);
        fs::path dir = fs::path(*dest).parent_path();
        if (dir.empty()) dir = ".";
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw file_error(FileRole::output, dir.string(), ec.value(), "creating");
        require_free_space(dir, item.known->size, *dest);
        progress.begin_item("downloading", url, item.known->size);
        std::vector<std::byte> body;
        storage::ObjectInfo info;
        for (int attempt = 0;; ++attempt) {
            body.clear();
            body.reserve(static_cast<size_t>(item.known->size));
            try {
                info = be.get(item.key, std::nullopt, [&](std::span<const std::byte> data) {
                    if (cancel::requested()) cancel::check();
                    // The listing said how big it is: more than that is never held in memory.
                    if (body.size() + data.size() > item.known->size) {
                        throw Error::bad_data(fmt::format(
                            "{} is larger than its listing or platform record says ({} bytes). "
                            "Nothing was saved.",
                            url, item.known->size));
                    }
                    body.insert(body.end(), data.begin(), data.end());
                });
                break;
            } catch (const http::TransportError& e) {
                if (attempt >= options.part_retries) {
                    throw storage::transport_storage_error(be.scheme() == "az" ? "Azure" : "S3",
                                                           url, e.what(), e.is_timeout(),
                                                           e.is_tls());
                }
            }
        }
        if (auto expected = usable_md5(info)) {
            Md5 md5;
            md5.update(body);
            if (!matches(*expected, md5)) {
                throw Error::bad_data(
                    fmt::format("{} arrived damaged: its MD5 does not match the store's ({}). "
                                "Nothing was saved.",
                                url, info.etag));
            }
        }
        std::span<const std::byte> out = body;
        crypto::SecureBuffer plain;
        bool decrypted = false;
        auto hkdf = options.raw ? std::nullopt : hkdf_format(info.metadata, what);
        if (hkdf) {
            if (!key) throw encrypted_without_key(url);
            uint64_t stride = crypto::padded_size(hkdf->part_size);
            plain = crypto::SecureBuffer(body.size() + kAesBlockSize);
            size_t n = 0;
            for (uint64_t off = 0, index = 0; off < body.size(); off += stride, ++index) {
                size_t len = static_cast<size_t>(std::min<uint64_t>(stride, body.size() - off));
                n += decrypt_hkdf_part(key->span(), hkdf->file_id, index, {body.data() + off, len},
                                       plain.data() + n, what);
            }
            out = {plain.data(), n};
            decrypted = true;
        } else if (auto iv_it = info.metadata.find("iv");
                   iv_it != info.metadata.end() && !options.raw) {
            if (!key) throw encrypted_without_key(url);
            auto iv = crypto::base64_decode(iv_it->second);
            if (!iv || iv->size() != kAesBlockSize)
                throw Error::bad_data(fmt::format("{} has an invalid iv metadata value.", url));
            if (body.empty() || body.size() % kAesBlockSize != 0) {
                throw Error::bad_data(
                    fmt::format("{} is {} bytes: not AES-CBC ciphertext (truncated or damaged).",
                                url, body.size()));
            }
            plain = crypto::SecureBuffer(body.size() + kAesBlockSize);
            crypto::AesCbc aes(crypto::AesCbc::Direction::decrypt, key->span(), *iv, true);
            size_t n = aes.update(body, plain.data()), tail = 0;
            if (!aes.finish(plain.data() + n, tail)) {
                throw Error::bad_data(
                    fmt::format("Decryption of {} failed: the key is wrong or the object is "
                                "damaged. Nothing was saved.",
                                url));
            }
            out = {plain.data(), n + tail};
            decrypted = true;
        }
        std::string sha512;
        if (item.hash) {
            crypto::Sha512 h;
            h.update(out);
            sha512 = h.hex_digest();
            if (!item.expected_sha512.empty() && sha512 != item.expected_sha512)
                throw checksum_mismatch(what);
        }
        AtomicOutput file(*dest);
        file.file().write_all(out);
        file.commit();
        progress.advance(body.size());
        progress.end_item(true, url);
        DownloadResult r;
        r.key = item.key;
        r.url = url;
        r.path = *dest;
        r.size = out.size();
        r.etag = info.etag;
        r.decrypted = decrypted;
        r.parts_fetched = 1;
        r.sha512 = sha512;
        done(r);
    }

    void start_file_or_throw(const DownloadItem& item) {
        if (item.known && item.known->size <= options.part_size) {
            download_small(item);
            return;
        }
        storage::Backend& be = backend_for(item);
        auto key = key_for(item);
        std::optional<storage::ObjectInfo> info = be.head(item.key);
        if (!info) {
            throw storage::storage_error(be.scheme() == "az" ? "Azure" : "S3", be.url_of(item.key),
                                         404, "NoSuchKey", "not found");
        }
        auto dest = claim_destination(item, info->etag);
        if (!dest) return;
        auto job = std::make_shared<DownloadJob>();
        job->item = item;
        job->info = *info;
        job->dest = *dest;
        job->be = &be;
        job->key = key;
        auto hkdf = options.raw ? std::nullopt : hkdf_format(info->metadata, label_of(item));
        auto iv_it = info->metadata.find("iv");
        if (hkdf) {
            if (!key) throw encrypted_without_key(be.url_of(item.key));
            if (!item.plain_size)
                throw Error::internal("an HKDF-format download needs the file's decrypted size");
            job->hkdf = true;
            job->file_id = hkdf->file_id;
            job->hkdf_part_size = hkdf->part_size;
        } else if (iv_it != info->metadata.end() && !options.raw) {
            if (!key) throw encrypted_without_key(be.url_of(item.key));
            auto iv = crypto::base64_decode(iv_it->second);
            if (!iv || iv->size() != kAesBlockSize) {
                throw Error::bad_data(
                    fmt::format("{} has an invalid iv metadata value.", be.url_of(item.key)));
            }
            std::copy(iv->begin(), iv->end(), job->iv.data());
            if (info->size == 0 || info->size % kAesBlockSize != 0) {
                throw Error::bad_data(
                    fmt::format("{} is {} bytes: not AES-CBC ciphertext (truncated or damaged).",
                                be.url_of(item.key), info->size));
            }
            job->decrypt = true;
        }
        job->plan = plan_download(
            info->size, job->hkdf ? crypto::padded_size(job->hkdf_part_size) : options.part_size);
        job->partial = job->dest + kPartialSuffix;
        fs::path dir = fs::path(job->dest).parent_path();
        if (dir.empty()) dir = ".";
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw file_error(FileRole::output, dir.string(), ec.value(), "creating");

        std::vector<int> done_parts;
        std::string url = be.url_of(item.key);
        if (state) {
            if (auto rec = state->find_download(url, job->dest)) {
                bool same = rec->etag == info->etag && rec->size == info->size &&
                            rec->part_size == job->plan.part_size && fs::exists(job->partial, ec);
                if (same) {
                    done_parts = state->done_download_parts(rec->id);
                    job->state_id = rec->id;
                    job->resumed = !done_parts.empty();
                } else {
                    state->forget_download(rec->id);
                }
            }
        }
        uint64_t have = 0;
        for (int n : done_parts)
            have += job->plan.length(n);
        require_free_space(dir, info->size - have, job->dest);
        job->file =
            job->resumed ? PosixFile::open_rw(job->partial) : PosixFile::create(job->partial);
        if (state && job->state_id == 0) {
            job->state_id = state->insert_download(
                {0, url, job->dest, info->size, info->etag, job->plan.part_size});
        }
        progress.begin_item("downloading", url, info->size);
        progress.advance(have);
        std::set<int> skip(done_parts.begin(), done_parts.end());
        job->in_order_hash = job->item.hash && !job->hkdf;
        job->ready = skip;  // parts kept from an earlier run are hashed in their turn too
        for (int k = 1; k <= job->plan.parts; ++k) {
            if (!skip.count(k)) job->todo.push_back(k);
        }
        job->remaining = static_cast<int>(job->todo.size());
        if (job->todo.empty()) {
            finish(*job);
            return;
        }
        if (job->in_order_hash && job->plan.parts > 1) {
            // As many parts ahead of the hash as there are workers, so the window alone never
            // leaves a worker idle. Measured (docs/BENCHMARKS.md, issue 5; 8 workers, 1 GiB):
            // windows of 2-8 parts within noise of each other, 16 parts 5% and 32 parts 12%
            // slower, as the hash fell behind and its tail after the last byte grew.
            job->hash_window = pool->workers();
            job->hash_running = true;
            pool->spawn_helper([this, job] { hash_in_order(job); });
        }
        queue_parts(job);
    }

    // Queues one task per part that may start now: all of them, or with an in-order hash
    // those up to hash_window parts past the next part to hash.
    void queue_parts(const std::shared_ptr<DownloadJob>& job) {
        size_t n = 0;
        {
            std::lock_guard lock(job->mutex);
            if (job->failed) return;
            size_t allowed = job->todo.size();
            if (job->hash_window > 0) {
                allowed = static_cast<size_t>(std::upper_bound(job->todo.begin(), job->todo.end(),
                                                               job->hash_next + job->hash_window) -
                                              job->todo.begin());
            }
            if (allowed > job->queued) {
                n = allowed - job->queued;
                job->queued = allowed;
            }
        }
        for (size_t i = 0; i < n; ++i)
            pool->push_front([this, job](int) { fetch_next_part(job); });
    }

    // The lowest part nobody has taken yet (0 when the job failed).
    static int take_part(DownloadJob& job) {
        std::lock_guard lock(job.mutex);
        if (job.failed || job.todo_next >= job.todo.size()) return 0;
        return job.todo[job.todo_next++];
    }

    void fetch_next_part(const std::shared_ptr<DownloadJob>& job) {
        try {
            int k = take_part(*job);
            if (k == 0) return;
            fetch_part_or_throw(*job, k);
        } catch (const std::exception& e) {
            bool first = false;
            {
                std::lock_guard lock(job->mutex);
                first = !job->failed;
                job->failed = true;
            }
            job->cv.notify_all();
            if (is_interrupt(e)) throw;
            if (first) {
                progress.end_item(false, backend_for(job->item).url_of(job->item.key));
                failed(job->item, e);
            }
        }
    }

    // A legacy HKDF part: fetched whole into memory (its padding is its own), decrypted with
    // the part's derived key and written at its plaintext offset.
    void fetch_hkdf_part(DownloadJob& job, int k) {
        storage::Backend& be = *job.be;
        const uint64_t off = job.plan.offset(k), len = job.plan.length(k);
        std::vector<std::byte> body;
        for (int attempt = 0;; ++attempt) {
            body.clear();
            try {
                be.get(job.item.key, storage::ByteRange{off, len},
                       [&](std::span<const std::byte> d) {
                           if (cancel::requested()) cancel::check();
                           body.insert(body.end(), d.begin(), d.end());
                       });
                break;
            } catch (const http::TransportError& e) {
                if (attempt >= options.part_retries)
                    throw storage::transport_storage_error(be.scheme() == "az" ? "Azure" : "S3",
                                                           be.url_of(job.item.key), e.what(),
                                                           e.is_timeout(), e.is_tls());
            }
        }
        if (body.size() != len)
            throw Error::bad_data(fmt::format("{} sent {} bytes for part {}, expected {}.",
                                              be.url_of(job.item.key), body.size(), k, len));
        crypto::SecureBuffer plain(body.size() + kAesBlockSize);
        size_t n = decrypt_hkdf_part(job.key->span(), job.file_id, static_cast<uint64_t>(k - 1),
                                     body, plain.data(), label_of(job.item));
        job.file.pwrite_all({plain.data(), n}, static_cast<uint64_t>(k - 1) * job.hkdf_part_size);
        progress.advance(len);
        if (k == job.plan.parts) job.hkdf_last_plain = n;
    }

    void fetch_part_or_throw(DownloadJob& job, int k) {
        if (job.hkdf) {
            fetch_hkdf_part(job, k);
            part_done(job, k);
            return;
        }
        storage::Backend& be = *job.be;
        const uint64_t off = job.plan.offset(k);
        const uint64_t len = job.plan.length(k);
        // Decrypting part k > 1 needs the ciphertext block before it as IV: fetch 16 more bytes.
        const uint64_t prefix = job.decrypt && k > 1 ? kAesBlockSize : 0;
        std::unique_ptr<crypto::AesCbc> aes;
        std::byte iv_block[kAesBlockSize];
        size_t iv_have = 0;
        std::byte carry[kAesBlockSize];  // a partial AES block between sink calls
        size_t carry_len = 0;
        std::vector<std::byte> out;
        uint64_t got = 0;  // bytes of the range [off - prefix, off + len) consumed
        uint64_t write_at = off;
        if (job.decrypt && k == 1) {
            aes = std::make_unique<crypto::AesCbc>(crypto::AesCbc::Direction::decrypt,
                                                   job.key->span(), job.iv.span(), false);
        }
        // A one-part object arrives in order from its first byte: check it against the MD5 the
        // store vouches for (a plain S3 ETag, or Azure's Content-MD5).
        std::optional<ExpectedMd5> expected_md5 =
            job.plan.parts == 1 ? usable_md5(job.info) : std::nullopt;
        Md5 md5;
        auto sink = [&](std::span<const std::byte> data) {
            if (cancel::requested()) cancel::check();
            got += data.size();
            if (expected_md5) md5.update(data);
            if (!job.decrypt) {
                job.file.pwrite_all(data, write_at);
                write_at += data.size();
                progress.advance(data.size());
                return;
            }
            if (!aes) {  // still collecting the IV block
                size_t take = std::min(data.size(), kAesBlockSize - iv_have);
                std::copy_n(data.data(), take, iv_block + iv_have);
                iv_have += take;
                data = data.subspan(take);
                if (iv_have < kAesBlockSize) return;
                aes = std::make_unique<crypto::AesCbc>(
                    crypto::AesCbc::Direction::decrypt, job.key->span(),
                    std::span<const std::byte>(iv_block, kAesBlockSize), false);
            }
            if (data.empty()) return;
            // Feed whole blocks; keep the remainder for the next call.
            out.resize(carry_len + data.size() + kAesBlockSize);
            size_t produced = 0;
            if (carry_len) {
                size_t take = std::min(data.size(), kAesBlockSize - carry_len);
                std::copy_n(data.data(), take, carry + carry_len);
                carry_len += take;
                data = data.subspan(take);
                if (carry_len == kAesBlockSize) {
                    produced += aes->update({carry, kAesBlockSize}, out.data());
                    carry_len = 0;
                }
            }
            size_t whole = data.size() / kAesBlockSize * kAesBlockSize;
            if (whole) produced += aes->update(data.first(whole), out.data() + produced);
            carry_len = data.size() - whole;
            std::copy_n(data.data() + whole, carry_len, carry);
            job.file.pwrite_all({out.data(), produced}, write_at);
            write_at += produced;
            progress.advance(produced);
        };
        for (int attempt = 0;; ++attempt) {
            uint64_t start = off - prefix + got;
            uint64_t remaining = off + len - start;
            if (remaining == 0) break;
            try {
                be.get(job.item.key, storage::ByteRange{start, remaining}, sink);
                break;
            } catch (const http::TransportError& e) {
                // The connection broke mid-part: ask for the rest (the sink kept its place).
                if (attempt >= options.part_retries) {
                    throw storage::transport_storage_error(be.scheme() == "az" ? "Azure" : "S3",
                                                           be.url_of(job.item.key), e.what(),
                                                           e.is_timeout(), e.is_tls());
                }
                log::warn("part {} of {} broke after {} bytes ({}); requesting the rest", k,
                          be.url_of(job.item.key), got, e.what());
            }
        }
        if (got != len + prefix || carry_len != 0) {
            throw Error::bad_data(fmt::format("{} sent {} bytes for part {}, expected {}.",
                                              be.url_of(job.item.key), got, k, len + prefix));
        }
        if (expected_md5 && !matches(*expected_md5, md5)) {
            if (state) state->forget_download(job.state_id);
            job.file.close();
            ::unlink(job.partial.c_str());
            throw Error::bad_data(fmt::format(
                "{} arrived damaged: its MD5 does not match the store's ({}). Nothing was saved.",
                be.url_of(job.item.key), job.info.etag));
        }
        part_done(job, k);
    }

    void part_done(DownloadJob& job, int k) {
        if (state) state->record_download_part(job.state_id, k);
        bool last = false;
        {
            std::lock_guard lock(job.mutex);
            ++job.fetched;
            last = --job.remaining == 0 && !job.failed;
            job.ready.insert(k);
        }
        if (job.in_order_hash) job.cv.notify_all();
        if (last) finish(job);
    }

    // The hash thread (a helper of the pool, holding the job): parts 1..n-1 in order as they
    // land on disk, queueing more parts as it moves on (the last part is finish()'s: its
    // padding is cut first). Ends when they are hashed, the job failed, or on an interrupt.
    void hash_in_order(const std::shared_ptr<DownloadJob>& job_ptr) {
        DownloadJob& job = *job_ptr;
        try {
            for (;;) {
                int k = 0;
                {
                    std::unique_lock lock(job.mutex);
                    while (!job.failed && job.hash_next < job.plan.parts &&
                           !job.ready.count(job.hash_next)) {
                        job.cv.wait_for(lock, std::chrono::milliseconds(200));
                        cancel::check();
                    }
                    if (job.failed || job.hash_next >= job.plan.parts) break;
                    k = job.hash_next;
                }
                hash_range(job, job.plan.offset(k), job.plan.length(k));
                {
                    std::lock_guard lock(job.mutex);
                    job.hash_next = k + 1;
                }
                queue_parts(job_ptr);
            }
        } catch (...) {
            std::lock_guard lock(job.mutex);
            job.hash_error = std::current_exception();
        }
        {
            std::lock_guard lock(job.mutex);
            job.hash_running = false;
        }
        job.cv.notify_all();
    }

    // Only one thread hashes a job at a time: its hash thread, then finish().
    void hash_range(DownloadJob& job, uint64_t offset, uint64_t length) {
        job.hash_buffer.resize(8u << 20);
        for (uint64_t done = 0; done < length;) {
            size_t want =
                static_cast<size_t>(std::min<uint64_t>(job.hash_buffer.size(), length - done));
            size_t n = job.file.pread_full({job.hash_buffer.data(), want}, offset + done);
            if (n != want) throw Error::io(fmt::format("Could not read back '{}'.", job.partial));
            job.hasher.update({job.hash_buffer.data(), n});
            done += n;
            cancel::check();
        }
    }

    void finish(DownloadJob& job) {
        storage::Backend& be = *job.be;
        uint64_t size = job.info.size;
        if (job.hkdf) {
            size = *job.item.plain_size;
            uint64_t stride = job.plan.part_size;
            uint64_t expect_last =
                size - static_cast<uint64_t>(job.plan.parts - 1) * job.hkdf_part_size;
            if (job.info.size != (job.plan.parts - 1) * stride + crypto::padded_size(expect_last) ||
                (job.hkdf_last_plain && job.hkdf_last_plain != expect_last)) {
                fail_file(job, Error::bad_data(fmt::format(
                                   "{} does not have the size its platform record says ({} "
                                   "bytes decrypted). Nothing was saved.",
                                   label_of(job.item), size)));
            }
        } else if (job.decrypt) {
            // The padding is in the last plaintext block, written like any other: check and cut it.
            std::byte last[kAesBlockSize];
            if (job.file.pread_full({last, kAesBlockSize}, size - kAesBlockSize) != kAesBlockSize) {
                throw Error::io(fmt::format("Could not read back '{}'.", job.partial));
            }
            auto pad = static_cast<unsigned>(last[kAesBlockSize - 1]);
            bool ok = pad >= 1 && pad <= kAesBlockSize;
            for (unsigned i = 0; ok && i < pad; ++i)
                ok = static_cast<unsigned>(last[kAesBlockSize - 1 - i]) == pad;
            if (!ok) {
                if (state) state->forget_download(job.state_id);
                job.file.close();
                ::unlink(job.partial.c_str());
                throw Error::bad_data(
                    fmt::format("Decryption of {} failed: the key is wrong or the object is "
                                "damaged. Nothing was saved.",
                                be.url_of(job.item.key)));
            }
            size -= pad;
        }
        job.file.truncate(size);
        if (job.file.size() != size)
            throw Error::io(fmt::format("'{}' has the wrong size after download.", job.partial));
        std::string sha512;
        if (job.item.hash) {
            if (job.in_order_hash) {
                {
                    // Every part is in: the hash thread ends once it has hashed up to the last.
                    std::unique_lock lock(job.mutex);
                    job.cv.wait(lock, [&] { return !job.hash_running; });
                }
                if (job.hash_error) std::rethrow_exception(job.hash_error);
                for (; job.hash_next < job.plan.parts; ++job.hash_next)
                    hash_range(job, job.plan.offset(job.hash_next), job.plan.length(job.hash_next));
                uint64_t last_offset = job.plan.offset(job.plan.parts);
                hash_range(job, last_offset, size - last_offset);
                sha512 = job.hasher.hex_digest();
            } else {
                sha512 = hash_partial(job, size);
            }
            if (!job.item.expected_sha512.empty() && sha512 != job.item.expected_sha512)
                fail_file(job, checksum_mismatch(label_of(job.item)));
        }
        job.file.close();
        if (std::rename(job.partial.c_str(), job.dest.c_str()) != 0) {
            throw file_error(FileRole::output, job.dest, errno, "renaming into place");
        }
        if (state) state->forget_download(job.state_id);
        progress.end_item(true, be.url_of(job.item.key));
        DownloadResult r;
        r.key = job.item.key;
        r.url = be.url_of(job.item.key);
        r.path = job.dest;
        r.size = size;
        r.etag = job.info.etag;
        r.decrypted = job.decrypt;
        r.parts = job.plan.parts;
        r.parts_fetched = job.fetched;
        r.resumed = job.resumed;
        r.sha512 = sha512;
        done(r);
    }

    // A verification failure: the partial file and its resume state go (a rerun starts over).
    [[noreturn]] void fail_file(DownloadJob& job, const Error& e) {
        if (state) state->forget_download(job.state_id);
        job.file.close();
        ::unlink(job.partial.c_str());
        throw e;
    }

    std::string hash_partial(DownloadJob& job, uint64_t size) {
        crypto::Sha512 h;
        std::vector<std::byte> buf(8u << 20);
        for (uint64_t off = 0; off < size;) {
            size_t want = static_cast<size_t>(std::min<uint64_t>(buf.size(), size - off));
            size_t n = job.file.pread_full({buf.data(), want}, off);
            if (n != want) throw Error::io(fmt::format("Could not read back '{}'.", job.partial));
            h.update({buf.data(), n});
            off += n;
            cancel::check();
        }
        return h.hex_digest();
    }
};

Downloader::Downloader(storage::Backend& backend, TransferState* state, Progress& progress,
                       DownloadOptions options)
    : impl_(std::make_unique<Impl>(backend, state, progress, std::move(options))) {}

Downloader::~Downloader() = default;

void Downloader::run(const std::vector<DownloadItem>& items, const DoneFn& on_done,
                     const ErrorFn& on_error) {
    impl_->on_done = &on_done;
    impl_->on_error = &on_error;
    TaskPool pool(std::max(1, impl_->options.concurrency));
    impl_->pool = &pool;
    for (const auto& item : items) {
        pool.push_back([this, item](int) { impl_->start_file(item); });
    }
    pool.wait();
    impl_->pool = nullptr;
}

}  // namespace ri::transfer
