// Downloads library files and job outputs (platform reference §2.2, §2.3, §3): the files are
// listed once with their full records (a job's outputs through the v2 job-files endpoint, 1000
// a page; a folder's contents recursively) and downloaded from that metadata with no per-file
// info calls. Each file is read from its own storage with per-file credentials when it is not
// on the user's default storage (Azure: the per-blob SAS), in parallel ranged parts decrypted
// in parallel (format detected from the object's metadata: whole-file CBC, CBC streaming, or
// the legacy HKDF per-part format), checked against the platform's SHA-512 before it gets its
// name (a mismatch is exit 65 and leaves no file), resumable, and written under -o DIR only:
// relative paths with "..", absolute paths, drive letters or symlinked directories that lead
// out of DIR are refused.
#pragma once

#include <filesystem>
#include <functional>
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

// A library file and where under the output directory it goes.
struct PlatformDownloadItem {
    platform::CloudFile file;
    std::string relative_path;  // under -o DIR; checked by confined_path
};

struct PlatformDownloadOptions {
    int concurrency = 8;
    uint64_t part_size = kDefaultPartSize;
    IfExists if_exists = IfExists::skip;
    bool skip_checksum = false;  // --skip-checksum: do not compare with fileChecksums
};

struct PlatformDownloadResult {
    platform::CloudFile file;
    std::string path;
    uint64_t size = 0;
    std::string sha512;
    bool skipped = false;
    bool resumed = false;
};

// The files to download, each listed once: by id (one GET each; relative path = name), a job's
// outputs (relativePath; include/exclude globs on it), a folder's tree (folder/sub/name).
std::vector<PlatformDownloadItem> files_by_id(platform::PlatformClient& client,
                                              const std::vector<std::string>& ids);
std::vector<PlatformDownloadItem> job_outputs(platform::PlatformClient& client,
                                              const std::string& job_id, const PathFilter& filter);
std::vector<PlatformDownloadItem> folder_tree(platform::PlatformClient& client,
                                              const std::string& folder_id,
                                              const PathFilter& filter);

class PlatformDownloader {
  public:
    using DoneFn = std::function<void(const PlatformDownloadResult&)>;
    using ErrorFn = std::function<void(const PlatformDownloadItem&, const std::exception&)>;

    PlatformDownloader(platform::PlatformClient& client, TransferState* state, Progress& progress,
                       PlatformDownloadOptions options);
    ~PlatformDownloader();

    // Throws only for an interrupt, after saving the state of the parts written.
    void run(const std::vector<PlatformDownloadItem>& items, const std::filesystem::path& dir,
             const DoneFn& on_done, const ErrorFn& on_error);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ri::transfer
