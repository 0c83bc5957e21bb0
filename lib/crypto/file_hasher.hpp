// SHA-512 and size of a file, read sequentially in large chunks.
#pragma once

#include "core/file.hpp"
#include "crypto/file_encryptor.hpp"

namespace ri::crypto {

struct HashResult {
    std::string sha512;
    uint64_t size = 0;
};

HashResult hash_file(File& in, const ProgressFn& progress = {});

}  // namespace ri::crypto
