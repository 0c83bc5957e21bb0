#include "storage/azure_block_id.hpp"

#include <array>
#include <cstdio>
#include <span>

#include "core/error.hpp"
#include "crypto/encoding.hpp"
#include "crypto/random.hpp"

namespace ri::storage {
namespace {

constexpr size_t kTokenLength = 12;
constexpr std::string_view kPrefix = "ri-";

}  // namespace

std::string new_azure_upload_token() {
    std::array<std::byte, kTokenLength / 2> bytes{};
    crypto::random_bytes(bytes);
    return crypto::to_hex(bytes);
}

bool is_azure_upload_token(std::string_view token) {
    if (token.size() != kTokenLength) return false;
    for (char c : token)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
    return true;
}

std::string azure_block_id(std::string_view token, int part_number) {
    if (!is_azure_upload_token(token) || part_number < 1 || part_number > 99'999'999) {
        throw Error::internal(
            "Invalid Azure block reference.",
            "token '" + std::string(token) + "' part " + std::to_string(part_number));
    }
    char digits[16];
    std::snprintf(digits, sizeof digits, "%08d", part_number);
    std::string raw = std::string(kPrefix) + std::string(token) + "-" + digits;
    return crypto::base64_encode(std::as_bytes(std::span(raw.data(), raw.size())));
}

std::optional<int> azure_block_part_number(std::string_view token, std::string_view block_id) {
    auto decoded = crypto::base64_decode(block_id);
    if (!decoded) return std::nullopt;
    std::string raw(reinterpret_cast<const char*>(decoded->data()), decoded->size());
    std::string head = std::string(kPrefix) + std::string(token) + "-";
    if (raw.size() != head.size() + 8 || !raw.starts_with(head)) return std::nullopt;
    int number = 0;
    for (char c : std::string_view(raw).substr(head.size())) {
        if (c < '0' || c > '9') return std::nullopt;
        number = number * 10 + (c - '0');
    }
    if (number < 1) return std::nullopt;
    return number;
}

}  // namespace ri::storage
