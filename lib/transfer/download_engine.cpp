#include "transfer/download_engine.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
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

    std::mutex mutex;
    int remaining = 0;
    int fetched = 0;
    bool failed = false;
};

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

    static bool is_interrupt(const std::exception& e) {
        const auto* err = dynamic_cast<const Error*>(&e);
        return err && err->code() == ExitCode::interrupted;
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
            progress.end_item(false);
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
                r.url = backend.url_of(item.key);
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

    Error encrypted_without_key(const std::string& key) const {
        return Error::usage(
            fmt::format("{} is encrypted (it has iv metadata): give --key or --key-file to decrypt "
                        "it, or --raw to save the "
                        "ciphertext.",
                        backend.url_of(key)));
    }

    // An object known from the listing and no bigger than one part: one GET into memory, whose
    // response headers carry the metadata a HEAD would have fetched (half the requests for a
    // directory of small files), then checked, decrypted if needed, and written atomically.
    void download_small(const DownloadItem& item) {
        auto dest = claim_destination(item, item.known->etag);
        if (!dest) return;
        std::string url = backend.url_of(item.key);
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
                info = backend.get(item.key, std::nullopt, [&](std::span<const std::byte> data) {
                    if (cancel::requested()) cancel::check();
                    body.insert(body.end(), data.begin(), data.end());
                });
                break;
            } catch (const http::TransportError& e) {
                if (attempt >= options.part_retries) {
                    throw storage::transport_storage_error(
                        backend.scheme() == "az" ? "Azure" : "S3", url, e.what(), e.is_timeout(),
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
        if (auto iv_it = info.metadata.find("iv"); iv_it != info.metadata.end() && !options.raw) {
            if (!options.decryption_key) throw encrypted_without_key(item.key);
            auto iv = crypto::base64_decode(iv_it->second);
            if (!iv || iv->size() != kAesBlockSize)
                throw Error::bad_data(fmt::format("{} has an invalid iv metadata value.", url));
            if (body.empty() || body.size() % kAesBlockSize != 0) {
                throw Error::bad_data(
                    fmt::format("{} is {} bytes: not AES-CBC ciphertext (truncated or damaged).",
                                url, body.size()));
            }
            plain = crypto::SecureBuffer(body.size() + kAesBlockSize);
            crypto::AesCbc aes(crypto::AesCbc::Direction::decrypt, options.decryption_key->span(),
                               *iv, true);
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
        AtomicOutput file(*dest);
        file.file().write_all(out);
        file.commit();
        progress.advance(body.size());
        progress.end_item(true);
        DownloadResult r;
        r.key = item.key;
        r.url = url;
        r.path = *dest;
        r.size = out.size();
        r.etag = info.etag;
        r.decrypted = decrypted;
        r.parts_fetched = 1;
        done(r);
    }

    void start_file_or_throw(const DownloadItem& item) {
        if (item.known && item.known->size <= options.part_size) {
            download_small(item);
            return;
        }
        std::optional<storage::ObjectInfo> info = backend.head(item.key);
        if (!info) {
            throw storage::storage_error(backend.scheme() == "az" ? "Azure" : "S3",
                                         backend.url_of(item.key), 404, "NoSuchKey", "not found");
        }
        auto dest = claim_destination(item, info->etag);
        if (!dest) return;
        auto job = std::make_shared<DownloadJob>();
        job->item = item;
        job->info = *info;
        job->dest = *dest;
        auto iv_it = info->metadata.find("iv");
        if (iv_it != info->metadata.end() && !options.raw) {
            if (!options.decryption_key) throw encrypted_without_key(item.key);
            auto iv = crypto::base64_decode(iv_it->second);
            if (!iv || iv->size() != kAesBlockSize) {
                throw Error::bad_data(
                    fmt::format("{} has an invalid iv metadata value.", backend.url_of(item.key)));
            }
            std::copy(iv->begin(), iv->end(), job->iv.data());
            if (info->size == 0 || info->size % kAesBlockSize != 0) {
                throw Error::bad_data(
                    fmt::format("{} is {} bytes: not AES-CBC ciphertext (truncated or damaged).",
                                backend.url_of(item.key), info->size));
            }
            job->decrypt = true;
        }
        job->plan = plan_download(info->size, options.part_size);
        job->partial = job->dest + kPartialSuffix;
        fs::path dir = fs::path(job->dest).parent_path();
        if (dir.empty()) dir = ".";
        std::error_code ec;
        fs::create_directories(dir, ec);
        if (ec) throw file_error(FileRole::output, dir.string(), ec.value(), "creating");

        std::vector<int> done_parts;
        std::string url = backend.url_of(item.key);
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
        std::vector<int> missing;
        for (int k = 1; k <= job->plan.parts; ++k) {
            if (!skip.count(k)) missing.push_back(k);
        }
        job->remaining = static_cast<int>(missing.size());
        if (missing.empty()) {
            finish(*job);
            return;
        }
        for (auto it = missing.rbegin(); it != missing.rend(); ++it) {
            int k = *it;
            pool->push_front([this, job, k](int) { fetch_part(job, k); });
        }
    }

    void fetch_part(const std::shared_ptr<DownloadJob>& job, int k) {
        try {
            {
                std::lock_guard lock(job->mutex);
                if (job->failed) return;
            }
            fetch_part_or_throw(*job, k);
        } catch (const std::exception& e) {
            bool first = false;
            {
                std::lock_guard lock(job->mutex);
                first = !job->failed;
                job->failed = true;
            }
            if (is_interrupt(e)) throw;
            if (first) {
                progress.end_item(false);
                failed(job->item, e);
            }
        }
    }

    void fetch_part_or_throw(DownloadJob& job, int k) {
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
                                                   options.decryption_key->span(), job.iv.span(),
                                                   false);
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
                    crypto::AesCbc::Direction::decrypt, options.decryption_key->span(),
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
                backend.get(job.item.key, storage::ByteRange{start, remaining}, sink);
                break;
            } catch (const http::TransportError& e) {
                // The connection broke mid-part: ask for the rest (the sink kept its place).
                if (attempt >= options.part_retries) {
                    throw storage::transport_storage_error(
                        backend.scheme() == "az" ? "Azure" : "S3", backend.url_of(job.item.key),
                        e.what(), e.is_timeout(), e.is_tls());
                }
                log::warn("part {} of {} broke after {} bytes ({}); requesting the rest", k,
                          backend.url_of(job.item.key), got, e.what());
            }
        }
        if (got != len + prefix || carry_len != 0) {
            throw Error::bad_data(fmt::format("{} sent {} bytes for part {}, expected {}.",
                                              backend.url_of(job.item.key), got, k, len + prefix));
        }
        if (expected_md5 && !matches(*expected_md5, md5)) {
            if (state) state->forget_download(job.state_id);
            job.file.close();
            ::unlink(job.partial.c_str());
            throw Error::bad_data(fmt::format(
                "{} arrived damaged: its MD5 does not match the store's ({}). Nothing was saved.",
                backend.url_of(job.item.key), job.info.etag));
        }
        if (state) state->record_download_part(job.state_id, k);
        bool last = false;
        {
            std::lock_guard lock(job.mutex);
            ++job.fetched;
            last = --job.remaining == 0 && !job.failed;
        }
        if (last) finish(job);
    }

    void finish(DownloadJob& job) {
        uint64_t size = job.info.size;
        if (job.decrypt) {
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
                                backend.url_of(job.item.key)));
            }
            size -= pad;
        }
        job.file.truncate(size);
        if (job.file.size() != size)
            throw Error::io(fmt::format("'{}' has the wrong size after download.", job.partial));
        job.file.close();
        if (std::rename(job.partial.c_str(), job.dest.c_str()) != 0) {
            throw file_error(FileRole::output, job.dest, errno, "renaming into place");
        }
        if (state) state->forget_download(job.state_id);
        progress.end_item(true);
        DownloadResult r;
        r.key = job.item.key;
        r.url = backend.url_of(job.item.key);
        r.path = job.dest;
        r.size = size;
        r.etag = job.info.etag;
        r.decrypted = job.decrypt;
        r.parts = job.plan.parts;
        r.parts_fetched = job.fetched;
        r.resumed = job.resumed;
        done(r);
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
