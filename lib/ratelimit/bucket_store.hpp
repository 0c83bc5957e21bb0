// Where the coordinator keeps its buckets: in its own memory (one host) or in Redis (many
// hosts). Acquire reserves tokens and says how long the caller must wait; it never blocks, so
// one daemon thread serves every client.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ratelimit/scope.hpp"
#include "ratelimit/token_bucket.hpp"

namespace ri::ratelimit {

struct Grant {
    double wait_seconds = 0;
    // Calls asked for (all clients) over the scope's window, over what the hard limit allows
    // in it: above 85% it means calls are being paced.
    double utilization = 0;
    // True on the first grant of an episode of heavy use (BusyEpisode): the one grant, among
    // every client's, whose process tells the user that calls are being paced.
    bool notice = false;
    // Non-empty when the store runs on its conservative fallback (e.g. "Redis unreachable").
    std::string degraded;
};

struct ScopeStatus {
    std::string account;
    Scope scope = Scope::user;
    double tokens = 0;
    double burst = 0;
    double target_rate = 0;  // calls/s the bucket refills at
    double hard_limit = 0;   // calls/s the platform allows
    double recent_rate = 0;  // calls/s asked for over the window
    double window_seconds = 0;
    int throttled_total = 0;
    std::optional<double> last_throttled_seconds_ago;
    double cool_down_remaining = 0;
};

class BucketStore {
  public:
    virtual ~BucketStore() = default;
    virtual Grant acquire(const std::string& account, Scope scope, double count) = 0;
    // A client got a 429: drain the scope and hold it for retry_after seconds, for everyone.
    virtual void throttled(const std::string& account, Scope scope, double retry_after) = 0;
    // Seconds left of a cool-down on the scope (0 when none): a client that was granted a token
    // before a 429 and waited for it checks this before sending, so it pauses too.
    virtual double cool_down_remaining(const std::string& account, Scope scope) = 0;
    virtual std::vector<ScopeStatus> status() = 0;
    // "memory" or "redis://host:port/db" (without credentials).
    virtual std::string describe() const = 0;
};

}  // namespace ri::ratelimit
