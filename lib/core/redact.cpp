#include "core/redact.hpp"

#include <algorithm>
#include <mutex>
#include <regex>
#include <vector>

namespace ri {
namespace {

struct SecretRegistry {
    std::mutex mutex;
    std::vector<std::string> values;
};

SecretRegistry& registry() {
    static SecretRegistry r;
    return r;
}

struct Pattern {
    std::regex re;
    const char* replacement;
};

const std::vector<Pattern>& patterns() {
    // $1 keeps the label so a reader still sees which secret was there.
    static const std::vector<Pattern> p = [] {
        const auto icase = std::regex::ECMAScript | std::regex::icase;
        std::vector<Pattern> v;
        // HTTP Authorization headers: Token, Bearer, AWS4-HMAC-SHA256, SharedKey.
        v.push_back(
            {std::regex(R"re((authorization\s*[:=]\s*"?)[^"\r\n]+)re", icase), "$1[REDACTED]"});
        // SigV4 presigned URLs and Azure SAS signatures in query strings.
        v.push_back(
            {std::regex(
                 R"re(((?:^|[?&\s;,"'])(?:x-amz-signature|x-amz-security-token|x-amz-credential|signature|sig)=)[^&\s"']+)re",
                 icase),
             "$1[REDACTED]"});
        v.push_back({std::regex(R"re((x-amz-security-token\s*:\s*)\S+)re", icase), "$1[REDACTED]"});
        // JSON fields that carry secrets (credentials responses, file records).
        v.push_back(
            {std::regex(
                 R"re(("(?:api_?key|apikey|secret_?key|secretAccessKey|session_?token|sas_?token|account_?key|password|proxy_password|token|encodedEncryptionKey|key)"\s*:\s*")[^"]*)re",
                 icase),
             "$1[REDACTED]"});
        // key = value and key: value lines (INI files, env dumps).
        v.push_back(
            {std::regex(
                 R"re(((?:^|[\s;,])(?:api_?key|apikey|secret_?key|aws_secret_access_key|aws_session_token|session_?token|sas_?token|account_?key|password|proxy_password|token)\s*[=:]\s*)[^\s;,]+)re",
                 icase),
             "$1[REDACTED]"});
        // Secret-bearing flags on a logged command line.
        v.push_back(
            {std::regex(
                 R"re((--(?:key|api-key|secret-key|sas-token|password|account-key)[= ])[A-Za-z0-9+/=_.\-]{12,})re"),
             "$1[REDACTED]"});
        return v;
    }();
    return p;
}

void replace_all(std::string& text, const std::string& needle) {
    if (needle.empty()) return;
    for (size_t pos = text.find(needle); pos != std::string::npos;
         pos = text.find(needle, pos + kRedacted.size())) {
        text.replace(pos, needle.size(), kRedacted);
    }
}

}  // namespace

void register_secret(std::string_view value) {
    if (value.size() < 6) return;
    auto& r = registry();
    std::lock_guard lock(r.mutex);
    if (std::find(r.values.begin(), r.values.end(), value) == r.values.end()) {
        r.values.emplace_back(value);
        // Longest first, so a secret that contains another is replaced whole.
        std::sort(r.values.begin(), r.values.end(),
                  [](const auto& a, const auto& b) { return a.size() > b.size(); });
    }
}

std::string redact(std::string_view text) {
    std::string out(text);
    {
        auto& r = registry();
        std::lock_guard lock(r.mutex);
        for (const auto& secret : r.values)
            replace_all(out, secret);
    }
    for (const auto& p : patterns())
        out = std::regex_replace(out, p.re, p.replacement);
    return out;
}

std::string mask_secret(std::string_view value) {
    if (value.empty()) return "";
    if (value.size() < 16) return "****";
    return std::string(value.substr(0, 4)) + "****" + std::string(value.substr(value.size() - 4));
}

}  // namespace ri
