// What an archive holds, entry by entry, without extracting anything. Reads any tar flavour
// libarchive knows (pax, ustar, GNU, v7) through any compression it detects.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace ri::archive {

struct ListedEntry {
    std::string path;    // as stored
    std::string type;    // file, dir, symlink, hardlink, char, block, fifo, socket
    uint64_t size = 0;   // content bytes (0 for everything but files)
    uint32_t mode = 0;   // permission bits
    int64_t mtime = 0;   // seconds since the epoch, UTC
    std::string target;  // symlink target or hard link target, else empty
    std::string owner;   // user name, or the numeric uid when the archive has no name
    std::string group;
};

// Throws ri::Error: missing_input (66) when the archive cannot be opened, bad_data (65) when it
// is damaged or not a tar archive.
void list_archive(const std::string& archive_path,
                  const std::function<void(const ListedEntry&)>& on_entry);

}  // namespace ri::archive
