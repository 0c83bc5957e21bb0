// Azure Blob Storage (and Azurite) over libcurl: SharedKey signing or a SAS token, block
// blobs (Put Blob, Put Block, Put Block List, Get Block List), ranged Get Blob, metadata,
// List Blobs with delimiter and marker, Delete, Copy. XML parsed with pugixml.
#pragma once

#include <memory>
#include <string>

#include "http/http_client.hpp"
#include "storage/backend.hpp"
#include "storage/storage_profile.hpp"

namespace ri::storage {

std::unique_ptr<Backend> make_azure_backend(const AzureSettings& settings,
                                            const std::string& container,
                                            std::shared_ptr<http::HttpClientPool> pool);

// Container management, for tests and setup: true when created / deleted, false when it
// already existed / was already gone; other failures throw StorageError.
bool create_azure_container(const AzureSettings& settings, const std::string& container,
                            http::HttpClientPool& pool);
bool delete_azure_container(const AzureSettings& settings, const std::string& container,
                            http::HttpClientPool& pool);

}  // namespace ri::storage
