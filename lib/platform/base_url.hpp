// The platform's address and how to authenticate to it (platform reference §1). The known
// Rescale hosts are https only; another https host is accepted (a private deployment, a proxy)
// but flagged so the tool can say so; plain http only for a loopback address (ri-sandbox).
#pragma once

#include <string>
#include <string_view>

namespace ri::platform {

struct BaseUrl {
    std::string url;   // "https://platform.rescale.com" or "http://127.0.0.1:8123", no trailing '/'
    std::string host;  // lower-cased, for messages ("the API key was rejected by HOST")
    bool known = false;  // one of Rescale's own platform hosts
    bool itar = false;   // an ITAR host: S3 goes through FIPS endpoints
    bool loopback = false;
};

// Throws Error::config (78) naming the URL when it is not usable.
BaseUrl parse_base_url(std::string_view url);

// Rescale's platform hosts (Interlink's allow-list, reference §1).
bool is_known_platform_host(std::string_view host);

// "Bearer <key>" for a JWT-shaped key (three dot-separated parts, the first starting with "ey"),
// otherwise "Token <key>".
std::string authorization_value(std::string_view api_key);
bool is_jwt_shaped(std::string_view api_key);

}  // namespace ri::platform
