// Where the requests for one S3 bucket go: the endpoint (AWS by region, or a custom one such as
// radosgw), and path-style (http://host/bucket/key) or virtual-host (http://bucket.host/key)
// addressing. Virtual-host is used when asked for and possible: not for an IP-address endpoint,
// and not for a bucket name that is no DNS label (dots break TLS wildcard certificates); those fall
// back to path style, as the AWS SDKs do. "bucket.localhost" needs no DNS: libcurl resolves
// *.localhost to loopback itself.
#pragma once

#include <string>
#include <string_view>

#include "storage/storage_profile.hpp"

namespace ri::storage {

class S3Endpoint {
  public:
    S3Endpoint(const S3Settings& settings, std::string bucket);

    const std::string& bucket() const { return bucket_; }
    bool virtual_host() const { return virtual_host_; }
    // Host (and port) of the requests.
    const std::string& host() const { return host_; }
    // For bucket-level calls (ListObjectsV2, DeleteObjects, ?uploads): no trailing slash in path
    // style ("http://h/bucket"), "/" in virtual-host style.
    std::string bucket_url() const;
    // The key percent-encoded segment by segment the SigV4 way; "." and ".." segments have their
    // dots escaped so that no client or proxy collapses them (S3 keys are not paths).
    std::string object_url(std::string_view key) const;
    // True when a payload needs no SHA-256 signature to be safe in transit: https (TLS protects
    // it) or a loopback host (nothing in between).
    bool transport_protected() const { return protected_; }

    // The path of key in a URL (no leading slash), exposed for x-amz-copy-source and tests.
    static std::string encode_key(std::string_view key);

  private:
    std::string bucket_;
    std::string scheme_;
    std::string host_;
    std::string base_path_;  // an endpoint's own path prefix, without the trailing slash
    bool virtual_host_ = false;
    bool protected_ = false;
};

}  // namespace ri::storage
