#include "storage/backend_factory.hpp"

#include <fmt/format.h>

#include "core/config.hpp"
#include "core/error.hpp"
#include "storage/azure_backend.hpp"
#include "storage/s3_backend.hpp"

namespace ri::storage {

std::unique_ptr<Backend> make_backend(const ObjectUrl& url, const StorageProfile& profile,
                                      std::shared_ptr<http::HttpClientPool> pool) {
    if (url.scheme == "s3") {
        if (profile.s3.access_key.empty() || profile.s3.secret_key.empty()) {
            throw Error::config(
                "No S3 credentials configured: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                "a storage "
                "profile ([storage.NAME] in apiconfig, --storage-profile NAME).");
        }
        return make_s3_backend(profile.s3, url.bucket, std::move(pool));
    }
    AzureSettings az = profile.azure;
    if (az.account.empty()) az.account = url.account;
    if (az.account_key.empty() && az.sas_token.empty()) {
        throw Error::config(
            "No Azure credentials configured: set AZURE_STORAGE_KEY or AZURE_STORAGE_SAS_TOKEN, or "
            "a storage "
            "profile ([storage.NAME] in apiconfig, --storage-profile NAME).");
    }
    return make_azure_backend(az, url.bucket, std::move(pool));
}

std::unique_ptr<Backend> open_backend(const ObjectUrl& url, const EndpointOverrides& o,
                                      const Config& config) {
    std::map<std::string, std::string> flags;
    if (!o.endpoint.empty()) flags[url.scheme == "s3" ? "s3.endpoint" : "az.endpoint"] = o.endpoint;
    if (!o.region.empty()) flags["s3.region"] = o.region;
    if (o.path_style) flags["s3.path_style"] = "true";
    if (!o.account.empty()) flags["az.account"] = o.account;
    StorageProfile profile = load_storage_profile(o.profile, flags);
    auto pool = std::make_shared<http::HttpClientPool>(http::client_options_from(config));
    return make_backend(url, profile, std::move(pool));
}

}  // namespace ri::storage
