// Amazon S3 and S3-compatible stores (Ceph radosgw, MinIO...) over libcurl: SigV4 header
// signing (and presigned URLs), path-style or virtual-host addressing, session tokens, XML
// parsed with pugixml.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "http/http_client.hpp"
#include "storage/backend.hpp"
#include "storage/storage_profile.hpp"

namespace ri::storage {

// Page sizes of the listings the backend follows to their end (ListParts, ListMultipartUploads):
// S3's maximums unless a test wants small pages to exercise the paging.
struct S3Options {
    int list_parts_page = 1000;
    int list_uploads_page = 1000;
};

std::unique_ptr<Backend> make_s3_backend(const S3Settings& settings, const std::string& bucket,
                                         std::shared_ptr<http::HttpClientPool> pool,
                                         S3Options options = {});

// Bucket management, for tests and setup: true when created / deleted, false when it already
// existed (owned by these credentials) / was already gone; other failures throw StorageError.
bool create_s3_bucket(const S3Settings& settings, const std::string& bucket,
                      http::HttpClientPool& pool);
bool delete_s3_bucket(const S3Settings& settings, const std::string& bucket,
                      http::HttpClientPool& pool);

// A presigned GET URL for key, valid for `expires` (SigV4 query signing).
std::string s3_presign_get(const S3Settings& settings, const std::string& bucket,
                           const std::string& key, std::chrono::seconds expires);

}  // namespace ri::storage
