// Turns ri-download's URLs into (object, local path) pairs: an object lands at DIR/NAME; a
// prefix (ending in '/', or a bucket root) is listed once, with sizes and ETags, and every
// object below it lands at DIR/RELATIVE/PATH. Keys that would escape DIR (absolute, "..",
// drive letters) are refused, never written.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "core/path_filter.hpp"
#include "storage/backend.hpp"
#include "storage/object_url.hpp"
#include "transfer/download_engine.hpp"

namespace ri::transfer {

// The local path for a relative key under dir; throws Error::bad_data for a key that would
// leave dir (".." segments, absolute paths, drive letters, backslashes as separators).
std::filesystem::path confined_path(const std::filesystem::path& dir,
                                    const std::string& relative_key);

std::vector<DownloadItem> download_targets(storage::Backend& backend, const storage::ObjectUrl& url,
                                           const std::filesystem::path& dir,
                                           const PathFilter& filter);

}  // namespace ri::transfer
