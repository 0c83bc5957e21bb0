// Cryptographically secure random bytes (OpenSSL's CSPRNG) for keys, IVs and file ids.
#pragma once

#include <cstddef>
#include <span>

namespace ri::crypto {

void random_bytes(std::span<std::byte> out);

}  // namespace ri::crypto
