#include "platform/base_url.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/error.hpp"
#include "http/url_parts.hpp"

namespace ri::platform {

namespace {

constexpr std::array<std::string_view, 8> kKnownHosts = {
    "platform.rescale.com",       "kr.rescale.com",
    "platform.rescale.jp",        "eu.rescale.com",
    "itar.rescale.com",           "itar.rescale-gov.com",
    "platform-stage.rescale.com", "platform-dev.rescale.com"};

bool is_loopback(std::string_view host) {
    return host == "localhost" || host == "::1" || host.starts_with("127.");
}

}  // namespace

bool is_known_platform_host(std::string_view host) {
    return std::find(kKnownHosts.begin(), kKnownHosts.end(), host) != kKnownHosts.end();
}

BaseUrl parse_base_url(std::string_view text) {
    auto bad = [&](std::string_view why) {
        return Error::config(fmt::format("The platform URL '{}' {}.", text, why),
                             "api_url / RESCALE_API_URL / --api-url");
    };
    if (text.empty()) throw Error::config("No platform URL is configured (api_url).");
    auto parts = http::parse_url(text);
    if (!parts || parts->host.empty() || (parts->scheme != "https" && parts->scheme != "http"))
        throw bad("is not an http(s) URL");
    if (!parts->user.empty() || !parts->password.empty())
        throw bad("must not carry a user name or password");
    std::string_view rest = parts->path_and_query;
    if (!rest.empty() && rest != "/")
        throw bad("must be only scheme and host (and port), e.g. https://platform.rescale.com");
    BaseUrl b;
    b.host = parts->host;
    b.known = is_known_platform_host(b.host);
    b.itar = b.host == "itar.rescale.com" || b.host == "itar.rescale-gov.com";
    b.loopback = is_loopback(b.host);
    if (parts->scheme == "http" && !b.loopback)
        throw bad(
            "uses plain http, which is only allowed for a local (loopback) platform; use https://");
    if (b.known && parts->has_port && parts->port != 443)
        throw bad("names a Rescale platform host with a port; use https://" + b.host);
    b.url = fmt::format("{}://{}", parts->scheme, http::bracket_host(b.host));
    if (parts->has_port) b.url += fmt::format(":{}", parts->port);
    return b;
}

bool is_jwt_shaped(std::string_view key) {
    if (!key.starts_with("ey")) return false;
    size_t first = key.find('.');
    if (first == std::string_view::npos || first == 0) return false;
    size_t second = key.find('.', first + 1);
    if (second == std::string_view::npos || second == first + 1) return false;
    if (second + 1 >= key.size()) return false;
    return key.find('.', second + 1) == std::string_view::npos;
}

std::string authorization_value(std::string_view key) {
    return fmt::format("{} {}", is_jwt_shaped(key) ? "Bearer" : "Token", key);
}

}  // namespace ri::platform
