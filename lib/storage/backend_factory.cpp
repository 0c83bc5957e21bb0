#include "storage/backend_factory.hpp"

#include <fmt/format.h>

#include "core/config.hpp"
#include "core/error.hpp"
#include "http/proxy.hpp"
#include "storage/azure_backend.hpp"
#include "storage/s3_backend.hpp"

namespace ri::storage {

void add_storage_options(CLI::App& app, StorageCliOptions& o) {
    app.add_option("--storage-profile", o.profile,
                   "Storage profile: the apiconfig section [storage.NAME]");
    app.add_option("--endpoint", o.endpoint,
                   "Storage endpoint URL (S3-compatible server, Azurite...)");
    app.add_option("--region", o.region, "S3 region (default us-east-1, or AWS_REGION)");
    app.add_flag("--path-style", o.path_style,
                 "S3 path-style addressing (most S3-compatible servers need it)");
    app.add_option("--account", o.account, "Azure storage account (default: from the az:// URL)");
}

http::ClientOptions client_options_from(const Config& config) {
    http::ClientOptions o;
    try {
        o.retry.max_attempts = std::max(1, std::stoi(config.get_or("max_retries", "10")) + 1);
    } catch (const std::exception&) {
        throw Error::config("max_retries must be a whole number.");
    }
    o.proxy = http::proxy_settings_from(config);
    return o;
}

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

std::unique_ptr<Backend> open_backend(const ObjectUrl& url, const StorageCliOptions& o,
                                      const Config& config) {
    std::map<std::string, std::string> flags;
    if (!o.endpoint.empty()) flags[url.scheme == "s3" ? "s3.endpoint" : "az.endpoint"] = o.endpoint;
    if (!o.region.empty()) flags["s3.region"] = o.region;
    if (o.path_style) flags["s3.path_style"] = "true";
    if (!o.account.empty()) flags["az.account"] = o.account;
    StorageProfile profile = load_storage_profile(o.profile, flags);
    auto pool = std::make_shared<http::HttpClientPool>(client_options_from(config));
    return make_backend(url, profile, std::move(pool));
}

}  // namespace ri::storage
