#include "crypto/file_decryptor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

#include "core/cancel.hpp"
#include "core/error.hpp"
#include "crypto/aes_cbc.hpp"
#include "crypto/hkdf.hpp"
#include "crypto/secure_buffer.hpp"
#include "crypto/sha512.hpp"

namespace ri::crypto {
namespace {

Error wrong_key_error(std::string detail) {
    return Error::bad_data(
        "Decryption failed: the key or IV is wrong, or the encrypted file is damaged.",
        std::move(detail));
}

void check_whole_blocks(uint64_t size, const std::string& path) {
    if (size == 0) {
        throw Error::bad_data(
            fmt::format("'{}' is empty: it is not AES-CBC ciphertext (even an empty file encrypts "
                        "to 16 bytes).",
                        path));
    }
    if (size % kAesBlockSize != 0) {
        throw Error::bad_data(
            fmt::format("'{}' is {} bytes, not a whole number of 16-byte AES blocks: the file is "
                        "truncated or not in this format.",
                        path, size));
    }
}

// PKCS7 pad length of a decrypted last block, or 0 if the padding is invalid.
unsigned pkcs7_pad(const std::byte* last_block) {
    auto pad = static_cast<unsigned>(last_block[kAesBlockSize - 1]);
    if (pad < 1 || pad > kAesBlockSize) return 0;
    for (unsigned i = 0; i < pad; ++i) {
        if (static_cast<unsigned>(last_block[kAesBlockSize - 1 - i]) != pad) return 0;
    }
    return pad;
}

// A file made of CBC segments: segment s covers ciphertext [s*stride, min((s+1)*stride, size))
// and plaintext from s*plain_stride. Whole-file CBC is one segment.
struct Layout {
    uint64_t size = 0;          // ciphertext bytes
    uint64_t stride = 0;        // ciphertext bytes per full segment
    uint64_t plain_stride = 0;  // plaintext bytes per full segment
    uint64_t segments = 0;
    std::function<void(uint64_t segment, SecureBuffer& key, SecureBuffer& iv)> segment_key;
};

class SegmentedCbcDecryptor {
  public:
    SegmentedCbcDecryptor(const File& in, File& out, Layout layout, const DecryptOptions& o)
        : in_(in),
          out_(out),
          layout_(std::move(layout)),
          options_(o),
          chunk_(o.chunk - o.chunk % kAesBlockSize) {
        chunks_per_segment_ = (layout_.stride + chunk_ - 1) / chunk_;
        uint64_t last_len = layout_.size - (layout_.segments - 1) * layout_.stride;
        total_chunks_ =
            (layout_.segments - 1) * chunks_per_segment_ + (last_len + chunk_ - 1) / chunk_;
        unsigned hw = std::max(1u, std::thread::hardware_concurrency());
        workers_ = o.threads ? o.threads : std::min(4u, hw);
        workers_ = static_cast<unsigned>(
            std::max<uint64_t>(1, std::min<uint64_t>(workers_, total_chunks_)));
        slots_.resize(workers_ * 2 + 2);
        for (auto& s : slots_)
            s.buf = SecureBuffer(chunk_ + kAesBlockSize);
    }

    DecryptResult run() {
        std::vector<std::thread> threads;
        for (unsigned i = 0; i < workers_; ++i)
            threads.push_back(cancel::spawn([this] { guarded([this] { decrypt_loop(); }); }));
        if (options_.hash)
            threads.push_back(cancel::spawn([this] { guarded([this] { hash_loop(); }); }));
        guarded([this] { write_loop(); });
        for (auto& t : threads)
            t.join();
        if (error_) std::rethrow_exception(error_);
        return {digest_, plain_total_};
    }

  private:
    struct Slot {
        SecureBuffer buf;             // [16 bytes of IV room | chunk]
        uint64_t chunk = UINT64_MAX;  // which chunk the slot holds when ready
        bool ready = false;
        uint64_t plain_off = 0;
        size_t plain_len = 0;
        size_t enc_len = 0;
    };

