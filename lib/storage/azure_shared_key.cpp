#include "storage/azure_shared_key.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <map>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/redact.hpp"
#include "core/strings.hpp"
#include "core/time_text.hpp"
#include "crypto/encoding.hpp"
#include "http/url_parts.hpp"

namespace ri::storage {
namespace {

using strings::iequals;
using strings::lower;

// Linear whitespace only: the canonical form of a header value.
std::string_view trim(std::string_view text) {
    return strings::trim(text, " \t");
}

// Runs of linear whitespace inside a value become one space (the documented canonical form).
std::string unfold(std::string_view value) {
    std::string out;
    bool in_space = false;
    for (char c : trim(value)) {
        bool space = c == ' ' || c == '\t' || c == '\r' || c == '\n';
        if (space) {
            if (!in_space) out += ' ';
        } else {
            out += c;
        }
        in_space = space;
    }
    return out;
}

// The service does not sort x-ms-* names bytewise: it uses a collation in which '-' and the
// other punctuation come before digits and letters (the Azure SDKs spell the order out). It
// matters for metadata names such as "a_b" and "a1", which bytewise order would swap.
int collation_weight(unsigned char c) {
    static constexpr std::string_view kOrder =
        "-!#$%&*.^_|~+\"'(),/"
        "`~0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[]abcdefghijklmnopqrstuvwxyz{}";
    size_t at = kOrder.find(static_cast<char>(c));
    return at == std::string_view::npos ? 256 + c : static_cast<int>(at);
}

bool header_name_less(const std::string& a, const std::string& b) {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return collation_weight(static_cast<unsigned char>(x)) <
               collation_weight(static_cast<unsigned char>(y));
    });
}

std::string header_value(const http::Headers& headers, std::string_view name) {
    for (const auto& [key, value] : headers)
        if (iequals(key, name)) return value;
    return {};
}

struct SplitUrl {
    std::string_view path;   // encoded, "/" when empty
    std::string_view query;  // without '?'
};

SplitUrl split_url(std::string_view url) {
    size_t scheme = url.find("://");
    size_t host = scheme == std::string_view::npos ? 0 : scheme + 3;
    size_t path = url.find_first_of("/?#", host);
    SplitUrl out{"/", {}};
    if (path == std::string_view::npos) return out;
    size_t query = url.find('?', path);
    size_t fragment = url.find('#', path);
    if (url[path] == '/') out.path = url.substr(path, std::min(query, fragment) - path);
    if (query != std::string_view::npos) {
        size_t end = fragment == std::string_view::npos || fragment < query ? url.size() : fragment;
        out.query = url.substr(query + 1, end - query - 1);
    }
    return out;
}

std::string canonicalized_headers(const http::Headers& headers) {
    std::map<std::string, std::string, decltype(&header_name_less)> ms(&header_name_less);
    for (const auto& [name, value] : headers) {
        std::string key = lower(trim(name));
        if (!key.starts_with("x-ms-")) continue;
        auto [it, fresh] = ms.emplace(key, unfold(value));
        if (!fresh) it->second += "," + unfold(value);
    }
    std::string out;
    for (const auto& [name, value] : ms)
        out += name + ":" + value + "\n";
    return out;
}

std::string canonicalized_resource(const std::string& account, std::string_view url) {
    SplitUrl parts = split_url(url);
    std::string out = "/" + account + std::string(parts.path);
    std::map<std::string, std::vector<std::string>> params;
    std::string_view query = parts.query;
    while (!query.empty()) {
        size_t amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty()) continue;
        size_t eq = pair.find('=');
        std::string name = lower(azure_percent_decode(pair.substr(0, eq)));
        std::string value =
            eq == std::string_view::npos ? "" : azure_percent_decode(pair.substr(eq + 1));
        params[name].push_back(std::move(value));
    }
    for (auto& [name, values] : params) {
        std::sort(values.begin(), values.end());
        out += "\n" + name + ":";
        for (size_t i = 0; i < values.size(); ++i)
            out += (i ? "," : "") + values[i];
    }
    return out;
}

bool has_body(std::string_view method) {
    return method == "PUT" || method == "POST" || method == "PATCH" || method == "MERGE";
}

}  // namespace

void azure_set_header(http::Headers& headers, std::string_view name, std::string value) {
    std::erase_if(headers, [&](const auto& header) { return iequals(header.first, name); });
    headers.emplace_back(std::string(name), std::move(value));
}

std::string azure_percent_decode(std::string_view text) {
    return http::percent_decode(text);
}

AzureSharedKeySigner::AzureSharedKeySigner(std::string account, std::string_view base64_key)
    : account_(std::move(account)) {
    auto decoded = crypto::base64_decode(trim(base64_key));
    if (!decoded || decoded->empty()) {
        throw Error::config(
            "The Azure storage account key is not valid base64. Copy it again from the storage "
            "account's Access keys page.");
    }
    key_ = crypto::SecureBuffer(decoded->size());
    std::memcpy(key_.data(), decoded->data(), decoded->size());
    OPENSSL_cleanse(decoded->data(), decoded->size());
    register_secret(base64_key);
}

std::string AzureSharedKeySigner::string_to_sign(const http::Request& request) const {
    const http::Headers& h = request.headers;
    std::string length = header_value(h, "Content-Length");
    if (length.empty() && has_body(request.method)) length = std::to_string(request.body.size());
    if (length == "0") length.clear();
    std::string out = request.method + "\n";
    out += header_value(h, "Content-Encoding") + "\n";
    out += header_value(h, "Content-Language") + "\n";
    out += length + "\n";
    out += header_value(h, "Content-MD5") + "\n";
    out += header_value(h, "Content-Type") + "\n";
    out += header_value(h, "Date") + "\n";
    out += header_value(h, "If-Modified-Since") + "\n";
    out += header_value(h, "If-Match") + "\n";
    out += header_value(h, "If-None-Match") + "\n";
    out += header_value(h, "If-Unmodified-Since") + "\n";
    out += header_value(h, "Range") + "\n";
    out += canonicalized_headers(h);
    out += canonicalized_resource(account_, request.url);
    return out;
}

std::string AzureSharedKeySigner::signature(std::string_view text) const {
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_size = 0;
    if (!HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
              reinterpret_cast<const unsigned char*>(text.data()), text.size(), mac, &mac_size)) {
        throw Error::internal("HMAC-SHA256 is not available.", "HMAC");
    }
    return crypto::base64_encode(std::as_bytes(std::span(mac, mac_size)));
}

void AzureSharedKeySigner::sign(http::Request& request,
                                std::chrono::system_clock::time_point now) const {
    azure_set_header(request.headers, "x-ms-date", time_text::http_date(now));
    std::erase_if(request.headers,
                  [](const auto& header) { return iequals(header.first, "Authorization"); });
    std::string auth = "SharedKey " + account_ + ":" + signature(string_to_sign(request));
    request.headers.emplace_back("Authorization", std::move(auth));
}

}  // namespace ri::storage
