// Key and IV of one part of the legacy HKDF per-part format (Interlink formatVersion=1):
// HKDF-SHA256(IKM = master key, salt = empty, info = fileId(32) || uint64_le(part), L = 48),
// key = out[0:32], iv = out[32:48]. See shared/reference/rescale-platform-api.md section 3.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "crypto/secure_buffer.hpp"

namespace ri::crypto {

struct PartKey {
    SecureBuffer key{32};
    SecureBuffer iv{16};
};

PartKey derive_part_key(std::span<const std::byte> master_key, std::span<const std::byte> file_id,
                        uint64_t part_index);

// RFC 5869 HKDF-SHA256 with an explicit salt; exposed for the RFC test vectors.
void hkdf_sha256(std::span<const std::byte> ikm, std::span<const std::byte> salt,
                 std::span<const std::byte> info, std::span<std::byte> out);

}  // namespace ri::crypto
