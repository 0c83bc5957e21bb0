#include "ratelimit/limiter_factory.hpp"

#include <map>
#include <mutex>

#include "core/config.hpp"
#include "ratelimit/account.hpp"
#include "ratelimit/coordinated_limiter.hpp"
#include "ratelimit/coordinator_protocol.hpp"
#include "ratelimit/redis_bucket_store.hpp"

namespace ri::ratelimit {

std::shared_ptr<Limiter> limiter_for(const Config& config, std::string_view base_url,
                                     std::string_view api_key) {
    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<Limiter>> by_account;
    std::string account = account_id(base_url, api_key);
    std::string mode = config.get_or("ratelimit_coordinator", "auto");
    std::string backend = config.get_or("ratelimit_backend", "");
    if (!backend.empty()) parse_redis_url(backend);  // a typo is a config error now, not later
    std::lock_guard lock(mutex);
    std::string key = mode + "\n" + account;
    if (auto existing = by_account[key].lock()) return existing;
    std::shared_ptr<Limiter> limiter;
    if (mode == "off") {
        limiter = std::make_shared<LocalLimiter>();
    } else {
        CoordinatorClientOptions options;
        options.socket = default_socket_path();
        options.account = account;
        options.daemon_program = find_daemon_program();
        options.backend = backend;
        limiter = std::make_shared<CoordinatedLimiter>(std::move(options));
    }
    by_account[key] = limiter;
    return limiter;
}

}  // namespace ri::ratelimit
