// Uploads files to a storage Backend with one worker budget across parts and files.
//
// Small files go up in one PUT; larger ones as multipart uploads whose parts are read with
// pread by whichever worker takes them, so reading and sending overlap across N workers and
// memory stays at N x part size. With encryption (the platform's CBC format: ciphertext
// byte-identical to whole-file AES-256-CBC), parts are encrypted strictly in order (part N's
// IV is the last ciphertext block of part N-1) by the worker that takes each part, then sent
// in parallel: encryption is the only serial step.
//
// Every confirmed part is written to the state database at once. Running the same upload
// again after Ctrl+C or kill -9 lists the parts the server holds, keeps those the state also
// recorded (for encrypted uploads the state holds each part's chained IV), and sends only
// the rest. Nothing is registered or reported before the object is complete.
#pragma once

#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/progress.hpp"
#include "crypto/secure_buffer.hpp"
#include "storage/backend.hpp"
#include "transfer/conflict.hpp"
#include "transfer/part_planner.hpp"
#include "transfer/plaintext_tap.hpp"
#include "transfer/transfer_state.hpp"

namespace ri::transfer {

struct UploadItem {
    std::string source;  // local file
    std::string key;     // destination key in the backend
    // Set: encrypt this file with its own 32-byte key (platform uploads: one key per file);
    // else UploadOptions::encryption_key.
    std::shared_ptr<const crypto::SecureBuffer> encryption_key{};
    // Set (encrypted uploads): sees the plaintext as it is read, in order (plaintext_tap.hpp).
    std::shared_ptr<PlaintextTap> tap{};
    // The item in the run's progress when the caller announced it already (platform uploads);
    // 0: the engine announces it, named by its source.
    Progress::ItemId progress_item = 0;
};

struct UploadResult {
    std::string source;
    std::string key;
    std::string url;
    uint64_t size = 0;  // bytes of the local file (plaintext)
    std::string etag;
    bool skipped = false;    // the destination existed and --if-exists skip
    bool encrypted = false;  // stored as CBC ciphertext; the IV is in the object's metadata
    std::string iv_b64;
    int parts = 1;
    int parts_sent = 0;  // parts sent by this run (fewer than parts after a resume)
    bool resumed = false;
};

struct UploadOptions {
    int concurrency = 8;
    PlanOptions plan;
    IfExists if_exists = IfExists::skip;
    storage::Metadata metadata;  // added to every object
    // Set: encrypt with this 32-byte key (a fresh random IV per file).
    std::shared_ptr<const crypto::SecureBuffer> encryption_key;
    // Destination keys known to exist (from one listing of the prefix): saves a HEAD per file.
    // Null: ask the store per file.
    std::shared_ptr<const std::set<std::string>> existing_keys;
};

class Uploader {
  public:
    using DoneFn = std::function<void(const UploadResult&)>;
    using ErrorFn = std::function<void(const UploadItem&, const std::exception&)>;

    // state may be null (no resume: tests, or a read-only state directory).
    Uploader(storage::Backend& backend, TransferState* state, Progress& progress,
             UploadOptions options);
    ~Uploader();

    // Uploads every item; on_done and on_error are called from worker threads, one call at a
    // time, and each item's progress ends with it (finished, skipped or failed). Throws only for
    // an interrupt (after saving the state of every part in flight).
    void run(const std::vector<UploadItem>& items, const DoneFn& on_done, const ErrorFn& on_error);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// A source file's size and modification time (resume state is valid only while both hold).
struct SourceStat {
    uint64_t size = 0;
    int64_t mtime_ns = 0;
};
// Throws a missing-input error when path is not a regular file, a file error when unreadable.
SourceStat stat_source(const std::string& path);

// Aborts multipart uploads under prefix that started more than `older_than_hours` ago and that
// no local resume state knows (seed 004: orphaned multipart upload cleanup). Returns them.
std::vector<storage::UploadInfo> abort_orphaned_uploads(storage::Backend& backend,
                                                        TransferState* state,
                                                        const std::string& prefix,
                                                        int older_than_hours);

}  // namespace ri::transfer