    void guarded(const std::function<void()>& fn) {
        try {
            fn();
        } catch (...) {
            std::lock_guard lock(mutex_);
            if (!error_) error_ = std::current_exception();
            stop_ = true;
            cv_.notify_all();
        }
    }

    uint64_t released() const { return options_.hash ? std::min(written_, hashed_) : written_; }

    void decrypt_loop() {
        SecureBuffer key(kAesKeySize), seg_iv(kAesBlockSize);
        uint64_t key_segment = UINT64_MAX;
        for (;;) {
            uint64_t k;
            {
                std::unique_lock lock(mutex_);
                if (stop_ || next_ >= total_chunks_) return;
                k = next_++;
                // The slot is free once chunk k - slots has been written and hashed.
                cv_.wait(lock, [&] { return stop_ || k < slots_.size() + released(); });
                if (stop_) return;
            }
            if (cancel::requested()) cancel::check();
            Slot& slot = slots_[k % slots_.size()];
            uint64_t seg = k / chunks_per_segment_, j = k % chunks_per_segment_;
            uint64_t seg_start = seg * layout_.stride;
            uint64_t seg_len = std::min(layout_.stride, layout_.size - seg_start);
            uint64_t off = seg_start + j * chunk_;
            size_t len = static_cast<size_t>(std::min<uint64_t>(chunk_, seg_len - j * chunk_));
            bool last_of_segment = j * chunk_ + len == seg_len;
            if (seg != key_segment) {
                layout_.segment_key(seg, key, seg_iv);
                key_segment = seg;
            }
            std::byte* data = slot.buf.data() + kAesBlockSize;
            size_t want = j == 0 ? len : len + kAesBlockSize;
            std::byte* dst = j == 0 ? data : slot.buf.data();
            if (in_.pread_full({dst, want}, j == 0 ? off : off - kAesBlockSize) != want) {
                throw Error::io(fmt::format("'{}' changed while it was being read.", in_.path()));
            }
            std::byte iv[kAesBlockSize];
            std::copy_n(j == 0 ? seg_iv.data() : slot.buf.data(), kAesBlockSize, iv);
            AesCbc aes(AesCbc::Direction::decrypt, key.span(), {iv, kAesBlockSize},
                       /*padding=*/false);
            aes.update({data, len}, data);
            size_t plain_len = len;
            if (last_of_segment) {
                unsigned pad = pkcs7_pad(data + len - kAesBlockSize);
                if (pad == 0)
                    throw wrong_key_error(
                        fmt::format("bad PKCS7 padding at the end of segment {}", seg));
                plain_len -= pad;
                uint64_t seg_plain = seg_len - pad;
                if (seg + 1 < layout_.segments && seg_plain != layout_.plain_stride) {
                    throw wrong_key_error(
                        fmt::format("part {} decrypted to {} bytes, not the part size {}", seg,
                                    seg_plain, layout_.plain_stride));
                }
            }
            std::lock_guard lock(mutex_);
            slot.chunk = k;
            slot.plain_off = seg * layout_.plain_stride + j * chunk_;
            slot.plain_len = plain_len;
            slot.enc_len = len;
            slot.ready = true;
            cv_.notify_all();
        }
    }

    Slot* wait_ready(uint64_t k) {
        std::unique_lock lock(mutex_);
        Slot& slot = slots_[k % slots_.size()];
        cv_.wait(lock, [&] { return stop_ || (slot.ready && slot.chunk == k); });
        return stop_ ? nullptr : &slot;
    }

    void release(uint64_t& counter, uint64_t k) {
        std::lock_guard lock(mutex_);
        counter = k + 1;
        if (released() > k) slots_[k % slots_.size()].ready = false;
        cv_.notify_all();
    }

    void write_loop() {
        for (uint64_t k = 0; k < total_chunks_; ++k) {
            Slot* slot = wait_ready(k);
            if (!slot) return;
            out_.pwrite_all({slot->buf.data() + kAesBlockSize, slot->plain_len}, slot->plain_off);
            plain_total_ += slot->plain_len;
            if (options_.progress) options_.progress(slot->enc_len);
            release(written_, k);
        }
    }

