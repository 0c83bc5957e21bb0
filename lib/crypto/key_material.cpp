#include "crypto/key_material.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/file.hpp"
#include "core/redact.hpp"
#include "core/strings.hpp"
#include "crypto/encoding.hpp"
#include "crypto/random.hpp"

namespace ri::crypto {

void register_key_forms(std::span<const std::byte> key) {
    register_secret(base64_encode(key));
    register_secret(to_hex(key));
    register_secret(strings::upper(to_hex(key)));
}

SecureBuffer decode_base64_secret(std::string_view text, size_t bytes, std::string_view what) {
    register_secret(text);  // even a malformed key must not reach a log
    auto decoded = base64_decode(text);
    if (!decoded)
        throw Error::usage(
            fmt::format("{} is not valid base64 (standard alphabet, with = padding).", what));
    if (decoded->size() != bytes) {
        throw Error::usage(
            fmt::format("{} must be {} bytes ({} base64 characters); it decodes to {} bytes.", what,
                        bytes, 4 * ((bytes + 2) / 3), decoded->size()));
    }
    SecureBuffer out(bytes);
    std::copy(decoded->begin(), decoded->end(), out.data());
    OPENSSL_cleanse(decoded->data(), decoded->size());
    register_key_forms(out.span());
    return out;
}

SecureBuffer random_secret(size_t bytes) {
    SecureBuffer out(bytes);
    random_bytes(out.span());
    return out;
}

SecureBuffer read_key_file(const std::string& path, size_t bytes) {
    File f = File::open_read(path);
    std::string text(256, '\0');
    size_t n = f.read_full({reinterpret_cast<std::byte*>(text.data()), text.size()});
    text.resize(n);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' '))
        text.pop_back();
    SecureBuffer key = decode_base64_secret(text, bytes, fmt::format("The key in '{}'", path));
    OPENSSL_cleanse(text.data(), text.size());
    return key;
}

void write_key_file(const std::string& path, std::span<const std::byte> key) {
    File f = File::create(path, 0600, /*exclusive=*/true);
    std::string line = base64_encode(key) + "\n";
    f.write_all({reinterpret_cast<const std::byte*>(line.data()), line.size()});
    f.close();
}

}  // namespace ri::crypto

namespace ri::crypto {

std::shared_ptr<const SecureBuffer> key_from_flags(const std::string& key_b64,
                                                   const std::string& key_file, bool create_missing,
                                                   bool* created) {
    if (created) *created = false;
    if (!key_b64.empty() && !key_file.empty())
        throw Error::usage("Give the key once: --key or --key-file, not both.");
    if (!key_b64.empty())
        return std::make_shared<SecureBuffer>(decode_base64_secret(key_b64, 32, "--key"));
    if (key_file.empty()) return nullptr;
    std::error_code ec;
    if (create_missing && !std::filesystem::exists(key_file, ec)) {
        auto key = std::make_shared<SecureBuffer>(random_secret(32));
        register_key_forms(key->span());
        write_key_file(key_file, key->span());
        if (created) *created = true;
        return key;
    }
    return std::make_shared<SecureBuffer>(read_key_file(key_file, 32));
}

}  // namespace ri::crypto
