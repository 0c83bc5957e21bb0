#include "crypto/file_encryptor.hpp"

#include <array>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/cancel.hpp"
#include "crypto/aes_cbc.hpp"
#include "crypto/secure_buffer.hpp"
#include "crypto/sha512.hpp"

namespace ri::crypto {

EncryptResult encrypt_file(File& in, File& out, std::span<const std::byte> key,
                           std::span<const std::byte> iv, const ProgressFn& progress,
                           size_t chunk) {
    constexpr uint64_t kSlots = 4;
    std::array<SecureBuffer, kSlots> slots;
    std::array<size_t, kSlots> lengths{};
    for (auto& s : slots)
        s = SecureBuffer(chunk);
    SecureBuffer cipher(chunk + kAesBlockSize);

    std::mutex mutex;
    std::condition_variable cv;
    uint64_t published = 0;  // chunks read and handed to the hasher
    uint64_t hashed = 0;     // chunks the hasher is finished with
    bool eof = false, abort = false;
    std::string digest;

    std::thread hasher = cancel::spawn([&] {
        Sha512 sha;
        for (uint64_t i = 0;; ++i) {
            std::unique_lock lock(mutex);
            cv.wait(lock, [&] { return abort || published > i || eof; });
            if (abort) return;
            if (published == i) break;  // eof and all hashed
            size_t idx = i % kSlots;
            size_t len = lengths[idx];
            lock.unlock();
            sha.update({slots[idx].data(), len});
            lock.lock();
            hashed = i + 1;
            cv.notify_all();
        }
        digest = sha.hex_digest();
    });
    // Whatever happens below, the hasher thread is stopped and joined before buffers go away.
    struct Joiner {
        std::thread& t;
        std::mutex& m;
        std::condition_variable& cv;
        bool& abort;
        bool done = false;
        void finish(bool abort_now) {
            if (done) return;
            done = true;
            {
                std::lock_guard lock(m);
                if (abort_now) abort = true;
            }
            cv.notify_all();
            t.join();
        }
        ~Joiner() { finish(true); }
    } joiner{hasher, mutex, cv, abort};

    in.advise_sequential();
    AesCbc aes(AesCbc::Direction::encrypt, key, iv, /*padding=*/true);
    EncryptResult result;
    for (uint64_t i = 0;; ++i) {
        cancel::check();
        size_t idx = i % kSlots;
        {
            std::unique_lock lock(mutex);
            cv.wait(lock, [&] { return i - hashed < kSlots; });
        }
        size_t n = in.read_full(slots[idx].span());
        if (n > 0) {
            {
                std::lock_guard lock(mutex);
                lengths[idx] = n;
                published = i + 1;
            }
            cv.notify_all();
            size_t w = aes.update({slots[idx].data(), n}, cipher.data());
            out.write_all({cipher.data(), w});
            result.size += n;
            result.encrypted_size += w;
            if (progress) progress(n);
        }
        if (n < chunk) break;  // read_full only returns short at end of file
    }
    size_t w = 0;
    aes.finish(cipher.data(), w);
    out.write_all({cipher.data(), w});
    result.encrypted_size += w;
    {
        std::lock_guard lock(mutex);
        eof = true;
    }
    joiner.finish(false);
    result.sha512 = digest;
    return result;
}

}  // namespace ri::crypto
