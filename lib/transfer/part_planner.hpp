// How a file is cut into parts for upload or download. The part size starts at a default
// chosen by measurement (docs/transfer.md) and grows for large files so that the count stays
// within the store's limit (S3 10,000 parts, Azure 50,000 blocks); it is rounded to whole MiB,
// and to whole AES blocks for encrypted uploads (non-final CBC parts must be multiples of 16).
#pragma once

#include <cstdint>

#include "storage/backend.hpp"

namespace ri::transfer {

inline constexpr uint64_t kDefaultPartSize = 16ull << 20;
// Files up to this size go up in one PUT: below it a multipart upload costs more round trips
// than it saves.
inline constexpr uint64_t kDefaultMultipartThreshold = 16ull << 20;

struct PartPlan {
    uint64_t size = 0;       // bytes of the (plaintext) file
    uint64_t part_size = 0;  // bytes per part; the last part may be smaller
    int parts = 1;
    bool multipart = false;

    uint64_t offset(int number) const { return static_cast<uint64_t>(number - 1) * part_size; }
    uint64_t length(int number) const;
};

struct PlanOptions {
    uint64_t part_size = kDefaultPartSize;  // requested; may grow
    uint64_t multipart_threshold = kDefaultMultipartThreshold;
    // The uploaded bytes are the CBC ciphertext: total = size + 16 - size % 16.
    bool encrypted = false;
};

// Throws Error::usage when the file cannot fit the store's limits (over 5 TiB on S3...).
PartPlan plan_upload(uint64_t size, const storage::Limits& limits, const PlanOptions& options = {});
// Downloads have no part-count limit; parts only bound memory and set parallelism.
PartPlan plan_download(uint64_t size, uint64_t part_size = kDefaultPartSize);

}  // namespace ri::transfer
