// The SHA-512 of a platform upload's plaintext, from the bytes the encryptor reads
// (PlaintextTap), on a thread of its own.
//
// In order: kSlots buffers of a piece (kTapPiece), lent to the encryptor in turn and hashed as
// they come back, so the file is read once and encryption runs at most kSlots - 1 pieces ahead
// of the hash. When the
// upload does not read the file in order from its first byte (a resumed upload, a file sent in
// one PUT) or more than kMaxRings files already hold buffers, the thread hashes a read of the
// file instead. The result (or the error) arrives through the promise.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "crypto/sha512.hpp"
#include "transfer/plaintext_tap.hpp"

namespace ri::transfer {

class HashTap final : public PlaintextTap {
  public:
    // Files whose plaintext is hashed from lent buffers at once; others hash a read of the
    // file, so memory stays bounded (kMaxRings x kSlots x kTapPiece) however many files upload.
    static constexpr int kMaxRings = 2;
    static constexpr int kSlots = 4;

    HashTap(std::string source, uint64_t size, std::shared_ptr<std::promise<std::string>> result);
    ~HashTap() override;
    HashTap(const HashTap&) = delete;
    HashTap& operator=(const HashTap&) = delete;

    std::span<std::byte> borrow(size_t n) override;
    void give(size_t n) override;
    void not_in_order() override;
    // Ends the thread without a result (the upload failed or was interrupted).
    void stop();

  private:
    void hash_ring();
    void hash_file();
    void start(bool ring);

    const std::string source_;
    const uint64_t size_;
    std::shared_ptr<std::promise<std::string>> result_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool started_ = false;
    bool ring_ = false;  // holds one of the kMaxRings
    std::atomic<bool> stopping_{false};
    std::vector<std::byte> slots_[kSlots];
    bool busy_[kSlots] = {};                     // given, not hashed yet
    int lend_ = 0;                               // the slot the next borrow() lends
    int lent_ = -1;                              // the slot lent last, until give()
    std::vector<std::pair<int, size_t>> queue_;  // given slots in order, and their sizes
    crypto::Sha512 sha_;
    std::thread thread_;
};

}  // namespace ri::transfer
