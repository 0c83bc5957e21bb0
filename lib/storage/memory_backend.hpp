// An in-memory Backend for unit tests of the transfer engine: objects, multipart uploads and
// metadata held in maps, with switches to inject failures (fail the next N calls of an
// operation with a StorageError or a transport error) and counters of every call, so tests can
// assert "parts confirmed before the crash were not sent again".
#pragma once

#include <atomic>
#include <map>
#include <mutex>

#include "storage/backend.hpp"
#include "storage/storage_error.hpp"

namespace ri::storage {

class MemoryBackend : public Backend {
  public:
    explicit MemoryBackend(std::string scheme = "s3",
                           Limits limits = {10000, 5u << 20, 5ull << 30, 5ull << 30, 1000});

    std::string scheme() const override { return scheme_; }
    std::string url_of(const std::string& key) const override {
        return scheme_ + "://memory/" + key;
    }
    Limits limits() const override { return limits_; }

    std::optional<ObjectInfo> head(const std::string& key) override;
    ObjectInfo get(const std::string& key, std::optional<ByteRange> range,
                   const Sink& sink) override;
    ObjectInfo put(const std::string& key, std::span<const std::byte> body,
                   const Metadata& metadata) override;
    std::string create_multipart(const std::string& key, const Metadata& metadata) override;
    std::string upload_part(const std::string& key, const std::string& upload_id, int part_number,
                            std::span<const std::byte> body) override;
    ObjectInfo complete_multipart(const std::string& key, const std::string& upload_id,
                                  const std::vector<PartInfo>& parts,
                                  const Metadata& metadata) override;
    void abort_multipart(const std::string& key, const std::string& upload_id) override;
    std::vector<PartInfo> list_parts(const std::string& key, const std::string& upload_id) override;
    std::vector<UploadInfo> list_multipart_uploads(const std::string& prefix) override;
    ListPage list(const std::string& prefix, const std::string& delimiter, const std::string& token,
                  int max_keys = 1000) override;
    std::vector<DeleteResult> delete_objects(const std::vector<std::string>& keys) override;
    ObjectInfo copy(const std::string& source_key, const std::string& dest_key,
                    MetadataDirective directive, const Metadata& metadata) override;

    // Test controls.
    void fail_next(const std::string& operation, int times, long http_status = 503,
                   std::string code = "SlowDown");
    int calls(const std::string& operation) const;
    std::string object_bytes(const std::string& key) const;
    void set_upload_initiated(const std::string& upload_id, const std::string& iso_time);
    // Flips a byte of a stored object without updating its ETag (bit rot, a tampered object).
    void corrupt(const std::string& key);
    // Called before every operation with its name and 1-based call count; may throw to inject
    // a failure at an exact point ("part 6 fails").
    void set_hook(std::function<void(const std::string& operation, int call)> hook);

  private:
    struct Upload {
        std::string key;
        Metadata metadata;
        std::string initiated;
        std::map<int, std::string> parts;
    };
    struct Object {
        std::string data;
        Metadata metadata;
        std::string etag;
        std::string last_modified;
    };
    void count_and_maybe_fail(const std::string& operation);

    std::string scheme_;
    Limits limits_;
    mutable std::mutex mutex_;
    std::map<std::string, Object> objects_;
    std::map<std::string, Upload> uploads_;
    std::map<std::string, int> calls_;
    std::map<std::string, std::pair<int, std::pair<long, std::string>>> failures_;
    uint64_t next_upload_ = 1;
    std::function<void(const std::string&, int)> hook_;
};

}  // namespace ri::storage
