// Storage URLs on the command line: s3://bucket/key/prefix and az://account/container/key.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ri::storage {

struct ObjectUrl {
    std::string scheme;   // "s3" or "az"
    std::string account;  // az only
    std::string bucket;   // S3 bucket or Azure container
    std::string key;      // may be empty (the bucket root) or end in '/' (a prefix)
    bool is_prefix() const { return key.empty() || key.back() == '/'; }
    std::string to_string() const;
};

// nullopt when text is not an s3:// or az:// URL; throws Error::usage when it is one but
// malformed (no bucket, no container, invalid bucket name).
std::optional<ObjectUrl> parse_object_url(std::string_view text);
bool looks_like_object_url(std::string_view text);

}  // namespace ri::storage
