#include "platform/storage_target.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace ri::platform {

storage::ObjectUrl StorageTarget::object_url(const std::string& key) const {
    storage::ObjectUrl u;
    u.scheme = scheme;
    u.account = account;
    u.bucket = bucket;
    u.key = key;
    return u;
}

std::string StorageTarget::upload_key(const std::string& object_name) const {
    return key_prefix.empty() ? object_name : key_prefix + "/" + object_name;
}

namespace {

std::string trim_slashes(std::string s) {
    while (!s.empty() && s.back() == '/')
        s.pop_back();
    while (!s.empty() && s.front() == '/')
        s.erase(0, 1);
    return s;
}

}  // namespace

StorageTarget storage_target(const Storage& st, const StorageCredentials& creds,
                             const BaseUrl& platform) {
    const ConnectionSettings& c = st.connection;
    std::string type = st.storage_type.empty() ? creds.storage_type : st.storage_type;
    StorageTarget t;
    t.bucket = c.container;
    if (type == "S3Storage") {
        t.scheme = "s3";
        if (t.bucket.empty())
            throw Error::bad_data(fmt::format(
                "The platform's storage {} names no bucket (connectionSettings.container).",
                st.id));
        auto& s3 = t.profile.s3;
        s3.region = c.region.empty() ? "us-east-1" : c.region;
        s3.endpoint = c.endpoint;
        if (s3.endpoint.empty() && platform.itar)
            s3.endpoint = fmt::format("https://s3-fips.{}.amazonaws.com", s3.region);
        s3.path_style = c.path_style;
        s3.access_key = creds.access_key;
        s3.secret_key = creds.secret_key;
        s3.session_token = creds.session_token;
        t.key_prefix = trim_slashes(c.path_base);
    } else if (type == "AzureStorage") {
        t.scheme = "az";
        t.account = c.account_name;
        if (t.bucket.empty() || (t.account.empty() && c.endpoint.empty()))
            throw Error::bad_data(fmt::format(
                "The platform's storage {} names no Azure account or container.", st.id));
        auto& az = t.profile.azure;
        az.account = t.account;
        az.endpoint = c.endpoint.empty()
                          ? fmt::format("https://{}.blob.core.windows.net", t.account)
                          : c.endpoint;
        while (!az.endpoint.empty() && az.endpoint.back() == '/')
            az.endpoint.pop_back();
        az.sas_token = creds.sas_token;
        t.key_prefix = trim_slashes(c.has_path_parts_base ? c.path_parts_base : c.path_base);
    } else {
        throw Error::unavailable(fmt::format(
            "The platform's storage {} is of a type ri does not know ('{}').", st.id, type));
    }
    return t;
}

StorageTarget file_storage_target(const CloudFile& file, const Storage& settings,
                                  const StorageCredentials& creds, const BaseUrl& platform) {
    Storage st = settings;
    if (!file.storage.storage_type.empty()) st.storage_type = file.storage.storage_type;
    if (!file.path_parts.container.empty()) st.connection.container = file.path_parts.container;
    StorageTarget t = storage_target(st, creds, platform);
    t.key_prefix.clear();
    if (t.scheme == "az") {
        for (const auto& p : creds.paths) {
            if (!p.sas_token.empty() &&
                (p.path == file.path_parts.path || p.path_parts.path == file.path_parts.path)) {
                t.profile.azure.sas_token = p.sas_token;
                break;
            }
        }
    }
    return t;
}

}  // namespace ri::platform
