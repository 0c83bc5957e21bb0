#include "crypto/sha512.hpp"

#include <openssl/evp.h>

#include "core/error.hpp"
#include "crypto/encoding.hpp"

namespace ri::crypto {

struct Sha512::Impl {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    ~Impl() { EVP_MD_CTX_free(ctx); }
};

Sha512::Sha512() : impl_(std::make_unique<Impl>()) {
    if (!impl_->ctx || EVP_DigestInit_ex(impl_->ctx, EVP_sha512(), nullptr) != 1) {
        throw Error::internal("SHA-512 is not available.", "EVP_DigestInit_ex");
    }
}

Sha512::~Sha512() = default;
Sha512::Sha512(Sha512&&) noexcept = default;
Sha512& Sha512::operator=(Sha512&&) noexcept = default;

void Sha512::update(std::span<const std::byte> data) {
    if (!data.empty()) EVP_DigestUpdate(impl_->ctx, data.data(), data.size());
}

std::string Sha512::hex_digest() {
    std::byte md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(impl_->ctx, reinterpret_cast<unsigned char*>(md), &len);
    return to_hex({md, len});
}

}  // namespace ri::crypto
