// Whole-object checks where the store gives a usable checksum: an S3 ETag of a single-part
// object is the MD5 of its bytes (32 hex digits; multipart ETags end in "-N" and are not),
// and Azure reports Content-MD5 (base64) for blobs put in one request.
#pragma once

#include <openssl/evp.h>

#include <memory>
#include <optional>
#include <span>
#include <string>

#include "storage/backend.hpp"

namespace ri::transfer {

class Md5 {
  public:
    Md5();
    ~Md5();
    void update(std::span<const std::byte> data);
    std::string hex();
    std::string base64();

  private:
    EVP_MD_CTX* ctx_;
    bool done_ = false;
    unsigned char md_[EVP_MAX_MD_SIZE] = {};
    unsigned int len_ = 0;
    void finish();
};

// The MD5 the store vouches for, as {hex} or {base64}; nullopt when it gives none usable.
struct ExpectedMd5 {
    std::string hex;
    std::string base64;
};
std::optional<ExpectedMd5> usable_md5(const storage::ObjectInfo& info);
bool matches(const ExpectedMd5& expected, Md5& actual);

}  // namespace ri::transfer
