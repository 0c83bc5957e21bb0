#include "storage/object_url.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace ri::storage {
namespace {

bool lower_or_digit(char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

// The reason a bucket name breaks S3's naming rules, or "" when it follows them.
std::string bucket_name_problem(std::string_view name) {
    if (name.size() < 3 || name.size() > 63) return "must be 3 to 63 characters long";
    for (char c : name) {
        if (!lower_or_digit(c) && c != '.' && c != '-')
            return "may contain only lower-case letters, digits, dots and hyphens";
    }
    if (!lower_or_digit(name.front()) || !lower_or_digit(name.back()))
        return "must begin and end with a letter or digit";
    if (name.find("..") != std::string_view::npos) return "must not contain two adjacent dots";
    if (name.find(".-") != std::string_view::npos || name.find("-.") != std::string_view::npos)
        return "must not have a dot next to a hyphen";
    unsigned char buf[4];
    if (::inet_pton(AF_INET, std::string(name).c_str(), buf) == 1)
        return "must not look like an IP address";
    for (std::string_view prefix : {"xn--", "sthree-", "amzn-s3-demo-"}) {
        if (name.starts_with(prefix)) return fmt::format("must not begin with '{}'", prefix);
    }
    for (std::string_view suffix : {"-s3alias", "--ol-s3", ".mrap", "--x-s3"}) {
        if (name.ends_with(suffix)) return fmt::format("must not end with '{}'", suffix);
    }
    return "";
}

std::string account_name_problem(std::string_view name) {
    if (name.size() < 3 || name.size() > 24) return "must be 3 to 24 characters long";
    if (!std::all_of(name.begin(), name.end(), lower_or_digit))
        return "may contain only lower-case letters and digits";
    return "";
}

std::string container_name_problem(std::string_view name) {
    if (name == "$root" || name == "$web" || name == "$logs") return "";
    if (name.size() < 3 || name.size() > 63) return "must be 3 to 63 characters long";
    for (char c : name) {
        if (!lower_or_digit(c) && c != '-')
            return "may contain only lower-case letters, digits and hyphens";
    }
    if (!lower_or_digit(name.front()) || !lower_or_digit(name.back()))
        return "must begin and end with a letter or digit";
    if (name.find("--") != std::string_view::npos) return "must not contain two adjacent hyphens";
    return "";
}

[[noreturn]] void invalid_url(std::string_view text, const std::string& problem) {
    throw Error::usage(fmt::format("Invalid storage URL '{}': {}.", text, problem));
}

}  // namespace

std::string ObjectUrl::to_string() const {
    if (scheme == "az") return fmt::format("az://{}/{}/{}", account, bucket, key);
    return fmt::format("{}://{}/{}", scheme, bucket, key);
}

bool looks_like_object_url(std::string_view text) {
    return strings::istarts_with(text, "s3://") || strings::istarts_with(text, "az://");
}

std::optional<ObjectUrl> parse_object_url(std::string_view text) {
    if (!looks_like_object_url(text)) return std::nullopt;
    ObjectUrl url;
    url.scheme = strings::lower(text.substr(0, 2));
    std::string_view rest = text.substr(5);

    auto take_segment = [&rest]() {
        auto slash = rest.find('/');
        std::string_view segment = rest.substr(0, slash);
        rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
        return std::string(segment);
    };

    if (url.scheme == "az") {
        url.account = take_segment();
        if (url.account.empty())
            invalid_url(text, "no storage account (az://ACCOUNT/CONTAINER/KEY)");
        if (auto p = account_name_problem(url.account); !p.empty())
            invalid_url(text, fmt::format("the storage account name '{}' {}", url.account, p));
        url.bucket = take_segment();
        if (url.bucket.empty()) invalid_url(text, "no container (az://ACCOUNT/CONTAINER/KEY)");
        if (auto p = container_name_problem(url.bucket); !p.empty())
            invalid_url(text, fmt::format("the container name '{}' {}", url.bucket, p));
        url.key = std::string(rest);
        if (url.key.size() > 1024) invalid_url(text, "a blob name is at most 1024 characters");
        return url;
    }

    url.bucket = take_segment();
    if (url.bucket.empty()) invalid_url(text, "no bucket (s3://BUCKET/KEY)");
    if (auto p = bucket_name_problem(url.bucket); !p.empty())
        invalid_url(text, fmt::format("the bucket name '{}' {}", url.bucket, p));
    url.key = std::string(rest);
    if (url.key.size() > 1024) invalid_url(text, "an object key is at most 1024 bytes");
    return url;
}

}  // namespace ri::storage
