// Opens the Backend for a storage URL with the user's settings: the storage profile
// (endpoint, region, path style, credentials), HTTP retries and proxies from ri's config.
// Also the command-line options every storage tool shares, so ri-upload and ri-download
// spell them the same way.
#pragma once

#include <CLI/CLI.hpp>
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

struct StorageCliOptions {
    std::string profile;   // --storage-profile
    std::string endpoint;  // --endpoint
    std::string region;    // --region
    bool path_style = false;
    std::string account;  // --account (Azure)
};

void add_storage_options(CLI::App& app, StorageCliOptions& options);

// HTTP client settings from ri's config: retries (max_retries) and proxies.
http::ClientOptions client_options_from(const Config& config);

std::unique_ptr<Backend> make_backend(const ObjectUrl& url, const StorageProfile& profile,
                                      std::shared_ptr<http::HttpClientPool> pool);
// The common path: profile from flags + environment + apiconfig, pool from config.
std::unique_ptr<Backend> open_backend(const ObjectUrl& url, const StorageCliOptions& options,
                                      const Config& config);

}  // namespace ri::storage
