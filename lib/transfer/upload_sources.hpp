// Turns ri-upload's sources into (local file, destination key) pairs, following cp -r and rsync:
// a directory "Run_1" lands under PREFIX/Run_1/..., "Run_1/" (trailing slash) puts its contents
// directly under PREFIX; a file lands at PREFIX/NAME, or at the exact key when the destination
// names one object and there is one file. Symlinks to files are followed; symlinked
// directories are not entered (no loops); sockets and devices are skipped with a warning.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "core/path_filter.hpp"
#include "storage/object_url.hpp"
#include "transfer/upload_engine.hpp"

namespace ri::transfer {

struct SourceScan {
    std::vector<UploadItem> items;
    uint64_t bytes = 0;
};

// Throws Error::missing_input for a source that does not exist, Error::usage for several files
// to one exact key.
SourceScan scan_upload_sources(const std::vector<std::string>& sources,
                               const storage::ObjectUrl& dest, const PathFilter& filter,
                               const std::function<void(const std::string&)>& warn);

}  // namespace ri::transfer
