// Keys and IVs as users and the platform pass them: standard base64. Decoding validates the
// length and registers every textual form of the secret for redaction before anything can log.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "crypto/secure_buffer.hpp"

namespace ri::crypto {

// what: "--key", "--iv"... Throws Error::usage naming the flag when the text is not base64 of
// exactly `bytes` bytes.
SecureBuffer decode_base64_secret(std::string_view text, size_t bytes, std::string_view what);
SecureBuffer random_secret(size_t bytes);
// Registers the base64 and hex forms of a secret with the redactor.
void register_key_forms(std::span<const std::byte> key);
// Reads a base64 key from a file (the --key-file that encrypt wrote); warns-free, strict.
SecureBuffer read_key_file(const std::string& path, size_t bytes);
// Creates a new file (never overwriting) with mode 0600 holding the base64 key.
void write_key_file(const std::string& path, std::span<const std::byte> key);

// The key of --key B64 / --key-file PATH (exactly one may be given; nullptr when neither is).
// With create_missing, a --key-file that does not exist yet is created with a new random key
// (mode 0600) and `created` is set, so a first encrypted upload can make its key file.
std::shared_ptr<const SecureBuffer> key_from_flags(const std::string& key_b64,
                                                   const std::string& key_file, bool create_missing,
                                                   bool* created = nullptr);

}  // namespace ri::crypto
