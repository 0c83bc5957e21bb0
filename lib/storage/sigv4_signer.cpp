#include "storage/sigv4_signer.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <ctime>
#include <map>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "core/time_text.hpp"
#include "crypto/encoding.hpp"
#include "http/url_parts.hpp"

namespace ri::storage {
using strings::iequals;
using strings::lower;
namespace {

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

struct UrlParts {
    std::string_view scheme;
    std::string_view authority;
    std::string_view path;
    std::string_view query;
};

UrlParts split_url(std::string_view url) {
    UrlParts parts;
    if (auto hash = url.find('#'); hash != std::string_view::npos) url = url.substr(0, hash);
    if (auto colon = url.find("://"); colon != std::string_view::npos) {
        parts.scheme = url.substr(0, colon);
        url.remove_prefix(colon + 3);
        auto end = url.find_first_of("/?");
        parts.authority = url.substr(0, end);
        url = end == std::string_view::npos ? std::string_view{} : url.substr(end);
    }
    auto q = url.find('?');
    parts.path = url.substr(0, q);
    if (q != std::string_view::npos) parts.query = url.substr(q + 1);
    return parts;
}

// The Host header libcurl sends for url: the authority without user info, lower-cased, and
// without the scheme's default port.
std::string host_of(const UrlParts& url) {
    std::string_view authority = url.authority;
    if (auto at = authority.rfind('@'); at != std::string_view::npos)
        authority.remove_prefix(at + 1);
    std::string host = lower(authority);
    const std::string scheme = lower(url.scheme);
    auto strip = [&](std::string_view port) {
        if (host.size() > port.size() && host.ends_with(port))
            host.resize(host.size() - port.size());
    };
    if (scheme == "http") strip(":80");
    if (scheme == "https") strip(":443");
    return host;
}

// Headers libcurl adds or may rewrite on its own; signing them would break the signature.
bool never_signed(std::string_view lower_name) {
    static constexpr std::array<std::string_view, 9> kSkip = {
        "authorization",   "user-agent",        "expect",
        "content-length",  "transfer-encoding", "connection",
        "accept-encoding", "x-amzn-trace-id",   "te"};
    return std::find(kSkip.begin(), kSkip.end(), lower_name) != kSkip.end();
}

std::string hex(const unsigned char* data, size_t size) {
    return crypto::to_hex({reinterpret_cast<const std::byte*>(data), size});
}

using Digest = std::array<unsigned char, 32>;

Digest hmac(std::string_view key, std::string_view data) {
    Digest out{};
    unsigned int len = 0;
    if (!HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
              reinterpret_cast<const unsigned char*>(data.data()), data.size(), out.data(), &len)) {
        throw Error::internal("HMAC-SHA256 is not available.", "HMAC");
    }
    return out;
}

std::string_view view(const Digest& d) {
    return {reinterpret_cast<const char*>(d.data()), d.size()};
}

std::string digest_hex(const EVP_MD* md, const void* data, size_t size) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data, size, out, &len, md, nullptr) != 1) {
        throw Error::internal("Message digest is not available.", "EVP_Digest");
    }
    return hex(out, len);
}

std::string normalize(std::string_view path) {
    std::vector<std::string_view> segments;
    size_t start = 0;
    while (start <= path.size()) {
        auto slash = path.find('/', start);
        auto segment = path.substr(
            start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
        if (segment == "..") {
            if (!segments.empty()) segments.pop_back();
        } else if (!segment.empty() && segment != ".") {
            segments.push_back(segment);
        }
        if (slash == std::string_view::npos) break;
        start = slash + 1;
    }
    std::string out;
    for (auto s : segments) {
        out += '/';
        out += s;
    }
    // A trailing slash names a "directory" and stays; "/a/.." ends in a dot segment, not a slash.
    if (!segments.empty() && path.ends_with('/')) out += '/';
    return out.empty() ? "/" : out;
}

}  // namespace

std::string aws_uri_encode(std::string_view text, bool keep_slash) {
    return http::uri_encode(text, keep_slash);
}

std::string sha256_hex(std::span<const std::byte> data) {
    return digest_hex(EVP_sha256(), data.data(), data.size());
}

std::string sha256_hex(std::string_view data) {
    return digest_hex(EVP_sha256(), data.data(), data.size());
}

std::string md5_base64(std::span<const std::byte> data) {
    unsigned char out[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), out, &len, EVP_md5(), nullptr) != 1) {
        throw Error::internal("MD5 is not available.", "EVP_Digest");
    }
    return crypto::base64_encode({reinterpret_cast<const std::byte*>(out), len});
}

SigV4Signer::SigV4Signer(SigV4Credentials credentials, SigV4Scope scope)
    : credentials_(std::move(credentials)), scope_(std::move(scope)) {}

std::string SigV4Signer::canonical_uri(std::string_view path) const {
    std::string decoded = http::percent_decode(path);
    if (scope_.normalize_path) decoded = normalize(decoded);
    if (decoded.empty()) return "/";
    return aws_uri_encode(decoded, true);
}

std::string SigV4Signer::canonical_query(std::string_view query) {
    std::vector<std::pair<std::string, std::string>> params;
    size_t start = 0;
    while (start <= query.size()) {
        auto amp = query.find('&', start);
        auto piece = query.substr(
            start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
        if (!piece.empty()) {
            auto eq = piece.find('=');
            std::string_view name = piece.substr(0, eq);
            std::string_view value =
                eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
            params.emplace_back(aws_uri_encode(http::percent_decode(name), false),
                                aws_uri_encode(http::percent_decode(value), false));
        }
        if (amp == std::string_view::npos) break;
        start = amp + 1;
    }
    std::sort(params.begin(), params.end());
    std::string out;
    for (const auto& [name, value] : params) {
        if (!out.empty()) out += '&';
        out += name;
        out += '=';
        out += value;
    }
    return out;
}

std::string SigV4Signer::canonical_header_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    bool pending_space = false;
    for (char c : value) {
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        out += c;
    }
    return out;
}

