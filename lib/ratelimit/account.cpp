#include "ratelimit/account.hpp"

#include <string>

#include "crypto/sha512.hpp"

namespace ri::ratelimit {

std::string account_id(std::string_view base_url, std::string_view api_key) {
    while (base_url.ends_with('/'))
        base_url.remove_suffix(1);
    std::string material = std::string(base_url) + "\n" + std::string(api_key);
    crypto::Sha512 sha;
    sha.update(std::as_bytes(std::span(material.data(), material.size())));
    std::fill(material.begin(), material.end(), '\0');
    return sha.hex_digest().substr(0, 32);
}

}  // namespace ri::ratelimit
