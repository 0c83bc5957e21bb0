// What API callers see of rate limiting: acquire a token of a scope before each call, report a
// 429 after one. LocalLimiter keeps the buckets in this process; the cross-process coordinator
// (ri-ratelimitd) implements the same interface, so callers never change.
#pragma once

#include <array>
#include <chrono>
#include <functional>
#include <memory>

#include "ratelimit/scope.hpp"
#include "ratelimit/token_bucket.hpp"

namespace ri::ratelimit {

class Limiter {
  public:
    virtual ~Limiter() = default;
    // Blocks until the call may go out. Cancellation (ri::cancel) interrupts the wait.
    virtual void acquire(Scope scope, int count = 1) = 0;
    // The server answered 429: pause the scope for retry_after (every caller of this limiter).
    virtual void throttled(Scope scope, std::chrono::milliseconds retry_after) = 0;
};

// Buckets at 85% of each scope's limit with the reference's burst sizes.
class LocalLimiter : public Limiter {
  public:
    // sleep: how to wait (tests pass a fake); default sleeps the thread in small slices so a
    // Ctrl+C is noticed.
    explicit LocalLimiter(
        std::function<void(Duration)> sleep = {},
        std::function<Clock::time_point()> now = [] { return Clock::now(); });
    void acquire(Scope scope, int count = 1) override;
    void throttled(Scope scope, std::chrono::milliseconds retry_after) override;
    TokenBucket& bucket(Scope scope) { return *buckets_[static_cast<size_t>(scope)]; }

  private:
    std::function<void(Duration)> sleep_;
    std::array<std::unique_ptr<TokenBucket>, 3> buckets_;
};

// No limiting (tests, or a sandbox run with --rate-limits off).
class UnlimitedLimiter : public Limiter {
  public:
    void acquire(Scope, int) override {}
    void throttled(Scope, std::chrono::milliseconds) override {}
};

}  // namespace ri::ratelimit
