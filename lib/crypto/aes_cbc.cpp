#include "crypto/aes_cbc.hpp"

#include <climits>

#include "core/error.hpp"

namespace ri::crypto {

AesCbc::AesCbc(Direction dir, std::span<const std::byte> key, std::span<const std::byte> iv,
               bool padding)
    : ctx_(EVP_CIPHER_CTX_new()) {
    if (key.size() != kAesKeySize || iv.size() != kAesBlockSize) {
        EVP_CIPHER_CTX_free(ctx_);
        throw Error::usage("An AES-256 key is 32 bytes and an IV 16 bytes.");
    }
    auto k = reinterpret_cast<const unsigned char*>(key.data());
    auto v = reinterpret_cast<const unsigned char*>(iv.data());
    int ok = dir == Direction::encrypt ? EVP_EncryptInit_ex(ctx_, EVP_aes_256_cbc(), nullptr, k, v)
                                       : EVP_DecryptInit_ex(ctx_, EVP_aes_256_cbc(), nullptr, k, v);
    if (!ctx_ || ok != 1) {
        EVP_CIPHER_CTX_free(ctx_);
        throw Error::internal("AES-256-CBC is not available.", "EVP_*Init_ex");
    }
    EVP_CIPHER_CTX_set_padding(ctx_, padding ? 1 : 0);
}

AesCbc::~AesCbc() {
    EVP_CIPHER_CTX_free(ctx_);
}  // also wipes the key schedule

size_t AesCbc::update(std::span<const std::byte> in, std::byte* out) {
    size_t total = 0;
    // EVP takes int lengths; feed large spans in slices.
    constexpr size_t kSlice = 1u << 30;
    for (size_t off = 0; off < in.size(); off += kSlice) {
        size_t n = std::min(kSlice, in.size() - off);
        int written = 0;
        if (EVP_CipherUpdate(ctx_, reinterpret_cast<unsigned char*>(out + total), &written,
                             reinterpret_cast<const unsigned char*>(in.data() + off),
                             static_cast<int>(n)) != 1) {
            throw Error::internal("AES-256-CBC failed.", "EVP_CipherUpdate");
        }
        total += static_cast<size_t>(written);
    }
    return total;
}

bool AesCbc::finish(std::byte* out, size_t& written) {
    int n = 0;
    int ok = EVP_CipherFinal_ex(ctx_, reinterpret_cast<unsigned char*>(out), &n);
    written = static_cast<size_t>(n);
    return ok == 1;
}

}  // namespace ri::crypto
