// Where and as whom to reach a store: endpoint, region, addressing style and credentials.
// Sources, first wins: flags; the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN, AWS_ENDPOINT_URL, AWS_REGION / AWS_DEFAULT_REGION, AZURE_STORAGE_ACCOUNT,
// AZURE_STORAGE_KEY, AZURE_STORAGE_SAS_TOKEN, AZURE_STORAGE_ENDPOINT); a named profile, an
// apiconfig section [storage.NAME] (mode 0600: it holds secrets) chosen with --storage-profile
// or RI_STORAGE_PROFILE (without either, [storage.default] when it exists). Every secret is
// registered for redaction as soon as it is read.
//
//   [storage.lab]                  keys (aliases in parentheses)
//   endpoint = http://127.0.0.1:7480     (s3_endpoint)
//   region = us-east-1
//   path_style = true                    true/false, yes/no, 1/0
//   access_key = ...                     (aws_access_key_id)
//   secret_key = ...                     (aws_secret_access_key)
//   session_token = ...                  (aws_session_token)
//   azure_endpoint = http://127.0.0.1:10000/devstoreaccount1
//   azure_account = ...                  (account_name)
//   azure_key = ...                      (account_key)
//   azure_sas_token = ...                (sas_token)
//
// Credentials are taken as a unit from the first source that has any of them (S3: access key,
// secret key, session token; Azure: key, SAS token), so a stale AWS_SESSION_TOKEN never pairs
// with keys given as flags. AWS_ENDPOINT_URL_S3 is read before AWS_ENDPOINT_URL.
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
StorageProfile load_storage_profile(const std::string& profile_name,
                                    const std::map<std::string, std::string>& flags);

}  // namespace ri::storage
