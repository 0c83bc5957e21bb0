// Base64 (standard alphabet, padded: the platform's encodedEncryptionKey and `iv` metadata) and
// lowercase hex (checksums, openssl -K/-iv arguments).
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ri::crypto {

std::string base64_encode(std::span<const std::byte> data);
// Strict: standard alphabet, correct padding, no whitespace inside; nullopt otherwise.
std::optional<std::vector<std::byte>> base64_decode(std::string_view text);
std::string to_hex(std::span<const std::byte> data);
std::optional<std::vector<std::byte>> from_hex(std::string_view text);

}  // namespace ri::crypto
