// Where and as whom to reach a store: endpoint, region, addressing style and credentials.
// Sources, first wins: flags; the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_ENDPOINT_URL, AWS_REGION / AWS_DEFAULT_REGION, AZURE_STORAGE_ACCOUNT,
// AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN, AZURE_STORAGE_ENDPOINT); a named profile, an
// apiconfig section [storage.NAME] (mode 0600: it holds secrets) chosen with --storage-profile
// or RI_STORAGE_PROFILE. Every secret is registered for redaction as soon as it is read.
#pragma once

#include <map>
#include <string>

namespace ri::storage {

struct S3Settings {
    std::string endpoint;  // empty: https://s3.REGION.amazonaws.com
    std::string region = "us-east-1";
    bool path_style = false;  // true for most S3-compatible servers
    std::string access_key;
    std::string secret_key;
    std::string session_token;
};

struct AzureSettings {
    std::string endpoint;  // empty: https://ACCOUNT.blob.core.windows.net
    std::string account;
    std::string account_key;  // SharedKey, base64
    std::string sas_token;    // without the leading '?'
};

struct StorageProfile {
    S3Settings s3;
    AzureSettings azure;
};

// flags: keys s3.endpoint, s3.region, s3.path_style, s3.access_key, s3.secret_key,
// s3.session_token, az.endpoint, az.account, az.key, az.sas (values as given on the command
// line; empty means unset).
StorageProfile load_storage_profile(const std::string& profile_name, const std::map<std::string, std::string>& flags);

}  // namespace ri::storage
