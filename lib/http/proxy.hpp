// Which proxy a URL goes through. Modes as Interlink's config.csv names them: no-proxy,
// system (HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the environment), basic (host, port, user,
// password with Basic auth) and ntlm (the same with NTLM, which libcurl speaks). NO_PROXY
// entries may be host names, domain suffixes (".example.com" or "example.com"), wildcards
// ("*.example.com", "*"), IP addresses and CIDR blocks ("10.0.0.0/8", "fd00::/8"), each with
// an optional ":port".
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ri {
class Config;
}

namespace ri::http {

enum class ProxyMode { none, system, basic, ntlm };

struct ProxySettings {
    ProxyMode mode = ProxyMode::none;
    // http://host:port for basic/ntlm. For system: the proxy of https:// URLs (HTTPS_PROXY,
    // else ALL_PROXY); http_url is the one of http:// URLs (HTTP_PROXY, else ALL_PROXY).
    std::string url;
    std::string http_url;
    std::string user;
    std::string password;  // a secret: registered for redaction when loaded
    std::vector<std::string> no_proxy;
};

// The proxy for one request: nullopt means connect directly.
struct ProxyChoice {
    std::string url;
    std::string user;
    std::string password;
    bool ntlm = false;
};

// From ri's settings (proxy_mode, proxy_host, proxy_port, proxy_user, proxy_password, no_proxy),
// with the environment filling in for "system".
ProxySettings proxy_settings_from(const Config& config);
// The environment's HTTP_PROXY/HTTPS_PROXY/NO_PROXY (either case).
ProxySettings proxy_settings_from_environment();

std::optional<ProxyChoice> choose_proxy(const ProxySettings& settings, std::string_view url);
// True when host (and port) match one NO_PROXY entry.
bool no_proxy_matches(const std::vector<std::string>& entries, std::string_view host, int port);

}  // namespace ri::http
