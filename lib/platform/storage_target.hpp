// From what the platform says about a storage (users/me defaultStorage, a file's storage) and
// the credentials it handed out, to what lib/storage needs to open a Backend: the scheme,
// bucket or container, a StorageProfile with endpoint and keys, and the key prefix of uploads.
// Without an "endpoint" in connectionSettings (ri-sandbox sets one) the store is AWS
// (https://s3.REGION.amazonaws.com; the FIPS endpoint for the ITAR platforms) or Azure
// (https://ACCOUNT.blob.core.windows.net).
#pragma once

#include <string>

#include "platform/base_url.hpp"
#include "platform/models.hpp"
#include "storage/object_url.hpp"
#include "storage/storage_profile.hpp"

namespace ri::platform {

struct StorageTarget {
    std::string scheme;      // "s3" | "az"
    std::string bucket;      // S3 bucket or Azure container
    std::string account;     // Azure account
    std::string key_prefix;  // where new uploads go (no trailing '/'); may be empty
    storage::StorageProfile profile;
    // s3://bucket/key or az://account/container/key, for make_backend.
    storage::ObjectUrl object_url(const std::string& key = {}) const;
    // key_prefix + "/" + name (or name alone when there is no prefix).
    std::string upload_key(const std::string& object_name) const;
};

// The user's storage for uploads. Throws Error::unavailable when the storage type is unknown
// and Error::bad_data when connectionSettings lacks the bucket or account.
StorageTarget storage_target(const Storage& storage, const StorageCredentials& credentials,
                             const BaseUrl& platform);

// Where an existing file lives: its pathParts.container, with the connection settings of
// `settings` (the file's storage when it has them, else the default storage of the same id).
// For Azure, a per-path SAS that matches the file's path is preferred to the container's.
StorageTarget file_storage_target(const CloudFile& file, const Storage& settings,
                                  const StorageCredentials& credentials, const BaseUrl& platform);

}  // namespace ri::platform
