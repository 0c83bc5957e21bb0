#include "ratelimit/limiter.hpp"

#include <algorithm>
#include <thread>

#include "core/cancel.hpp"

namespace ri::ratelimit {

namespace {

// Ctrl+C during a long wait (a cool-down after a 429) is noticed at once.
void interruptible_sleep(Duration wait) {
    cancel::sleep_for(std::chrono::duration_cast<std::chrono::nanoseconds>(wait));
}

}  // namespace

LocalLimiter::LocalLimiter(std::function<void(Duration)> sleep,
                           std::function<Clock::time_point()> now)
    : sleep_(sleep ? std::move(sleep) : interruptible_sleep) {
    for (Scope scope : all_scopes) {
        ScopeLimit limit = default_limit(scope);
        buckets_[static_cast<size_t>(scope)] =
            std::make_unique<TokenBucket>(limit.target_per_second(), limit.burst, now);
    }
}

void LocalLimiter::acquire(Scope scope, int count) {
    Duration wait = bucket(scope).reserve(count);
    if (wait.count() <= 0) return;
    sleep_(wait);
    // A 429 that arrived while this call waited its turn pauses it too.
    for (int round = 0; round < 3; ++round) {
        Duration more = bucket(scope).cool_down_remaining();
        if (more.count() <= 0) return;
        sleep_(more);
    }
}

void LocalLimiter::throttled(Scope scope, std::chrono::milliseconds retry_after) {
    bucket(scope).cool_down(retry_after);
}

}  // namespace ri::ratelimit
