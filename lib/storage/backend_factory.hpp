// Opens the Backend for a storage URL with the user's settings: the storage profile
// (endpoint, region, path style, credentials), HTTP retries and proxies from ri's config, and
// what a caller overrides (a tool's --endpoint, --region...).
#pragma once

#include <map>
#include <memory>
#include <string>

#include "http/http_client.hpp"
#include "storage/backend.hpp"
#include "storage/object_url.hpp"
#include "storage/storage_profile.hpp"

namespace ri {
class Config;
}

namespace ri::storage {

// What a caller sets over the storage profile and environment (empty: not set).
struct EndpointOverrides {
    std::string profile;  // the profile section [storage.NAME]
    std::string endpoint;
    std::string region;
    bool path_style = false;
    std::string account;  // Azure
};

std::unique_ptr<Backend> make_backend(const ObjectUrl& url, const StorageProfile& profile,
                                      std::shared_ptr<http::HttpClientPool> pool);
// The common path: profile from flags + environment + apiconfig, pool from config.
std::unique_ptr<Backend> open_backend(const ObjectUrl& url, const EndpointOverrides& overrides,
                                      const Config& config);

}  // namespace ri::storage
