// An absolute http(s) URL taken apart, for proxy choice and logs. Not a general URL parser:
// the parts ri needs, from the URLs ri builds or a user configures.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ri::http {

struct UrlParts {
    std::string scheme;    // lower-cased: "http", "https"
    std::string user;      // still percent-encoded
    std::string password;  // still percent-encoded
    std::string host;      // lower-cased, IPv6 without brackets
    int port = 0;          // the explicit port, else the scheme's default (80, 443, 1080)
    bool has_port = false;
    std::string path_and_query;  // from the first '/', '?' or '#' on ("" when absent)
};

std::optional<UrlParts> parse_url(std::string_view url);
// Percent-encoding (RFC 3986): unreserved characters (A-Z a-z 0-9 - . _ ~) as they are, every
// other byte as %XX in upper-case hex; '/' kept when keep_slash. It is SigV4's UriEncode and what
// Azure SAS and query strings need.
std::string uri_encode(std::string_view text, bool keep_slash = false);
// %XX decoded (invalid sequences kept as they are); with plus_is_space, form encoding's "+".
std::string percent_decode(std::string_view text, bool plus_is_space = false);
// "fd00::1" -> "[fd00::1]"; names and IPv4 unchanged.
std::string bracket_host(const std::string& host);

}  // namespace ri::http
