// The walk of a run directory before it is packed: every entry with the metadata its tar header
// needs, depth first with each directory's children sorted by name (so archives of identical
// trees list identically). Symlinks are recorded as links and never followed; sockets, FIFOs and
// devices are skipped with a warning. Scanning first means --flatten name collisions are found
// before a byte is written and progress knows the total.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/path_filter.hpp"

namespace ri::archive {

enum class EntryType { directory, file, symlink };

struct TreeEntry {
    std::string rel_path;  // relative to the scanned root, '/'-separated; "" is the root itself
    std::string name;      // in the archive, below the prefix: rel_path, or the bare file name
                           // under --flatten
    EntryType type = EntryType::file;
    uint32_t mode = 0;  // permission bits (st_mode & 07777)
    uint64_t size = 0;  // regular files only
    int64_t mtime_sec = 0;
    long mtime_nsec = 0;
    uint32_t uid = 0;
    uint32_t gid = 0;
    std::string link_target;  // symlinks only
};

struct TreeScan {
    std::vector<TreeEntry> entries;
    uint64_t files = 0;
    uint64_t directories = 0;
    uint64_t symlinks = 0;
    uint64_t bytes = 0;  // sum of the regular files' sizes
};

struct ScanOptions {
    PathFilter filter;
    // Regular files only, to be stored under their bare names: directories are walked but not
    // recorded, symlinks are skipped with a warning, and two files with one name are an error.
    bool flatten = false;
};

using WarnFn = std::function<void(std::string_view)>;

// root_fd: an open directory. display: how to name it in messages ("Run_1"). Throws ri::Error:
// missing_input (66) for unreadable directories, bad_data (65) for a --flatten collision.
TreeScan scan_tree(int root_fd, const std::string& display, const ScanOptions& options,
                   const WarnFn& warn);

}  // namespace ri::archive
