#include "storage/s3_endpoint.hpp"

#include <algorithm>
#include <cctype>

#include "core/error.hpp"
#include "core/strings.hpp"
#include "storage/sigv4_signer.hpp"

namespace ri::storage {
using strings::lower;
namespace {

// host without the port, and without the brackets of an IPv6 literal.
std::string_view hostname(std::string_view host) {
    if (host.starts_with('[')) return host.substr(1, host.find(']') - 1);
    return host.substr(0, host.rfind(':'));
}

bool is_ip_literal(std::string_view host) {
    if (host.starts_with('[')) return true;
    std::string_view name = hostname(host);
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
    });
}

bool is_loopback(std::string_view host) {
    std::string_view name = hostname(host);
    return name == "localhost" || name.ends_with(".localhost") || name.starts_with("127.") ||
           name == "::1";
}

// A bucket name that can be the first label of a host name.
bool dns_compatible(std::string_view bucket, bool tls) {
    if (bucket.size() < 3 || bucket.size() > 63) return false;
    if (bucket.front() == '-' || bucket.back() == '-' || bucket.front() == '.' ||
        bucket.back() == '.')
        return false;
    for (char c : bucket) {
        bool ok =
            (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || (c == '.' && !tls);
        if (!ok) return false;
    }
    return bucket.find("..") == std::string_view::npos;
}

}  // namespace

S3Endpoint::S3Endpoint(const S3Settings& settings, std::string bucket)
    : bucket_(std::move(bucket)) {
    std::string endpoint = settings.endpoint;
    if (endpoint.empty()) endpoint = "https://s3." + settings.region + ".amazonaws.com";
    auto sep = endpoint.find("://");
    if (sep == std::string::npos) {
        throw Error::config("The S3 endpoint must be a URL such as https://s3.example.com.",
                            "endpoint without a scheme: " + endpoint);
    }
    scheme_ = lower(endpoint.substr(0, sep));
    if (scheme_ != "http" && scheme_ != "https") {
        throw Error::config("The S3 endpoint must start with http:// or https://.",
                            "endpoint: " + endpoint);
    }
    std::string rest = endpoint.substr(sep + 3);
    auto slash = rest.find('/');
    host_ = lower(rest.substr(0, slash));
    if (slash != std::string::npos) base_path_ = rest.substr(slash);
    while (!base_path_.empty() && base_path_.back() == '/')
        base_path_.pop_back();
    if (host_.empty())
        throw Error::config("The S3 endpoint has no host name.", "endpoint: " + endpoint);

    const bool tls = scheme_ == "https";
    virtual_host_ = !settings.path_style && !is_ip_literal(host_) && dns_compatible(bucket_, tls);
    protected_ = tls || is_loopback(host_);
}

std::string S3Endpoint::encode_key(std::string_view key) {
    std::string out;
    size_t start = 0;
    while (true) {
        auto slash = key.find('/', start);
        std::string_view segment =
            key.substr(start, slash == std::string_view::npos ? slash : slash - start);
        if (segment == "." || segment == "..") {
            for (size_t i = 0; i < segment.size(); ++i)
                out += "%2E";
        } else {
            out += aws_uri_encode(segment, false);
        }
        if (slash == std::string_view::npos) break;
        out += '/';
        start = slash + 1;
    }
    return out;
}

std::string S3Endpoint::bucket_url() const {
    if (virtual_host_) return scheme_ + "://" + bucket_ + "." + host_ + base_path_ + "/";
    return scheme_ + "://" + host_ + base_path_ + "/" + aws_uri_encode(bucket_, false);
}

std::string S3Endpoint::object_url(std::string_view key) const {
    if (virtual_host_)
        return scheme_ + "://" + bucket_ + "." + host_ + base_path_ + "/" + encode_key(key);
    return scheme_ + "://" + host_ + base_path_ + "/" + aws_uri_encode(bucket_, false) + "/" +
           encode_key(key);
}

}  // namespace ri::storage
