#include "ratelimit/token_bucket.hpp"

#include <algorithm>

namespace ri::ratelimit {

TokenBucket::TokenBucket(double rate_per_second, double burst,
                         std::function<Clock::time_point()> now)
    : rate_(rate_per_second), burst_(burst), now_(std::move(now)), tokens_(burst), last_(now_()) {}

void TokenBucket::refill(Clock::time_point now) {
    if (now <= last_) return;
    // Nothing accrues while cooling down: the server asked for silence until then.
    Clock::time_point from = std::max(last_, cool_until_);
    if (now > from) tokens_ = std::min(burst_, tokens_ + Duration(now - from).count() * rate_);
    last_ = now;
}

Duration TokenBucket::reserve(double n) {
    std::lock_guard lock(mutex_);
    auto now = now_();
    refill(now);
    Duration cooling = now < cool_until_ ? Duration(cool_until_ - now) : Duration(0);
    tokens_ -= n;
    Duration debt = tokens_ >= 0 ? Duration(0) : Duration(-tokens_ / rate_);
    return cooling + debt;
}

Duration TokenBucket::try_take(double n) {
    std::lock_guard lock(mutex_);
    auto now = now_();
    refill(now);
    if (now < cool_until_)
        return Duration(cool_until_ - now) + Duration(std::max(0.0, n - tokens_) / rate_);
    if (tokens_ >= n) {
        tokens_ -= n;
        return Duration(0);
    }
    return Duration((n - tokens_) / rate_);
}

void TokenBucket::cool_down(Duration for_how_long) {
    std::lock_guard lock(mutex_);
    auto now = now_();
    refill(now);
    tokens_ = std::min(tokens_, 0.0);
    auto until = now + std::chrono::duration_cast<Clock::duration>(for_how_long);
    cool_until_ = std::max(cool_until_, until);
}

void TokenBucket::set_tokens(double level) {
    std::lock_guard lock(mutex_);
    refill(now_());
    tokens_ = std::min(burst_, level);
}

Duration TokenBucket::cool_down_remaining() {
    std::lock_guard lock(mutex_);
    auto now = now_();
    return now < cool_until_ ? Duration(cool_until_ - now) : Duration(0);
}

double TokenBucket::tokens() {
    std::lock_guard lock(mutex_);
    refill(now_());
    return tokens_;
}

}  // namespace ri::ratelimit
