// Decryption of the platform's formats, in parallel, in constant memory.
//  - CBC (whole-file and Interlink's CBC streaming: the same bytes): a block needs only the
//    previous ciphertext block, so 4 MiB chunks are decrypted by several threads at once, each
//    reading 16 extra bytes before its chunk as IV.
//  - HKDF per-part (legacy formatVersion=1): every part is its own CBC stream with a derived key
//    and IV and its own padding.
// Both are "segments of CBC": workers decrypt chunks into a bounded ring of buffers; one thread
// writes them in order (concurrent writes to one file contend on the inode lock and measured
// slower than one writer) and another hashes them in order with SHA-512.
// For the CBC format the padding is checked before anything is written: a wrong key fails at once.
#pragma once

#include <cstdint>
#include <span>
#include <string>

#include "core/file.hpp"
#include "crypto/file_encryptor.hpp"

namespace ri::crypto {

struct DecryptResult {
    std::string sha512;  // empty when hashing was turned off
    uint64_t size = 0;
};

struct DecryptOptions {
    unsigned threads = 0;  // 0: one per core (at most 8)
    bool hash = true;      // SHA-512 of the plaintext (the serial step: about 0.6 GB/s a core)
    ProgressFn progress;
    size_t chunk = kDefaultChunk;
};

struct HkdfFormat {
    std::span<const std::byte> master_key;  // 32 bytes (encodedEncryptionKey)
    std::span<const std::byte> file_id;     // 32 bytes (fileid metadata)
    uint64_t part_size = 0;                 // plaintext bytes per part (partsize metadata)
};

DecryptResult decrypt_cbc_file(const File& in, File& out, std::span<const std::byte> key,
                               std::span<const std::byte> iv, const DecryptOptions& options = {});

DecryptResult decrypt_hkdf_file(const File& in, File& out, const HkdfFormat& format,
                                const DecryptOptions& options = {});

// The plaintext size of a CBC ciphertext, from its last block; throws bad_data on a size that
// is not whole blocks or on bad padding (wrong key or damaged file).
uint64_t cbc_plaintext_size(const File& in, std::span<const std::byte> key,
                            std::span<const std::byte> iv);

}  // namespace ri::crypto
