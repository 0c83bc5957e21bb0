// How an API account is named to the coordinator and in Redis: a hash of the platform URL and
// the API key, never the key. Same key on the same platform -> one shared budget.
#pragma once

#include <string>
#include <string_view>

namespace ri::ratelimit {

// 32 lowercase hex characters (128 bits of SHA-512 over "base_url\napi_key").
std::string account_id(std::string_view base_url, std::string_view api_key);

}  // namespace ri::ratelimit
