#include "platform/credential_cache.hpp"

namespace ri::platform {

CredentialCache::CredentialCache(Now now) : now_(std::move(now)) {}

StorageCredentials CredentialCache::get(const std::string& key,
                                        const std::function<StorageCredentials()>& fetch) {
    std::lock_guard lock(mutex_);
    TimePoint now = now_();
    if (auto it = entries_.find(key); it != entries_.end()) {
        if (now + kRefreshMargin < it->second.expires_at) return it->second;
        entries_.erase(it);
    }
    StorageCredentials c = fetch();
    c.fetched_at = now;
    c.expires_at = c.expiration ? *c.expiration : now + kAssumedLifetime;
    entries_[key] = c;
    return c;
}

void CredentialCache::invalidate(const std::string& key) {
    std::lock_guard lock(mutex_);
    entries_.erase(key);
}

void CredentialCache::clear() {
    std::lock_guard lock(mutex_);
    entries_.clear();
}

}  // namespace ri::platform
