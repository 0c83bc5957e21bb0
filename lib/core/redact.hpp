// Redaction of secrets from everything ri writes for humans or logs (stderr, log files, error
// messages, progress lines). Two mechanisms, both applied to every line:
//  - exact values registered at run time (an API key read from config, a --key given on the
//    command line, a storage secret from a credentials response), in every form the caller
//    registers (base64, hex, URL-encoded);
//  - patterns for secrets that arrive inside text: Authorization headers, SigV4 and SAS query
//    signatures, "apikey = ..." lines, JSON fields such as "secretKey".
// Stdout records are the tool's product and are not redacted (ri-encrypt must print the key).
#pragma once

#include <string>
#include <string_view>

namespace ri {

inline constexpr std::string_view kRedacted = "[REDACTED]";

// Registers a secret value; shorter than 6 characters is ignored (too likely to mangle ordinary
// text, and too short to be a credential). Thread-safe.
void register_secret(std::string_view value);

// Returns text with every registered secret and every secret-shaped pattern replaced.
std::string redact(std::string_view text);

// Masks a secret for display in `ri-config list`: "abcd…wxyz" style, never more than 4+4 chars
// and nothing at all for short values.
std::string mask_secret(std::string_view value);

}  // namespace ri
