// Uploads local files to the user's Rescale library (platform reference §2.2, §3): per file a
// fresh 32-byte key and IV, the CBC-chained streaming encryption of upload_engine.hpp (ciphertext
// byte-identical to whole-file AES-256-CBC; object metadata iv, streamingformat=cbc, partsize) to
// the default storage under pathBase/NAME-<22 random alnum>, the plaintext's SHA-512 on its own
// thread meanwhile, and only then POST /api/v3/files/ (encodedEncryptionKey, pathParts, storage,
// decryptedSize, fileChecksums, currentFolderId). A file is reported only once it is registered.
//
// Resume: the object key, the file's key and the stage (uploading, registering) are kept in the
// state database (platform_uploads; mode 0600) beside the multipart state, so the same upload
// after Ctrl+C or kill -9 continues the same multipart upload with the same key and chained IV,
// and a file is never registered twice: after a crash between upload and register, the rerun
// registers once; when a register that may have reached the server answers "conflict", the
// file is looked up by name and storage path instead of being registered again.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/path_filter.hpp"
#include "core/progress.hpp"
#include "platform/models.hpp"
#include "transfer/conflict.hpp"
#include "transfer/part_planner.hpp"
#include "transfer/transfer_state.hpp"

namespace ri::platform {
class PlatformClient;
}

namespace ri::transfer {

struct PlatformUploadItem {
    std::string source;     // local file
    std::string name;       // name in the library; empty: the basename of source
    std::string folder_id;  // empty: PlatformUploadOptions::folder_id (else My Library)
};

struct PlatformUploadOptions {
    int concurrency = 8;    // parts and files in flight (one budget)
    PlanOptions plan;       // part size and multipart threshold
    std::string folder_id;  // default folder; empty: the user's My Library
    // A file of that name already in the folder: skip it (report the existing file), overwrite
    // it (the old file is deleted once the new one is uploaded), or rename the new one "a (1).x".
    IfExists if_exists = IfExists::skip;
    // List each target folder once before uploading, so that conflicts cost no upload.
    bool check_conflicts = false;
    // Legacy mode: encrypt into a temporary file first, then upload it (whole-file CBC, iv only).
    bool pre_encrypt = false;
    std::vector<std::string> tags;  // added to each file after registration
    int type_id = 1;                // 1 input file (reference §2.2)
};

struct PlatformUploadResult {
    std::string source;
    platform::CloudFile file;  // as registered (or the existing file, when skipped)
    uint64_t size = 0;         // plaintext bytes
    std::string sha512;        // lowercase hex of the plaintext
    bool skipped = false;
    bool resumed = false;
    int parts = 1;
    int parts_sent = 0;
};

class PlatformUploader {
  public:
    using DoneFn = std::function<void(const PlatformUploadResult&)>;
    using ErrorFn = std::function<void(const PlatformUploadItem&, const std::exception&)>;

    // state may be null (no resume).
    PlatformUploader(platform::PlatformClient& client, TransferState* state, Progress& progress,
                     PlatformUploadOptions options);
    ~PlatformUploader();

    // Uploads and registers every item. on_done and on_error are called one at a time, from
    // worker threads. Throws only for an interrupt (130) after saving resume state.
    void run(const std::vector<PlatformUploadItem>& items, const DoneFn& on_done,
             const ErrorFn& on_error);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// ri-upload's sources in the library: a file goes into folder_id (empty: My Library); a
// directory needs `recursive` and becomes a folder of its name there (reused when it exists),
// its tree recreated below it. Files matching the filter's excludes are left out; symlinked
// directories are not entered. Throws Error::missing_input for a missing source, usage for a
// directory without `recursive`.
std::vector<PlatformUploadItem> platform_upload_items(platform::PlatformClient& client,
                                                      const std::vector<std::string>& sources,
                                                      const std::string& folder_id, bool recursive,
                                                      const PathFilter& filter);

// The library entry point for other tools (ri-jobs submit --upload, ri-pur): uploads the local
// files at `paths` to the library (resumable through the user's state database) and returns
// their registered records, in the order of `paths`. All files are attempted; then the first
// failure is thrown (its ri::Error class intact). progress may be null.
std::vector<platform::CloudFile> upload_files_to_platform(platform::PlatformClient& client,
                                                          const std::vector<std::string>& paths,
                                                          const PlatformUploadOptions& options = {},
                                                          Progress* progress = nullptr);

}  // namespace ri::transfer
