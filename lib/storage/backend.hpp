// One interface over the object stores ri moves data to and from: S3 (and S3-compatible
// services such as Ceph radosgw) and Azure Blob. Every failure is a StorageError
// (storage_error.hpp): no type of the http layer crosses this interface. A Backend is bound to one
// bucket (S3) or container (Azure). Methods are thread-safe: implementations lend each call an HTTP
// client from a pool, so every worker reuses its own connection.
//
// Multipart vocabulary is S3's. Azure maps it onto blocks: create_multipart returns a token
// (no server call), upload_part is Put Block with a block id derived from the part number,
// list_parts is Get Block List (uncommitted blocks: what resume needs), complete is Put Block
// List with the metadata, abort drops nothing on the server (uncommitted blocks expire).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ri::storage {

// User metadata, keys lower-case without the x-amz-meta- / x-ms-meta- prefix.
using Metadata = std::map<std::string, std::string>;

struct ObjectInfo {
    std::string key;
    uint64_t size = 0;
    std::string etag;           // without quotes
    std::string last_modified;  // ISO 8601 UTC
    Metadata metadata;          // filled by head(); list() leaves it empty
    std::string content_md5;    // base64 when the store reports one (Azure Content-MD5)
};

struct ListPage {
    std::vector<ObjectInfo> objects;
    std::vector<std::string> common_prefixes;  // with delimiter: the "folders"
    std::string next_token;                    // empty when this was the last page
};

struct PartInfo {
    int number = 0;  // 1-based
    uint64_t size = 0;
    std::string etag;
};

struct UploadInfo {
    std::string key;
    std::string upload_id;
    std::string initiated;  // ISO 8601 UTC
};

struct ByteRange {
    uint64_t offset = 0;
    uint64_t length = 0;
};

struct DeleteResult {
    std::string key;
    bool ok = false;
    std::string code;  // e.g. AccessDenied, when not ok
    std::string message;
};

enum class MetadataDirective { copy, replace };

struct Limits {
    int max_parts;            // S3 10,000; Azure 50,000 blocks
    uint64_t min_part_size;   // S3 5 MiB (all but the last); Azure 1 byte
    uint64_t max_part_size;   // S3 5 GiB; Azure 4000 MiB
    uint64_t max_single_put;  // S3 5 GiB; Azure 5000 MiB
    int max_delete_batch;     // S3 1000; Azure 256 (one call per blob when no batch API)
};

using Sink = std::function<void(std::span<const std::byte>)>;

class Backend {
  public:
    virtual ~Backend() = default;

    virtual std::string scheme() const = 0;  // "s3" or "az"
    // The URL of a key in this backend: s3://bucket/key or az://account/container/key.
    virtual std::string url_of(const std::string& key) const = 0;
    virtual Limits limits() const = 0;

    // nullopt when the object does not exist; other failures throw StorageError.
    virtual std::optional<ObjectInfo> head(const std::string& key) = 0;
    // Streams the object (or a range of it) to sink and returns what the response's headers say
    // of the object: size (the whole object's, also for a range), ETag, metadata, Content-MD5 —
    // so a small object needs no HEAD before its GET. Throws StorageError; when the connection
    // broke mid-body its bytes_received() says how far the sink got.
    virtual ObjectInfo get(const std::string& key, std::optional<ByteRange> range,
                           const Sink& sink) = 0;
    virtual ObjectInfo put(const std::string& key, std::span<const std::byte> body,
                           const Metadata& metadata) = 0;

    virtual std::string create_multipart(const std::string& key, const Metadata& metadata) = 0;
    // Returns the part's ETag (S3) or block id (Azure).
    virtual std::string upload_part(const std::string& key, const std::string& upload_id,
                                    int part_number, std::span<const std::byte> body) = 0;
    virtual ObjectInfo complete_multipart(const std::string& key, const std::string& upload_id,
                                          const std::vector<PartInfo>& parts,
                                          const Metadata& metadata) = 0;
    virtual void abort_multipart(const std::string& key, const std::string& upload_id) = 0;
    // Every part the server holds for the upload, following pagination. Throws StorageError
    // with code NoSuchUpload when the upload is gone.
    virtual std::vector<PartInfo> list_parts(const std::string& key,
                                             const std::string& upload_id) = 0;
    virtual std::vector<UploadInfo> list_multipart_uploads(const std::string& prefix) = 0;

    // One page; pass the previous page's next_token to continue. max_keys <= 1000.
    virtual ListPage list(const std::string& prefix, const std::string& delimiter,
                          const std::string& token, int max_keys = 1000) = 0;
    // Batches internally (S3 DeleteObjects of up to 1000 keys); one result per key.
    virtual std::vector<DeleteResult> delete_objects(const std::vector<std::string>& keys) = 0;
    virtual ObjectInfo copy(const std::string& source_key, const std::string& dest_key,
                            MetadataDirective directive = MetadataDirective::copy,
                            const Metadata& metadata = {}) = 0;
};

// Every object under prefix (no delimiter: the whole tree), page by page as they arrive;
// on_object returns false to stop. Returns the number of objects delivered.
size_t for_each_object(Backend& backend, const std::string& prefix,
                       const std::function<bool(const ObjectInfo&)>& on_object);

}  // namespace ri::storage
