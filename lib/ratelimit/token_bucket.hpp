// A token bucket with an injectable clock: the client side reserves tokens and sleeps for the
// wait it is given; the sandbox's server side only takes a token when one is there and
// otherwise answers 429 with the wait. A cool-down (after a 429 with Retry-After) empties the
// bucket and holds it empty until the given time. Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>

namespace ri::ratelimit {

using Clock = std::chrono::steady_clock;
using Duration = std::chrono::duration<double>;  // seconds

class TokenBucket {
  public:
    // now: the clock (tests pass a fake one).
    TokenBucket(
        double rate_per_second, double burst,
        std::function<Clock::time_point()> now = [] { return Clock::now(); });

    // Takes n tokens now, possibly going into debt, and returns how long the caller must wait
    // before its call may go out (zero when tokens were there). Callers that reserve in turn are
    // spaced at the bucket's rate.
    Duration reserve(double n = 1);
    // Takes n tokens only if they are there now; otherwise takes nothing and returns the time
    // until they will be.
    Duration try_take(double n = 1);
    // Empties the bucket and keeps it empty until now + for.
    void cool_down(Duration for_how_long);

    double tokens();  // current level (negative while in debt)
    Duration cool_down_remaining();
    // Sets the level now (a restored or deliberately empty bucket), capped at the burst.
    void set_tokens(double level);
    double rate() const { return rate_; }
    double burst() const { return burst_; }

  private:
    void refill(Clock::time_point now);

    double rate_;
    double burst_;
    std::function<Clock::time_point()> now_;
    std::mutex mutex_;
    double tokens_;
    Clock::time_point last_;
    Clock::time_point cool_until_{};
};

}  // namespace ri::ratelimit
