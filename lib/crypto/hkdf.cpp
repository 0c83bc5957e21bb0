#include "crypto/hkdf.hpp"

#include <openssl/core_names.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include <cstring>
#include <vector>

#include "core/error.hpp"

namespace ri::crypto {

void hkdf_sha256(std::span<const std::byte> ikm, std::span<const std::byte> salt,
                 std::span<const std::byte> info, std::span<std::byte> out) {
    EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "HKDF", nullptr);
    EVP_KDF_CTX* ctx = kdf ? EVP_KDF_CTX_new(kdf) : nullptr;
    EVP_KDF_free(kdf);
    if (!ctx) throw Error::internal("HKDF is not available.", "EVP_KDF_fetch");
    char digest[] = "SHA256";
    OSSL_PARAM params[5];
    size_t n = 0;
    params[n++] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, digest, 0);
    params[n++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
                                                    const_cast<std::byte*>(ikm.data()), ikm.size());
    // An empty salt means "HashLen zeros" in RFC 5869; OpenSSL does exactly that when it is absent.
    if (!salt.empty()) {
        params[n++] = OSSL_PARAM_construct_octet_string(
            OSSL_KDF_PARAM_SALT, const_cast<std::byte*>(salt.data()), salt.size());
    }
    params[n++] = OSSL_PARAM_construct_octet_string(
        OSSL_KDF_PARAM_INFO, const_cast<std::byte*>(info.data()), info.size());
    params[n] = OSSL_PARAM_construct_end();
    int ok = EVP_KDF_derive(ctx, reinterpret_cast<unsigned char*>(out.data()), out.size(), params);
    EVP_KDF_CTX_free(ctx);
    if (ok != 1) throw Error::internal("HKDF derivation failed.", "EVP_KDF_derive");
}

PartKey derive_part_key(std::span<const std::byte> master_key, std::span<const std::byte> file_id,
                        uint64_t part_index) {
    std::vector<std::byte> info(file_id.begin(), file_id.end());
    for (int i = 0; i < 8; ++i)
        info.push_back(static_cast<std::byte>((part_index >> (8 * i)) & 0xff));
    SecureBuffer okm(48);
    hkdf_sha256(master_key, {}, info, okm.span());
    PartKey pk;
    std::memcpy(pk.key.data(), okm.data(), 32);
    std::memcpy(pk.iv.data(), okm.data() + 32, 16);
    return pk;
}

}  // namespace ri::crypto
