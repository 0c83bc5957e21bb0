// How S3's multipart vocabulary maps onto Azure block blobs (see backend.hpp).
//
// An "upload id" is a token ri makes up (no server call): 12 lower-case hex characters. Part N
// of that upload is the block whose id is base64("ri-" + token + "-" + N as 8 digits): 24 bytes
// before encoding, so every id ri gives a blob has the same length (the service requires that)
// and needs no '=' padding. The token inside the id lets list_parts tell this upload's
// uncommitted blocks from leftovers of another upload to the same blob.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ri::storage {

// A fresh random upload token.
std::string new_azure_upload_token();
bool is_azure_upload_token(std::string_view token);
// The block id of a part (1-based, at most 99,999,999). The token must be valid.
std::string azure_block_id(std::string_view token, int part_number);
// The part number a block id stands for, when it is a block of this upload; nullopt for any
// other id (another upload's, another client's, not base64).
std::optional<int> azure_block_part_number(std::string_view token, std::string_view block_id);

}  // namespace ri::storage
