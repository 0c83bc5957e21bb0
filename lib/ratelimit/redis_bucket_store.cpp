#include "ratelimit/redis_bucket_store.hpp"

#include <hiredis/hiredis.h>

#include <charconv>
#include <stdexcept>
#include <vector>

#include "core/error.hpp"
#include "core/log.hpp"
#include "ratelimit/busy_episode.hpp"

namespace ri::ratelimit {

namespace {

// Refill by Redis's clock, reserve `count` (going into debt spaces the callers), count the call
// in the usage hash (calls per second of Redis's clock, over the scope's window), and keep the
// scope's busy episode (the bucket's 'busy' field) as BusyEpisode does: the grant that takes
// utilization above 60% starts one and is told so (the one notice of every host's processes);
// the next can start only after utilization dropped below 45%. ARGV: rate/s, burst, count,
// initial tokens for a new bucket, window seconds, hard limit/s, start above, re-arm below.
constexpr const char* kAcquireScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst, count = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local window, hard = tonumber(ARGV[5]), tonumber(ARGV[6])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'cool', 'busy')
local tokens = tonumber(b[1]) or tonumber(ARGV[4])
local ts = tonumber(b[2]) or now
local cool = tonumber(b[3]) or 0
local busy = tonumber(b[4]) or 0
local from = math.max(ts, cool)
if now > from then tokens = math.min(burst, tokens + (now - from) * rate) end
if now > ts then ts = now end
local wait = 0
if cool > now then wait = cool - now end
tokens = tokens - count
if tokens < 0 then wait = wait + (-tokens) / rate end
local sec = math.floor(now)
redis.call('HINCRBYFLOAT', KEYS[2], tostring(sec), count)
redis.call('EXPIRE', KEYS[2], 3600)
local u = redis.call('HGETALL', KEYS[2])
local total = 0
for i = 1, #u, 2 do
  local s = tonumber(u[i])
  if s <= sec - window then redis.call('HDEL', KEYS[2], u[i])
  elseif s <= sec then total = total + tonumber(u[i + 1]) end
end
local utilization = total / (hard * window)
local notice = 0
if busy == 0 and utilization > tonumber(ARGV[7]) then busy = 1; notice = 1
elseif busy == 1 and utilization < tonumber(ARGV[8]) then busy = 0 end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts), 'cool', tostring(cool),
  'busy', tostring(busy))
redis.call('EXPIRE', KEYS[1], 3600)
return {tostring(wait), tostring(total / window), tostring(notice)}
)lua";

// Drain and hold: ARGV: rate/s, burst, retry-after seconds.
constexpr const char* kThrottledScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'cool')
local tokens = tonumber(b[1]) or 0
local ts = tonumber(b[2]) or now
local cool = tonumber(b[3]) or 0
local from = math.max(ts, cool)
if now > from then tokens = math.min(burst, tokens + (now - from) * rate) end
if now > ts then ts = now end
if tokens > 0 then tokens = 0 end
cool = math.max(cool, now + tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', tostring(ts), 'cool', tostring(cool),
  'last_throttled', tostring(now))
redis.call('HINCRBY', KEYS[1], 'throttled', 1)
redis.call('EXPIRE', KEYS[1], 3600)
return 1
)lua";

// Seconds left of the scope's cool-down, by Redis's clock.
constexpr const char* kCoolScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local cool = tonumber(redis.call('HGET', KEYS[1], 'cool')) or 0
return tostring(math.max(0, cool - now))
)lua";

// Status: level now (without taking), usage rate, 429 history. ARGV: rate/s, burst, window.
constexpr const char* kStatusScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local rate, burst, window = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts', 'cool', 'throttled', 'last_throttled')
local tokens = tonumber(b[1]) or 0
local ts = tonumber(b[2]) or now
local cool = tonumber(b[3]) or 0
local from = math.max(ts, cool)
if now > from then tokens = math.min(burst, tokens + (now - from) * rate) end
local u = redis.call('HGETALL', KEYS[2])
local total = 0
local nowsec = math.floor(now)
for i = 1, #u, 2 do
  local s = tonumber(u[i])
  if s <= nowsec and s > nowsec - window then total = total + tonumber(u[i + 1]) end
end
local ago = -1
if b[5] then ago = now - tonumber(b[5]) end
return {tostring(tokens), tostring(total / window), tostring(b[4] or 0), tostring(ago),
  tostring(math.max(0, cool - now))}
)lua";

struct Reply {
    redisReply* r = nullptr;
    ~Reply() {
        if (r) freeReplyObject(r);
    }
};

double to_double(const redisReply* r) {
    if (!r || r->type != REDIS_REPLY_STRING) return 0;
    return std::strtod(std::string(r->str, r->len).c_str(), nullptr);
}

