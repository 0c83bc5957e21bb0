// The one place a process gets its Limiter for an API account, from ri's settings:
// ratelimit_coordinator = auto (default: share the budget through ri-ratelimitd) | off (this
// process only), ratelimit_backend = "" | redis://HOST:PORT[/DB] (handed to a daemon this
// process starts). Every client of the same account in one process shares one Limiter.
#pragma once

#include <memory>
#include <string_view>

#include "ratelimit/limiter.hpp"

namespace ri {
class Config;
}

namespace ri::ratelimit {

std::shared_ptr<Limiter> limiter_for(const Config& config, std::string_view base_url,
                                     std::string_view api_key);

}  // namespace ri::ratelimit
