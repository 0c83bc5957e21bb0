// Azure Blob service SAS (shared access signature) tokens, signed with the account key: what
// ri-sandbox hands out as credentials for Azure storage, and what a client with the account key
// can mint for itself. A service SAS for a container (sr=c) or one blob (sr=b), version
// 2020-10-02 (string-to-sign of the versions 2018-11-09 to 2020-10-02: no encryption scope line):
//
//   sp \n st \n se \n /blob/ACCOUNT/CONTAINER[/BLOB] \n si \n sip \n spr \n sv \n sr \n
//   snapshot \n rscc \n rscd \n rsce \n rscl \n rsct
//
// signed with HMAC-SHA256 keyed by the base64-decoded account key; the token is the query
// string without a leading '?'. It is a secret: callers must not log it.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace ri::storage {

inline constexpr std::string_view kAzureSasVersion = "2020-10-02";

struct SasRequest {
    std::string account;
    std::string container;
    std::string blob;         // empty: a container SAS (sr=c)
    std::string permissions;  // in the canonical order racwdl (e.g. "rcwdl"), as Azure wants
    std::chrono::system_clock::time_point start;  // epoch (default): no st
    std::chrono::system_clock::time_point expiry;
    std::string protocol;  // "https", "https,http" or empty
};

// The string to sign for a request (exposed for tests).
std::string sas_string_to_sign(const SasRequest& request);
// The token: sv, sr, sp, st?, se, spr?, sig (URL-encoded). Throws Error::config when the key is
// not base64.
std::string make_service_sas(const SasRequest& request, std::string_view base64_account_key);

}  // namespace ri::storage
