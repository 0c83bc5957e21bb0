#include "transfer/object_checksum.hpp"

#include <algorithm>
#include <cctype>

#include "core/strings.hpp"
#include "crypto/encoding.hpp"

namespace ri::transfer {

Md5::Md5() : ctx_(EVP_MD_CTX_new()) {
    EVP_DigestInit_ex(ctx_, EVP_md5(), nullptr);
}
Md5::~Md5() {
    EVP_MD_CTX_free(ctx_);
}

void Md5::update(std::span<const std::byte> data) {
    if (!data.empty()) EVP_DigestUpdate(ctx_, data.data(), data.size());
}

void Md5::finish() {
    if (done_) return;
    EVP_DigestFinal_ex(ctx_, md_, &len_);
    done_ = true;
}

std::string Md5::hex() {
    finish();
    return crypto::to_hex({reinterpret_cast<const std::byte*>(md_), len_});
}

std::string Md5::base64() {
    finish();
    return crypto::base64_encode({reinterpret_cast<const std::byte*>(md_), len_});
}

std::optional<ExpectedMd5> usable_md5(const storage::ObjectInfo& info) {
    if (!info.content_md5.empty()) return ExpectedMd5{"", info.content_md5};
    std::string e = info.etag;
    if (e.size() == 32 &&
        std::all_of(e.begin(), e.end(), [](unsigned char c) { return std::isxdigit(c); })) {
        return ExpectedMd5{strings::lower(e), ""};
    }
    return std::nullopt;
}

bool matches(const ExpectedMd5& expected, Md5& actual) {
    if (!expected.hex.empty()) return expected.hex == actual.hex();
    return expected.base64 == actual.base64();
}

}  // namespace ri::transfer
