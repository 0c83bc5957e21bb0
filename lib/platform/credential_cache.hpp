// Storage credentials are asked for once and reused until near their expiry: the platform's S3
// session credentials carry no expiry and live 15 minutes (Interlink's assumption), an Azure SAS
// answer may say when it expires. Either way a credential is refreshed 5 minutes before it
// runs out, so a part never starts with a key that dies mid-request. Thread-safe: workers
// asking at once cause one fetch.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>

#include "platform/models.hpp"

namespace ri::platform {

class CredentialCache {
  public:
    using Now = std::function<TimePoint()>;
    static constexpr std::chrono::minutes kAssumedLifetime{15};
    static constexpr std::chrono::minutes kRefreshMargin{5};

    explicit CredentialCache(Now now = [] { return std::chrono::system_clock::now(); });

    // The cached credentials for key unless they are within the margin of expiring; otherwise
    // fetch() is called and its answer stamped (fetched_at, expires_at) and kept.
    StorageCredentials get(const std::string& key,
                           const std::function<StorageCredentials()>& fetch);
    // Forgets one entry (storage answered 403: the credentials died early), or all.
    void invalidate(const std::string& key);
    void clear();

  private:
    Now now_;
    std::mutex mutex_;
    std::map<std::string, StorageCredentials> entries_;
};

}  // namespace ri::platform