    void hash_loop() {
        Sha512 sha;
        for (uint64_t k = 0; k < total_chunks_; ++k) {
            Slot* slot = wait_ready(k);
            if (!slot) return;
            sha.update({slot->buf.data() + kAesBlockSize, slot->plain_len});
            release(hashed_, k);
        }
        digest_ = sha.hex_digest();
    }

    const File& in_;
    File& out_;
    Layout layout_;
    const DecryptOptions& options_;
    size_t chunk_;
    uint64_t chunks_per_segment_ = 0;
    uint64_t total_chunks_ = 0;
    unsigned workers_ = 1;
    std::vector<Slot> slots_;

    std::mutex mutex_;
    std::condition_variable cv_;
    uint64_t next_ = 0;
    uint64_t written_ = 0;
    uint64_t hashed_ = 0;
    bool stop_ = false;
    std::exception_ptr error_;
    std::string digest_;
    uint64_t plain_total_ = 0;
};

}  // namespace

uint64_t cbc_plaintext_size(const File& in, std::span<const std::byte> key,
                            std::span<const std::byte> iv) {
    uint64_t size = in.size();
    check_whole_blocks(size, in.path());
    std::byte tail[2 * kAesBlockSize];
    size_t n = size >= sizeof tail ? sizeof tail : kAesBlockSize;
    if (in.pread_full({tail, n}, size - n) != n)
        throw Error::io(fmt::format("'{}' changed while it was being read.", in.path()));
    std::span<const std::byte> block_iv =
        n == sizeof tail ? std::span<const std::byte>(tail, kAesBlockSize) : iv;
    AesCbc aes(AesCbc::Direction::decrypt, key, block_iv, /*padding=*/false);
    std::byte plain[kAesBlockSize];
    aes.update({tail + n - kAesBlockSize, kAesBlockSize}, plain);
    unsigned pad = pkcs7_pad(plain);
    OPENSSL_cleanse(plain, sizeof plain);
    if (pad == 0) throw wrong_key_error("bad PKCS7 padding in the last block");
    return size - pad;
}

DecryptResult decrypt_cbc_file(const File& in, File& out, std::span<const std::byte> key,
                               std::span<const std::byte> iv, const DecryptOptions& options) {
    cbc_plaintext_size(in, key, iv);  // validates size and padding before any work
    Layout layout;
    layout.size = in.size();
    layout.stride = layout.size;
    layout.plain_stride = 0;
    layout.segments = 1;
    layout.segment_key = [&](uint64_t, SecureBuffer& k, SecureBuffer& v) {
        std::copy(key.begin(), key.end(), k.data());
        std::copy(iv.begin(), iv.end(), v.data());
    };
    return SegmentedCbcDecryptor(in, out, std::move(layout), options).run();
}

DecryptResult decrypt_hkdf_file(const File& in, File& out, const HkdfFormat& format,
                                const DecryptOptions& options) {
    if (format.master_key.size() != kAesKeySize)
        throw Error::usage("The master key must be 32 bytes.");
    if (format.file_id.size() != 32)
        throw Error::usage("The file id of the HKDF format must be 32 bytes.");
    if (format.part_size == 0) throw Error::usage("The part size must be at least 1 byte.");
    Layout layout;
    layout.size = in.size();
    check_whole_blocks(layout.size, in.path());
    layout.stride = padded_size(format.part_size);
    layout.plain_stride = format.part_size;
    layout.segments = (layout.size + layout.stride - 1) / layout.stride;
    layout.segment_key = [&](uint64_t segment, SecureBuffer& k, SecureBuffer& v) {
        PartKey pk = derive_part_key(format.master_key, format.file_id, segment);
        std::copy_n(pk.key.data(), kAesKeySize, k.data());
        std::copy_n(pk.iv.data(), kAesBlockSize, v.data());
    };
    return SegmentedCbcDecryptor(in, out, std::move(layout), options).run();
}

}  // namespace ri::crypto
