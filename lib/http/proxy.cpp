#include "http/proxy.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <cstring>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/redact.hpp"
#include "core/strings.hpp"
#include "http/http_client.hpp"
#include "http/url_parts.hpp"

namespace ri::http {
using strings::lower;
using strings::trim;
namespace {

// Lower-case name first, as libcurl and most tools do, then the upper-case one.
std::string env_either(const char* lower_name, const char* upper_name) {
    for (const char* name : {lower_name, upper_name}) {
        const char* v = std::getenv(name);
        if (v && *v) return v;
    }
    return "";
}

// NO_PROXY and no_proxy lists: curl and the shells separate them with commas, some users with
// semicolons or spaces.
std::vector<std::string> split_list(std::string_view text) {
    return strings::split_list(text, ",; ", strings::kSpace);
}

// A proxy URL as a user writes it: "proxy:3128" means http://proxy:3128.
std::string normalize_proxy_url(std::string_view url) {
    url = trim(url);
    if (url.empty()) return "";
    if (url.find("://") == std::string_view::npos) return "http://" + std::string(url);
    return std::string(url);
}

void register_url_password(const std::string& url) {
    auto parts = parse_url(url);
    if (parts && !parts->password.empty()) {
        register_secret(parts->password);
        register_secret(percent_decode(parts->password));
    }
}

// '*' matches any run of characters (dots included).
bool glob_match(std::string_view pattern, std::string_view text) {
    size_t p = 0, t = 0, star = std::string_view::npos, mark = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star = p++;
            mark = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (star != std::string_view::npos) {
            p = star + 1;
            t = ++mark;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

struct IpAddress {
    int family = 0;  // AF_INET or AF_INET6
    std::array<unsigned char, 16> bytes{};
    int bits() const { return family == AF_INET ? 32 : 128; }
};

std::optional<IpAddress> parse_ip(const std::string& text) {
    IpAddress ip;
    if (::inet_pton(AF_INET, text.c_str(), ip.bytes.data()) == 1) {
        ip.family = AF_INET;
        return ip;
    }
    if (::inet_pton(AF_INET6, text.c_str(), ip.bytes.data()) == 1) {
        ip.family = AF_INET6;
        return ip;
    }
    return std::nullopt;
}

bool same_prefix(const IpAddress& a, const IpAddress& b, int prefix) {
    if (a.family != b.family) return false;
    int full = prefix / 8;
    if (std::memcmp(a.bytes.data(), b.bytes.data(), static_cast<size_t>(full)) != 0) return false;
    int rest = prefix % 8;
    if (rest == 0) return true;
    auto mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (a.bytes[static_cast<size_t>(full)] & mask) ==
           (b.bytes[static_cast<size_t>(full)] & mask);
}

// One NO_PROXY entry taken apart: host (or address), optional /prefix, optional :port.
struct NoProxyEntry {
    std::string host;
    int prefix = -1;
    int port = 0;
};

std::optional<NoProxyEntry> parse_entry(std::string_view raw) {
    std::string text = lower(trim(raw));
    if (auto scheme = text.find("://"); scheme != std::string::npos) text.erase(0, scheme + 3);
    while (!text.empty() && text.back() == '/')
        text.pop_back();
    if (text.empty()) return std::nullopt;
    NoProxyEntry e;
    std::string rest;
    if (text[0] == '[') {
        auto close = text.find(']');
        if (close == std::string::npos) return std::nullopt;
        e.host = text.substr(1, close - 1);
        rest = text.substr(close + 1);
        // [fd00::]/8 or [::1]:8080
        if (auto slash = rest.find('/'); slash == 0) {
            auto colon = rest.find(':');
            e.host += rest.substr(0, colon);
            rest = colon == std::string::npos ? "" : rest.substr(colon);
        }
    } else if (std::count(text.begin(), text.end(), ':') == 1) {
        auto colon = text.find(':');
        e.host = text.substr(0, colon);
        rest = text.substr(colon);
    } else {
        e.host = text;  // a name, an IPv4 address or an unbracketed IPv6 address: no port
    }
    if (!rest.empty()) {
        if (rest[0] != ':' || rest.size() < 2 || rest.size() > 6 ||
            !std::all_of(rest.begin() + 1, rest.end(),
                         [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
            return std::nullopt;
        e.port = std::atoi(rest.c_str() + 1);
    }
    if (auto slash = e.host.find('/'); slash != std::string::npos) {
        std::string bits = e.host.substr(slash + 1);
        e.host.erase(slash);
        if (bits.empty() || bits.size() > 3 || !std::all_of(bits.begin(), bits.end(), [](char c) {
                return std::isdigit(static_cast<unsigned char>(c));
            }))
            return std::nullopt;
        e.prefix = std::atoi(bits.c_str());
    }
    while (!e.host.empty() && e.host.back() == '.')
        e.host.pop_back();
    if (e.host.empty()) return std::nullopt;
    return e;
}

bool host_matches(const NoProxyEntry& entry, const std::string& host) {
    if (entry.host == "*") return true;
    if (auto net = parse_ip(entry.host)) {
        auto address = parse_ip(host);
        if (!address) return false;
        int prefix = entry.prefix < 0 ? net->bits() : entry.prefix;
        if (prefix > net->bits()) return false;
        return same_prefix(*net, *address, prefix);
    }
    if (entry.prefix >= 0) return false;  // a "/n" after a name means nothing
    if (entry.host.find('*') != std::string::npos) return glob_match(entry.host, host);
    std::string_view domain = entry.host;
    if (domain.front() == '.') domain.remove_prefix(1);
    // "example.com" and ".example.com" both cover the domain and every name under it.
    return host == domain || (host.size() > domain.size() && host.ends_with(domain) &&
                              host[host.size() - domain.size() - 1] == '.');
}

}  // namespace

ProxySettings proxy_settings_from_environment() {
    ProxySettings s;
    std::string all = normalize_proxy_url(env_either("all_proxy", "ALL_PROXY"));
    std::string https = normalize_proxy_url(env_either("https_proxy", "HTTPS_PROXY"));
    std::string http = normalize_proxy_url(env_either("http_proxy", "HTTP_PROXY"));
    s.url = https.empty() ? all : https;
    s.http_url = http.empty() ? all : http;
    s.no_proxy = split_list(env_either("no_proxy", "NO_PROXY"));
    register_url_password(s.url);
    register_url_password(s.http_url);
    if (!s.url.empty() || !s.http_url.empty()) s.mode = ProxyMode::system;
    return s;
}

ProxySettings proxy_settings_from(const Config& config) {
    std::string mode = lower(trim(config.get_or("proxy_mode", "no-proxy")));
    std::vector<std::string> no_proxy = split_list(config.get_or("no_proxy", ""));
    std::string user = config.get_or("proxy_user", "");
    std::string password = config.get_or("proxy_password", "");
    register_secret(password);

    if (mode.empty() || mode == "no-proxy" || mode == "none") return {};
    if (mode == "system") {
        ProxySettings s = proxy_settings_from_environment();
        s.mode = ProxyMode::system;
        s.no_proxy.insert(s.no_proxy.end(), no_proxy.begin(), no_proxy.end());
        s.user = user;
        s.password = password;
        return s;
    }
    if (mode != "basic" && mode != "ntlm") {
        throw Error::config(
            fmt::format("Unknown proxy_mode '{}'. Use no-proxy, system, basic or ntlm.", mode));
    }
    std::string host(trim(config.get_or("proxy_host", "")));
    std::string port(trim(config.get_or("proxy_port", "")));
    if (host.empty()) {
        throw Error::config(
            fmt::format("proxy_mode is {} but proxy_host is not set. Set it with: ri-config set "
                        "proxy_host HOST",
                        mode));
    }
    std::string url = normalize_proxy_url(host);
    auto parts = parse_url(url);
    if (!parts || parts->host.empty())
        throw Error::config(fmt::format("proxy_host '{}' is not a host name or URL.", host));
    if (!port.empty()) {
        if (parts->has_port) {
            throw Error::config(fmt::format(
                "proxy_host '{}' already names a port; proxy_port {} conflicts.", host, port));
        }
        url = fmt::format("{}://{}:{}", parts->scheme, bracket_host(parts->host), port);
    } else if (!parts->has_port) {
        throw Error::config(
            fmt::format("proxy_mode is {} but proxy_port is not set. Set it with: ri-config set "
                        "proxy_port PORT",
                        mode));
    } else {
        url = fmt::format("{}://{}:{}", parts->scheme, bracket_host(parts->host), parts->port);
    }
    ProxySettings s;
    s.mode = mode == "ntlm" ? ProxyMode::ntlm : ProxyMode::basic;
    s.url = url;
    s.http_url = url;
    s.user = user;
    s.password = password;
    s.no_proxy = std::move(no_proxy);
    return s;
}

std::optional<ProxyChoice> choose_proxy(const ProxySettings& settings, std::string_view url) {
    if (settings.mode == ProxyMode::none) return std::nullopt;
    auto target = parse_url(url);
    if (!target) return std::nullopt;
    if (no_proxy_matches(settings.no_proxy, target->host, target->port)) return std::nullopt;

    std::string proxy_url = settings.url;
    if (settings.mode == ProxyMode::system && target->scheme == "http")
        proxy_url = settings.http_url;
    else if (settings.mode != ProxyMode::system && proxy_url.empty())
        proxy_url = settings.http_url;
    if (proxy_url.empty()) return std::nullopt;

    ProxyChoice choice;
    choice.ntlm = settings.mode == ProxyMode::ntlm;
    choice.user = settings.user;
    choice.password = settings.password;
    choice.url = proxy_url;
    // Credentials inside the proxy URL (http://user:pass@proxy:3128) are taken out of it, so
    // the URL can be logged and libcurl gets them through its own options.
    if (auto parts = parse_url(proxy_url); parts && !parts->user.empty()) {
        choice.user = percent_decode(parts->user);
        choice.password = percent_decode(parts->password);
        choice.url =
            fmt::format("{}://{}:{}", parts->scheme, bracket_host(parts->host), parts->port);
    }
    return choice;
}

bool no_proxy_matches(const std::vector<std::string>& entries, std::string_view host, int port) {
    std::string h = lower(trim(host));
    if (h.size() >= 2 && h.front() == '[' && h.back() == ']') h = h.substr(1, h.size() - 2);
    while (!h.empty() && h.back() == '.')
        h.pop_back();
    if (h.empty()) return false;
    for (const auto& raw : entries) {
        auto entry = parse_entry(raw);
        if (!entry) continue;
        if (entry->port != 0 && entry->port != port) continue;
        if (host_matches(*entry, h)) return true;
    }
    return false;
}

ClientOptions client_options_from(const Config& config) {
    ClientOptions o;
    try {
        o.retry.max_attempts = std::max(1, std::stoi(config.get_or("max_retries", "10")) + 1);
    } catch (const std::exception&) {
        throw Error::config("max_retries must be a whole number.");
    }
    o.proxy = proxy_settings_from(config);
    return o;
}

}  // namespace ri::http
