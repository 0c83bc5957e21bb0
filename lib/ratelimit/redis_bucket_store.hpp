// The buckets in Redis, for many hosts sharing one API key: each acquire is one atomic Lua
// script that refills by Redis's own clock (TIME), so hosts need no clock sync, and reserves
// tokens exactly as the local bucket does. The daemon in front of it is the connection (one
// per host instead of one per process). When Redis cannot be reached the store answers from
// Interlink's emergency cap (a quarter of the limit, halved, burst 1) and tries Redis again
// every few seconds.
//
// Keys: ri:rl:<account>:<scope>:bucket (tokens, ts, cool, throttled, last_throttled, and busy:
// the scope's BusyEpisode, shared by every host) and ri:rl:<account>:<scope>:usage (calls per
// second of the scope's window, for the utilization and its notice); both expire after an hour
// unused.
#pragma once

#include <memory>
#include <set>
#include <string>

#include "ratelimit/bucket_store.hpp"
#include "ratelimit/local_bucket_store.hpp"

struct redisContext;

namespace ri::ratelimit {

struct RedisUrl {
    std::string host = "127.0.0.1";
    int port = 6379;
    int db = 0;
    std::string password;         // from redis://:PASSWORD@host
    std::string display() const;  // without the password
};

// redis://[:password@]host[:port][/db]; throws Error::config naming the problem.
RedisUrl parse_redis_url(const std::string& url);

class RedisBucketStore : public BucketStore {
  public:
    explicit RedisBucketStore(RedisUrl url);
    ~RedisBucketStore() override;

    Grant acquire(const std::string& account, Scope scope, double count) override;
    void throttled(const std::string& account, Scope scope, double retry_after) override;
    double cool_down_remaining(const std::string& account, Scope scope) override;
    std::vector<ScopeStatus> status() override;
    std::string describe() const override;
    bool degraded() const { return !context_; }

  private:
    bool ensure_connected();
    void disconnect(const std::string& why);

    RedisUrl url_;
    redisContext* context_ = nullptr;
    std::string last_error_;
    Clock::time_point next_attempt_{};
    std::unique_ptr<LocalBucketStore> fallback_;
    std::set<std::pair<std::string, Scope>> seen_;
};

}  // namespace ri::ratelimit