std::string key_of(const std::string& account, Scope scope, const char* what) {
    return "ri:rl:" + account + ":" + std::string(scope_name(scope)) + ":" + what;
}

std::string fmt_double(double v) {
    char buf[64];
    auto res = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, res.ptr);
}

}  // namespace

std::string RedisUrl::display() const {
    return "redis://" + host + ":" + std::to_string(port) + "/" + std::to_string(db);
}

RedisUrl parse_redis_url(const std::string& url) {
    constexpr std::string_view scheme = "redis://";
    if (!std::string_view(url).starts_with(scheme))
        throw Error::config("the rate-limit backend must be a redis://HOST:PORT[/DB] URL, got '" +
                            url.substr(0, url.find('@') == std::string::npos ? url.size() : 0) +
                            "'");
    RedisUrl out;
    std::string rest = url.substr(scheme.size());
    if (auto at = rest.rfind('@'); at != std::string::npos) {
        std::string auth = rest.substr(0, at);
        rest = rest.substr(at + 1);
        auto colon = auth.find(':');
        out.password = colon == std::string::npos ? auth : auth.substr(colon + 1);
    }
    if (auto slash = rest.find('/'); slash != std::string::npos) {
        std::string db = rest.substr(slash + 1);
        rest = rest.substr(0, slash);
        if (!db.empty()) {
            auto [p, ec] = std::from_chars(db.data(), db.data() + db.size(), out.db);
            if (ec != std::errc() || p != db.data() + db.size() || out.db < 0)
                throw Error::config(
                    "the Redis database in the rate-limit backend URL is not a number: '" + db +
                    "'");
        }
    }
    if (auto colon = rest.rfind(':');
        colon != std::string::npos && rest.find(']') == std::string::npos) {
        std::string port = rest.substr(colon + 1);
        rest = rest.substr(0, colon);
        auto [p, ec] = std::from_chars(port.data(), port.data() + port.size(), out.port);
        if (ec != std::errc() || p != port.data() + port.size() || out.port <= 0 ||
            out.port > 65535)
            throw Error::config("the Redis port in the rate-limit backend URL is not valid: '" +
                                port + "'");
    }
    if (!rest.empty()) out.host = rest;
    return out;
}

RedisBucketStore::RedisBucketStore(RedisUrl url)
    : url_(std::move(url)), fallback_(LocalBucketStore::emergency_cap()) {
    ensure_connected();
}

RedisBucketStore::~RedisBucketStore() {
    if (context_) redisFree(context_);
}

std::string RedisBucketStore::describe() const {
    if (context_) return url_.display();
    return url_.display() + " (unreachable: " + last_error_ + "; emergency cap in use)";
}

void RedisBucketStore::disconnect(const std::string& why) {
    if (context_) {
        log::warn("rate-limit backend {} lost: {}; using the emergency cap", url_.display(), why);
        redisFree(context_);
        context_ = nullptr;
    }
    last_error_ = why;
    next_attempt_ = Clock::now() + std::chrono::seconds(3);
}

bool RedisBucketStore::ensure_connected() {
    if (context_) return true;
    if (Clock::now() < next_attempt_) return false;
    timeval timeout{1, 0};
    redisContext* c = redisConnectWithTimeout(url_.host.c_str(), url_.port, timeout);
    if (!c || c->err) {
        std::string why = c ? c->errstr : "out of memory";
        if (c) redisFree(c);
        disconnect(why);
        return false;
    }
    redisSetTimeout(c, timeout);
    auto simple = [&](std::vector<std::string> args) -> std::string {
        std::vector<const char*> argv;
        std::vector<size_t> lens;
        for (auto& a : args) {
            argv.push_back(a.data());
            lens.push_back(a.size());
        }
        Reply reply{static_cast<redisReply*>(
            redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()))};
        if (!reply.r) return c->errstr;
        if (reply.r->type == REDIS_REPLY_ERROR) return std::string(reply.r->str, reply.r->len);
        return "";
    };
    std::string err;
    if (!url_.password.empty()) err = simple({"AUTH", url_.password});
    if (err.empty() && url_.db != 0) err = simple({"SELECT", std::to_string(url_.db)});
    if (!err.empty()) {
        redisFree(c);
        disconnect(err);
        return false;
    }
    if (!last_error_.empty()) log::info("rate-limit backend {} reachable again", url_.display());
    context_ = c;
    last_error_.clear();
    return true;
}

