// AWS Signature Version 4, done here rather than by libcurl's --aws-sigv4 so that presigned URLs,
// session tokens, the payload-hash choice and the published test-suite vectors are all under our
// control (tests/fixtures/sigv4).
//
// The signer reads what it signs from the request as it will be sent: method, URL (path and
// query, percent-encoded or raw: both are decoded and re-encoded the SigV4 way), headers and the
// payload hash. Host comes from the URL unless the request names one. Headers that libcurl may
// add or rewrite (User-Agent, Expect, Content-Length, Transfer-Encoding...) are never signed.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "http/http_client.hpp"

namespace ri::storage {

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

struct SigV4Credentials {
    std::string access_key;
    std::string secret_key;
    std::string session_token;  // empty for long-term keys
};

struct SigV4Scope {
    std::string region = "us-east-1";
    std::string service = "s3";
    // Remove "." and ".." segments and repeated slashes from the canonical URI. Every AWS
    // service does this except S3, where "a//b/./c" is a key of its own.
    bool normalize_path = false;
};

// UriEncode() of the SigV4 specification: RFC 3986 unreserved characters (A-Z a-z 0-9 - . _ ~)
// as they are, every other byte as %XX in upper-case hex; '/' kept when keep_slash.
std::string aws_uri_encode(std::string_view text, bool keep_slash);

// The intermediate results, for tests and --verbose diagnostics (never the key itself).
struct SigV4Result {
    std::string canonical_request;
    std::string string_to_sign;
    std::string signed_headers;  // "host;x-amz-date"
    std::string signature;       // lower-case hex
    std::string authorization;   // the Authorization header value
};

class SigV4Signer {
  public:
    SigV4Signer(SigV4Credentials credentials, SigV4Scope scope);

    // Signs request as it stands (its headers must already carry x-amz-date, and the token when
    // wanted): the general form, used by the test-suite vectors.
    SigV4Result sign_headers(std::string_view method, std::string_view url,
                             const http::Headers& headers, std::string_view payload_hash,
                             std::string_view amz_date) const;

    // The S3 form, for HttpClient's before_attempt hook: replaces any earlier x-amz-date,
    // x-amz-content-sha256, x-amz-security-token and Authorization with fresh ones for `now`.
    void sign(http::Request& request, std::string_view payload_hash,
              std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

    // A presigned URL (query-string authentication) for method and url, valid for `expires`
    // (1 s to 7 days), payload UNSIGNED-PAYLOAD, only host signed.
    std::string presign(
        std::string_view method, std::string_view url, std::chrono::seconds expires,
        std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) const;

    const SigV4Scope& scope() const { return scope_; }
    const std::string& access_key() const { return credentials_.access_key; }

    // Pieces of the canonical request, public for tests.
    std::string canonical_uri(std::string_view path) const;
    static std::string canonical_query(std::string_view query);
    // Trimmed, with sequential whitespace collapsed to one space.
    static std::string canonical_header_value(std::string_view value);

  private:
    std::string credential_scope(std::string_view date) const;
    std::string signing_signature(std::string_view date, std::string_view string_to_sign) const;

    SigV4Credentials credentials_;
    SigV4Scope scope_;
};

// Lower-case hex SHA-256 of data: the x-amz-content-sha256 of a signed payload.
std::string sha256_hex(std::span<const std::byte> data);
std::string sha256_hex(std::string_view data);
// Base64 MD5 of data: Content-MD5.
std::string md5_base64(std::span<const std::byte> data);

}  // namespace ri::storage
