// Resume state of transfers in the per-user state database, written as parts complete so that
// after Ctrl+C or kill -9 the same command reconciles with the server and sends only what the
// server lacks. An upload is keyed by (source file, destination URL) and valid only while the
// file's size and mtime are unchanged; a download by (source URL, destination path) and valid
// only while the object's ETag and size are unchanged.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "core/state_store.hpp"

namespace ri::transfer {

struct UploadRecord {
    int64_t id = 0;
    std::string source;
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    std::string dest;
    std::string upload_id;
    uint64_t part_size = 0;
    int parts = 0;
    bool encrypted = false;
    std::string key_b64;  // encrypted uploads: the key and first IV (file mode 0600)
    std::string iv_b64;
};

struct DonePart {
    uint64_t size = 0;
    std::string etag;
    std::string chain_iv_b64;  // encrypted: last ciphertext block of this part
};

struct DownloadRecord {
    int64_t id = 0;
    std::string source;
    std::string dest;
    uint64_t size = 0;
    std::string etag;
    uint64_t part_size = 0;
};

// A platform upload: which object and key a (source, target) got, and its stage:
// "uploading" (the object may be incomplete), "registering" (complete; register may have been
// sent), "registered" (file_id known).
struct PlatformUploadRecord {
    int64_t id = 0;
    std::string source;
    std::string target;  // API host, folder id and name
    uint64_t size = 0;
    int64_t mtime_ns = 0;
    std::string object_key;
    std::string key_b64;  // the file's encryption key (state file mode 0600)
    std::string stage;
    std::string sha512{};
    std::string file_id{};
};

// Thread-safe: engines record parts from worker threads.
class TransferState {
  public:
    explicit TransferState(StateStore& store) : store_(store) {}

    std::optional<UploadRecord> find_upload(const std::string& source, const std::string& dest);
    int64_t insert_upload(const UploadRecord& record);
    void record_part(int64_t upload, int number, const DonePart& part);
    std::map<int, DonePart> done_parts(int64_t upload);
    void forget_upload(int64_t upload);
    std::vector<UploadRecord> uploads_to(const std::string& dest_prefix);

    std::optional<DownloadRecord> find_download(const std::string& source, const std::string& dest);
    int64_t insert_download(const DownloadRecord& record);
    void record_download_part(int64_t download, int number);
    std::vector<int> done_download_parts(int64_t download);
    void forget_download(int64_t download);

    std::optional<PlatformUploadRecord> find_platform_upload(const std::string& source,
                                                             const std::string& target);
    int64_t insert_platform_upload(const PlatformUploadRecord& record);
    void set_platform_stage(int64_t id, const std::string& stage, const std::string& sha512,
                            const std::string& file_id);
    void forget_platform_upload(int64_t id);

  private:
    std::mutex mutex_;
    StateStore& store_;
};

}  // namespace ri::transfer
