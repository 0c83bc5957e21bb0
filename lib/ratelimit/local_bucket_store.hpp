// The coordinator's buckets in its own memory: one per (account, scope) at 85% of the limit.
//
// A daemon that starts after a crash does not know what was spent just before, and the
// platform's own bucket may be nearly empty, so buckets then start empty (calls are paced at
// the target rate from the first one) instead of full (one token, so a first call is not delayed):
// a fresh burst after a kill -9 could exceed the limit. A daemon that exits cleanly saves its
// buckets (tokens and the wall-clock time) and the next one restores them, refilled for the time in
// between.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "ratelimit/bucket_store.hpp"
#include "ratelimit/busy_episode.hpp"
#include "ratelimit/usage_window.hpp"

namespace ri::ratelimit {

class LocalBucketStore : public BucketStore {
  public:
    // fraction: share of the target rate (1 normally; the emergency cap uses its own rates).
    // state_file: where buckets are saved on clean exit ("" = never).
    explicit LocalBucketStore(
        std::filesystem::path state_file = {},
        std::function<Clock::time_point()> now = [] { return Clock::now(); });

    // The fallback when Redis is unreachable: (hard / 4) / 2 per second, burst 1 (Interlink's
    // emergency cap), per daemon.
    static std::unique_ptr<LocalBucketStore> emergency_cap();

    Grant acquire(const std::string& account, Scope scope, double count) override;
    void throttled(const std::string& account, Scope scope, double retry_after) override;
    double cool_down_remaining(const std::string& account, Scope scope) override;
    std::vector<ScopeStatus> status() override;
    std::string describe() const override { return emergency_ ? "emergency cap" : "memory"; }

    // Writes the buckets to the state file (atomically). Called on clean shutdown.
    void save();

  private:
    struct Entry {
        std::unique_ptr<TokenBucket> bucket;
        UsageWindow usage;
        BusyEpisode episode;
        int throttled_total = 0;
        std::optional<Clock::time_point> last_throttled;
        Clock::time_point cool_until{};
    };
    Entry& entry(const std::string& account, Scope scope);
    void load();

    std::filesystem::path state_file_;
    std::function<Clock::time_point()> now_;
    bool emergency_ = false;
    std::mutex mutex_;
    std::map<std::pair<std::string, Scope>, Entry> entries_;
    // Restored levels: account/scope -> tokens, applied when the bucket is first used.
    std::map<std::pair<std::string, Scope>, double> restored_;
};

}  // namespace ri::ratelimit