namespace {

// EVAL with the script text: Redis caches the compiled script by its SHA itself, and the text
// is under 2 KiB, so EVALSHA's saving is not worth a NOSCRIPT retry path.
redisReply* eval(redisContext* c, const char* script, const std::vector<std::string>& keys,
                 const std::vector<std::string>& args) {
    std::vector<std::string> all = {"EVAL", script, std::to_string(keys.size())};
    all.insert(all.end(), keys.begin(), keys.end());
    all.insert(all.end(), args.begin(), args.end());
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (auto& a : all) {
        argv.push_back(a.data());
        lens.push_back(a.size());
    }
    return static_cast<redisReply*>(
        redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
}

}  // namespace

Grant RedisBucketStore::acquire(const std::string& account, Scope scope, double count) {
    if (ensure_connected()) {
        seen_.insert({account, scope});
        ScopeLimit limit = default_limit(scope);
        Reply reply{
            eval(context_, kAcquireScript,
                 {key_of(account, scope, "bucket"), key_of(account, scope, "usage")},
                 {fmt_double(limit.target_per_second()), fmt_double(limit.burst), fmt_double(count),
                  "1", fmt_double(limit.usage_window_seconds()), fmt_double(limit.hard_per_second),
                  fmt_double(BusyEpisode::starts_above), fmt_double(BusyEpisode::rearms_below)})};
        if (reply.r && reply.r->type == REDIS_REPLY_ARRAY && reply.r->elements == 3) {
            Grant g;
            g.wait_seconds = to_double(reply.r->element[0]);
            g.utilization = to_double(reply.r->element[1]) / limit.hard_per_second;
            g.notice = to_double(reply.r->element[2]) != 0;
            return g;
        }
        disconnect(reply.r && reply.r->type == REDIS_REPLY_ERROR
                       ? std::string(reply.r->str, reply.r->len)
                       : std::string(context_->errstr));
    }
    Grant g = fallback_->acquire(account, scope, count);
    g.degraded = "Redis at " + url_.display() + " is unreachable";
    return g;
}

void RedisBucketStore::throttled(const std::string& account, Scope scope, double retry_after) {
    fallback_->throttled(account, scope, retry_after);
    if (!ensure_connected()) return;
    ScopeLimit limit = default_limit(scope);
    Reply reply{eval(
        context_, kThrottledScript, {key_of(account, scope, "bucket")},
        {fmt_double(limit.target_per_second()), fmt_double(limit.burst), fmt_double(retry_after)})};
    if (!reply.r || reply.r->type == REDIS_REPLY_ERROR)
        disconnect(reply.r ? std::string(reply.r->str, reply.r->len)
                           : std::string(context_->errstr));
}

double RedisBucketStore::cool_down_remaining(const std::string& account, Scope scope) {
    if (!ensure_connected()) return fallback_->cool_down_remaining(account, scope);
    Reply reply{eval(context_, kCoolScript, {key_of(account, scope, "bucket")}, {})};
    if (reply.r && reply.r->type == REDIS_REPLY_STRING) return to_double(reply.r);
    disconnect(reply.r && reply.r->type == REDIS_REPLY_ERROR
                   ? std::string(reply.r->str, reply.r->len)
                   : std::string(context_->errstr));
    return fallback_->cool_down_remaining(account, scope);
}

std::vector<ScopeStatus> RedisBucketStore::status() {
    if (!ensure_connected()) return fallback_->status();
    std::vector<ScopeStatus> out;
    for (const auto& [account, scope] : seen_) {
        ScopeLimit limit = default_limit(scope);
        Reply reply{eval(context_, kStatusScript,
                         {key_of(account, scope, "bucket"), key_of(account, scope, "usage")},
                         {fmt_double(limit.target_per_second()), fmt_double(limit.burst),
                          fmt_double(limit.usage_window_seconds())})};
        if (!reply.r || reply.r->type != REDIS_REPLY_ARRAY || reply.r->elements != 5) {
            disconnect(reply.r && reply.r->type == REDIS_REPLY_ERROR
                           ? std::string(reply.r->str, reply.r->len)
                           : std::string(context_ ? context_->errstr : "no connection"));
            return fallback_->status();
        }
        ScopeStatus s;
        s.account = account;
        s.scope = scope;
        s.tokens = to_double(reply.r->element[0]);
        s.burst = limit.burst;
        s.target_rate = limit.target_per_second();
        s.hard_limit = limit.hard_per_second;
        s.recent_rate = to_double(reply.r->element[1]);
        s.window_seconds = limit.usage_window_seconds();
        s.throttled_total = static_cast<int>(to_double(reply.r->element[2]));
        double ago = to_double(reply.r->element[3]);
        if (ago >= 0) s.last_throttled_seconds_ago = ago;
        s.cool_down_remaining = to_double(reply.r->element[4]);
        out.push_back(s);
    }
    return out;
}

}  // namespace ri::ratelimit
