// AES-256-CBC through OpenSSL's EVP interface (AES-NI when the CPU has it). Streaming: update()
// any number of times, then finish(). With padding, finish() adds (encrypt) or checks and
// strips (decrypt) PKCS7; without padding, inputs must be whole 16-byte blocks.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstddef>
#include <span>

namespace ri::crypto {

inline constexpr size_t kAesKeySize = 32;
inline constexpr size_t kAesBlockSize = 16;

// Size of a PKCS7-padded ciphertext for n bytes of plaintext: n + 16 - n % 16.
constexpr uint64_t padded_size(uint64_t n) {
    return n + kAesBlockSize - n % kAesBlockSize;
}

class AesCbc {
  public:
    enum class Direction { encrypt, decrypt };

    AesCbc(Direction dir, std::span<const std::byte> key, std::span<const std::byte> iv,
           bool padding);
    ~AesCbc();
    AesCbc(const AesCbc&) = delete;
    AesCbc& operator=(const AesCbc&) = delete;

    // out must have room for in.size() + 16 bytes. In-place (out == in) is allowed.
    // Returns bytes written.
    size_t update(std::span<const std::byte> in, std::byte* out);
    // Encrypt: writes the final padded block. Decrypt: returns false on bad padding (a wrong
    // key or a damaged file), true and the last plaintext bytes otherwise.
    bool finish(std::byte* out, size_t& written);

  private:
    EVP_CIPHER_CTX* ctx_;
};

}  // namespace ri::crypto
