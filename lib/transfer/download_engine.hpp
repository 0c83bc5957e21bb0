// Downloads objects to local files with one worker budget across parts and files: segmented
// ranged GETs written with pwrite into NAME.ri-partial (aria2 style), each finished part
// recorded in the state database so that a rerun after Ctrl+C, kill -9 or a server restart
// fetches only the missing parts. The file is renamed into place only when every byte is
// there and the size (and padding, for encrypted objects) checks out.
//
// Encrypted objects (metadata iv, platform CBC format) are decrypted on the fly: CBC
// decryption of a range needs only the 16 ciphertext bytes before it, so every part is
// fetched with those 16 extra bytes and decrypted independently, in parallel.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/progress.hpp"
#include "crypto/secure_buffer.hpp"
#include "storage/backend.hpp"
#include "transfer/conflict.hpp"
#include "transfer/part_planner.hpp"
#include "transfer/transfer_state.hpp"

namespace ri::transfer {

struct DownloadItem {
    std::string key;
    std::string dest;  // local path
    // Known from a listing (saves a HEAD): size and ETag. Metadata always needs a HEAD when the
    // object may be encrypted.
    std::optional<storage::ObjectInfo> known;
    // Platform downloads: the file's own store (per-file credentials), its own key, and the
    // SHA-512 the platform recorded (checked before the file gets its name; a mismatch is 65).
    std::shared_ptr<storage::Backend> backend{};                   // null: the Downloader's backend
    std::shared_ptr<const crypto::SecureBuffer> decryption_key{};  // null: options' key
    bool hash = false;              // compute the plaintext's SHA-512 (DownloadResult::sha512)
    std::string expected_sha512{};  // with hash: compare (lowercase hex); empty: no check
    std::optional<uint64_t> plain_size{};  // decryptedSize, for the legacy HKDF format
    std::string label{};                   // names the file in messages; empty: its URL
    // How progress names it (platform downloads: its path under the output directory, the name
    // the user knows); empty: its URL.
    std::string progress_name{};
    // The item in the run's progress when the caller announced it already; 0: the engine does.
    Progress::ItemId progress_item = 0;
};

struct DownloadResult {
    std::string key;
    std::string url;
    std::string path;
    uint64_t size = 0;  // bytes written (plaintext)
    std::string etag;
    bool skipped = false;
    bool decrypted = false;
    int parts = 1;
    int parts_fetched = 0;
    bool resumed = false;
    std::string sha512;  // when the item asked for hash
};

struct DownloadOptions {
    int concurrency = 8;
    uint64_t part_size = kDefaultPartSize;
    IfExists if_exists = IfExists::skip;
    // Decrypt objects whose metadata has an `iv` with this key; without a key such objects are
    // refused unless raw is set (then the ciphertext is saved as it is).
    std::shared_ptr<const crypto::SecureBuffer> decryption_key;
    bool raw = false;
    int part_retries = 5;  // re-requests of the rest of a part after a broken connection
};

class Downloader {
  public:
    using DoneFn = std::function<void(const DownloadResult&)>;
    using ErrorFn = std::function<void(const DownloadItem&, const std::exception&)>;

    Downloader(storage::Backend& backend, TransferState* state, Progress& progress,
               DownloadOptions options);
    ~Downloader();

    // Downloads every item; callbacks one at a time, each item's progress ending with it. Throws
    // only for an interrupt, after saving the state of the parts written.
    void run(const std::vector<DownloadItem>& items, const DoneFn& on_done,
             const ErrorFn& on_error);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ri::transfer
