// Azure Storage "Shared Key" authorization (the Blob service's scheme for API versions
// 2009-09-19 and later): an HMAC-SHA256, keyed with the base64-decoded account key, over a
// string built from the verb, twelve standard headers, the x-ms-* headers and the resource.
//
// The canonicalized resource is "/" + account + the request's encoded URI path, so a path-style
// endpoint (Azurite: http://127.0.0.1:PORT/devstoreaccount1) yields
// "/devstoreaccount1/devstoreaccount1/container/blob" with no special case, followed by one
// "\nname:value" line per query parameter (names lower-cased and sorted, values decoded).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "crypto/secure_buffer.hpp"
#include "http/http_client.hpp"

namespace ri::storage {

// The x-ms-version ri speaks. Azurite accepts it (and any other with --skipApiVersionCheck);
// it is recent enough for empty Content-Length when 0 and Encoded="true" blob names.
inline constexpr std::string_view kAzureApiVersion = "2021-08-06";

class AzureSharedKeySigner {
  public:
    // Throws Error::config when the key is not base64 (the key itself never enters the message).
    AzureSharedKeySigner(std::string account, std::string_view base64_key);

    // The string to sign for a request as it will be sent. Content-Length comes from an
    // explicit header or the body size, and is empty when 0 (API versions >= 2015-02-21).
    std::string string_to_sign(const http::Request& request) const;
    // base64(HMAC-SHA256(key, text)).
    std::string signature(std::string_view text) const;
    // Sets x-ms-date to `now` and Authorization: SharedKey account:signature, replacing any
    // earlier ones: called from before_attempt, so every retry carries a fresh date.
    void sign(http::Request& request, std::chrono::system_clock::time_point now) const;

    const std::string& account() const { return account_; }

  private:
    std::string account_;
    crypto::SecureBuffer key_;
};

// Helpers the signer and the backend share.
// Sets a header (case-insensitive name), replacing every earlier value.
void azure_set_header(http::Headers& headers, std::string_view name, std::string value);
// Percent-decoding of a query component ('+' is left alone: Azure's values never carry it
// unencoded, and a '+' in a SAS signature is always sent as %2B).
std::string azure_percent_decode(std::string_view text);

}  // namespace ri::storage
