// Free-space check before a download writes anything (seed 004: fail early with a clear message
// instead of filling the disk and failing halfway).
#pragma once

#include <cstdint>
#include <filesystem>

namespace ri::transfer {

// Bytes available to this user in the file system holding dir.
uint64_t free_bytes(const std::filesystem::path& dir);
// Throws Error::io (74) with "Not enough disk space to download this file..." when needed bytes
// plus a safety margin (64 MiB or 1% of needed, whichever is larger) do not fit.
void require_free_space(const std::filesystem::path& dir, uint64_t needed, const std::string& what);

}  // namespace ri::transfer
