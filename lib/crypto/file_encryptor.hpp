// Whole-file AES-256-CBC + PKCS7 encryption (the platform's format), with the SHA-512 of the
// plaintext computed on its own thread. CBC encryption is serial by nature; hashing is the
// slower step (about 0.6 GB/s a core against 1 GB/s for AES-CBC), so the two run on different
// cores over a bounded ring of chunk buffers: memory stays constant whatever the file size.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "core/file.hpp"

namespace ri::crypto {

using ProgressFn = std::function<void(uint64_t bytes)>;

inline constexpr size_t kDefaultChunk = 4u << 20;

struct EncryptResult {
    std::string sha512;  // of the plaintext, lowercase hex
    uint64_t size = 0;   // plaintext bytes
    uint64_t encrypted_size = 0;
};

EncryptResult encrypt_file(File& in, File& out, std::span<const std::byte> key,
                           std::span<const std::byte> iv, const ProgressFn& progress = {},
                           size_t chunk = kDefaultChunk);

}  // namespace ri::crypto