std::string SigV4Signer::credential_scope(std::string_view date) const {
    std::string scope(date.substr(0, 8));
    scope += '/';
    scope += scope_.region;
    scope += '/';
    scope += scope_.service;
    scope += "/aws4_request";
    return scope;
}

std::string SigV4Signer::signing_signature(std::string_view date,
                                           std::string_view string_to_sign) const {
    std::string secret = "AWS4" + credentials_.secret_key;
    Digest k_date = hmac(secret, date.substr(0, 8));
    std::fill(secret.begin(), secret.end(), '\0');
    Digest k_region = hmac(view(k_date), scope_.region);
    Digest k_service = hmac(view(k_region), scope_.service);
    Digest k_signing = hmac(view(k_service), "aws4_request");
    Digest signature = hmac(view(k_signing), string_to_sign);
    return hex(signature.data(), signature.size());
}

SigV4Result SigV4Signer::sign_headers(std::string_view method, std::string_view url,
                                      const http::Headers& headers, std::string_view payload_hash,
                                      std::string_view amz_date) const {
    const UrlParts parts = split_url(url);

    // Lower-cased names, values of repeated headers joined with ',' in the order given.
    std::map<std::string, std::string> canonical;
    for (const auto& [name, value] : headers) {
        std::string key = lower(name);
        if (never_signed(key)) continue;
        auto [it, inserted] = canonical.try_emplace(key, canonical_header_value(value));
        if (!inserted) it->second += "," + canonical_header_value(value);
    }
    if (!canonical.contains("host")) canonical.emplace("host", host_of(parts));

    SigV4Result r;
    std::string header_block;
    for (const auto& [name, value] : canonical) {
        header_block += name + ':' + value + '\n';
        if (!r.signed_headers.empty()) r.signed_headers += ';';
        r.signed_headers += name;
    }

    r.canonical_request = std::string(method) + '\n' + canonical_uri(parts.path) + '\n' +
                          canonical_query(parts.query) + '\n' + header_block + '\n' +
                          r.signed_headers + '\n' + std::string(payload_hash);
    const std::string scope = credential_scope(amz_date);
    r.string_to_sign = std::string(kAlgorithm) + '\n' + std::string(amz_date) + '\n' + scope +
                       '\n' + sha256_hex(r.canonical_request);
    r.signature = signing_signature(amz_date, r.string_to_sign);
    r.authorization = fmt::format("{} Credential={}/{}, SignedHeaders={}, Signature={}", kAlgorithm,
                                  credentials_.access_key, scope, r.signed_headers, r.signature);
    return r;
}

void SigV4Signer::sign(http::Request& request, std::string_view payload_hash,
                       std::chrono::system_clock::time_point now) const {
    std::erase_if(request.headers, [](const auto& header) {
        return iequals(header.first, "authorization") || iequals(header.first, "x-amz-date") ||
               iequals(header.first, "x-amz-content-sha256") ||
               iequals(header.first, "x-amz-security-token");
    });
    const std::string date = time_text::compact(now);
    request.headers.emplace_back("x-amz-date", date);
    request.headers.emplace_back("x-amz-content-sha256", std::string(payload_hash));
    if (!credentials_.session_token.empty()) {
        request.headers.emplace_back("x-amz-security-token", credentials_.session_token);
    }
    SigV4Result r = sign_headers(request.method, request.url, request.headers, payload_hash, date);
    request.headers.emplace_back("authorization", std::move(r.authorization));
}

std::string SigV4Signer::presign(std::string_view method, std::string_view url,
                                 std::chrono::seconds expires,
                                 std::chrono::system_clock::time_point now) const {
    if (expires.count() < 1 || expires.count() > 7 * 24 * 3600) {
        throw Error::usage("A presigned URL can be valid for 1 second to 7 days.",
                           "expires=" + std::to_string(expires.count()) + "s");
    }
    const UrlParts parts = split_url(url);
    const std::string date = time_text::compact(now);
    std::string added =
        "X-Amz-Algorithm=" + std::string(kAlgorithm) + "&X-Amz-Credential=" +
        aws_uri_encode(credentials_.access_key + '/' + credential_scope(date), false) +
        "&X-Amz-Date=" + date + "&X-Amz-Expires=" + std::to_string(expires.count());
    if (!credentials_.session_token.empty()) {
        added += "&X-Amz-Security-Token=" + aws_uri_encode(credentials_.session_token, false);
    }
    added += "&X-Amz-SignedHeaders=host";
    std::string query = parts.query.empty() ? added : std::string(parts.query) + '&' + added;

    const std::string canonical_request =
        std::string(method) + '\n' + canonical_uri(parts.path) + '\n' + canonical_query(query) +
        "\nhost:" + host_of(parts) + "\n\nhost\n" + std::string(kUnsignedPayload);
    const std::string string_to_sign = std::string(kAlgorithm) + '\n' + date + '\n' +
                                       credential_scope(date) + '\n' +
                                       sha256_hex(canonical_request);
    const std::string signature = signing_signature(date, string_to_sign);

    std::string base(url.substr(0, url.find_first_of("?#")));
    return base + '?' + query + "&X-Amz-Signature=" + signature;
}

}  // namespace ri::storage
