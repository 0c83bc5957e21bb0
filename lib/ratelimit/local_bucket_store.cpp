#include "ratelimit/local_bucket_store.hpp"

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/config.hpp"
#include "core/log.hpp"

namespace ri::ratelimit {

namespace {

double wall_now() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

LocalBucketStore::LocalBucketStore(std::filesystem::path state_file,
                                   std::function<Clock::time_point()> now)
    : state_file_(std::move(state_file)), now_(std::move(now)) {
    load();
}

std::unique_ptr<LocalBucketStore> LocalBucketStore::emergency_cap() {
    auto store = std::make_unique<LocalBucketStore>();
    store->emergency_ = true;
    return store;
}

LocalBucketStore::Entry& LocalBucketStore::entry(const std::string& account, Scope scope) {
    auto key = std::make_pair(account, scope);
    auto it = entries_.find(key);
    if (it != entries_.end()) return it->second;
    ScopeLimit limit = default_limit(scope);
    Entry e;
    e.usage = UsageWindow(limit.usage_window_seconds());
    if (emergency_) {
        e.bucket = std::make_unique<TokenBucket>(limit.hard_per_second / 4 / 2, 1, now_);
    } else {
        e.bucket = std::make_unique<TokenBucket>(limit.target_per_second(), limit.burst, now_);
        auto restored = restored_.find(key);
        // Nearly empty: one token, so a first call goes out at once.
        e.bucket->set_tokens(restored != restored_.end() ? restored->second : 1.0);
    }
    return entries_.emplace(key, std::move(e)).first->second;
}

Grant LocalBucketStore::acquire(const std::string& account, Scope scope, double count) {
    std::lock_guard lock(mutex_);
    Entry& e = entry(account, scope);
    Grant grant;
    grant.wait_seconds = e.bucket->reserve(count).count();
    auto now = now_();
    // Demand, counted when asked: above the target it means calls are being paced.
    e.usage.add(now, count);
    grant.utilization = default_limit(scope).utilization(e.usage.total(now));
    grant.notice = e.episode.observe(grant.utilization);
    if (emergency_) grant.degraded = "the shared budget is unreachable";
    return grant;
}

void LocalBucketStore::throttled(const std::string& account, Scope scope, double retry_after) {
    std::lock_guard lock(mutex_);
    Entry& e = entry(account, scope);
    e.bucket->cool_down(Duration(retry_after));
    auto now = now_();
    e.throttled_total++;
    e.last_throttled = now;
    e.cool_until = std::max(
        e.cool_until, now + std::chrono::duration_cast<Clock::duration>(Duration(retry_after)));
}

double LocalBucketStore::cool_down_remaining(const std::string& account, Scope scope) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find({account, scope});
    if (it == entries_.end()) return 0;
    auto now = now_();
    return it->second.cool_until > now ? Duration(it->second.cool_until - now).count() : 0;
}

std::vector<ScopeStatus> LocalBucketStore::status() {
    std::lock_guard lock(mutex_);
    std::vector<ScopeStatus> out;
    auto now = now_();
    for (auto& [key, e] : entries_) {
        ScopeStatus s;
        s.account = key.first;
        s.scope = key.second;
        s.tokens = e.bucket->tokens();
        s.burst = e.bucket->burst();
        s.target_rate = e.bucket->rate();
        s.hard_limit = default_limit(key.second).hard_per_second;
        s.recent_rate = e.usage.rate(now);
        s.window_seconds = e.usage.window_seconds();
        s.throttled_total = e.throttled_total;
        if (e.last_throttled)
            s.last_throttled_seconds_ago = Duration(now - *e.last_throttled).count();
        if (e.cool_until > now) s.cool_down_remaining = Duration(e.cool_until - now).count();
        out.push_back(std::move(s));
    }
    return out;
}

void LocalBucketStore::save() {
    if (state_file_.empty() || emergency_) return;
    nlohmann::json doc;
    doc["saved_at"] = wall_now();
    auto& buckets = doc["buckets"] = nlohmann::json::array();
    {
        std::lock_guard lock(mutex_);
        for (auto& [key, e] : entries_)
            buckets.push_back({{"account", key.first},
                               {"scope", std::string(scope_name(key.second))},
                               {"tokens", e.bucket->tokens()}});
    }
    try {
        std::filesystem::create_directories(state_file_.parent_path());
        write_file_atomic(state_file_, doc.dump() + "\n", 0600);
    } catch (const std::exception& e) {
        log::warn("could not save the rate-limit buckets: {}", e.what());
    }
}

// Restores what a clean exit saved, refilled for the time since, then removes the file: a later
// crash must not restore a stale, fuller level.
void LocalBucketStore::load() {
    if (state_file_.empty()) return;
    std::ifstream in(state_file_);
    if (!in) return;
    std::stringstream text;
    text << in.rdbuf();
    std::error_code ec;
    std::filesystem::remove(state_file_, ec);
    auto doc = nlohmann::json::parse(text.str(), nullptr, false);
    if (doc.is_discarded() || !doc.contains("buckets")) return;
    double elapsed = std::max(0.0, wall_now() - doc.value("saved_at", wall_now()));
    for (const auto& b : doc["buckets"]) {
        auto scope = parse_scope(b.value("scope", ""));
        if (!scope || !b.contains("tokens")) continue;
        ScopeLimit limit = default_limit(*scope);
        double level = b["tokens"].get<double>() + elapsed * limit.target_per_second();
        restored_[{b.value("account", ""), *scope}] = std::min(level, limit.burst);
    }
}

}  // namespace ri::ratelimit
