#include "transfer/hash_tap.hpp"

#include <fmt/format.h>

#include "core/cancel.hpp"
#include "core/error.hpp"
#include "core/file.hpp"
#include "crypto/file_hasher.hpp"

namespace ri::transfer {

namespace {
std::atomic<int> g_rings{0};  // HashTaps holding part buffers, process-wide
}

HashTap::HashTap(std::string source, uint64_t size,
                 std::shared_ptr<std::promise<std::string>> result)
    : source_(std::move(source)), size_(size), result_(std::move(result)) {}

HashTap::~HashTap() {
    stop();
}

void HashTap::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    cv_.notify_all();
    if (thread_.joinable()) thread_.join();
}

// With mutex_ held.
void HashTap::start(bool ring) {
    started_ = true;
    ring_ = ring;
    thread_ = cancel::spawn([this, ring] {
        try {
            if (ring)
                hash_ring();
            else
                hash_file();
        } catch (...) {
            try {
                result_->set_exception(std::current_exception());
            } catch (const std::future_error&) {  // a result was set already
            }
        }
        if (ring) g_rings.fetch_sub(1);
    });
}

std::span<std::byte> HashTap::borrow(size_t n) {
    std::unique_lock lock(mutex_);
    if (!started_) {
        int held = g_rings.load();
        bool got = false;
        while (held < kMaxRings && !(got = g_rings.compare_exchange_weak(held, held + 1))) {
        }
        start(got);
    }
    if (!ring_) return {};
    cv_.wait(lock, [&] { return stopping_ || !busy_[lend_]; });
    // Not an interrupt: that would stop every other file's upload too.
    if (stopping_) throw Error::internal("the hash of this upload was stopped");
    if (slots_[lend_].size() < n) slots_[lend_].resize(n);
    lent_ = lend_;
    lend_ = (lend_ + 1) % kSlots;
    return {slots_[lent_].data(), n};
}

void HashTap::give(size_t n) {
    {
        std::lock_guard lock(mutex_);
        if (!ring_ || lent_ < 0) throw Error::internal("HashTap::give without a borrowed buffer");
        busy_[lent_] = true;
        queue_.emplace_back(lent_, n);
        lent_ = -1;
    }
    cv_.notify_all();
}

void HashTap::not_in_order() {
    std::lock_guard lock(mutex_);
    if (started_) {
        if (ring_) throw Error::internal("HashTap::not_in_order after bytes were given");
        return;
    }
    start(false);
}

void HashTap::hash_ring() {
    uint64_t hashed = 0;
    while (hashed < size_) {
        std::pair<int, size_t> next;
        {
            std::unique_lock lock(mutex_);
            while (!stopping_ && queue_.empty()) {
                cv_.wait_for(lock, std::chrono::milliseconds(200));
                if (cancel::requested()) return;
            }
            if (stopping_) return;
            next = queue_.front();
            queue_.erase(queue_.begin());
        }
        sha_.update({slots_[next.first].data(), next.second});
        hashed += next.second;
        {
            std::lock_guard lock(mutex_);
            busy_[next.first] = false;
        }
        cv_.notify_all();
    }
    if (hashed != size_)
        throw Error::io(fmt::format("'{}' changed while it was being uploaded.", source_));
    result_->set_value(sha_.hex_digest());
}

void HashTap::hash_file() {
    File f = File::open_read(source_);
    // Asked after every chunk: a stopped tap (a failed upload) does not read on to the end.
    auto hashed = crypto::hash_file(f, [this](uint64_t) {
        if (stopping_ || cancel::requested()) throw Error::interrupted("the upload was stopped");
    });
    result_->set_value(hashed.sha512);
}

}  // namespace ri::transfer
