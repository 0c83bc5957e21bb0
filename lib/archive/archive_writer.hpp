// Writes a scanned tree as a pax tar stream (libarchive's restricted pax: plain ustar headers,
// with pax extended headers only where ustar cannot hold a name, size, id or non-ASCII text),
// optionally through gzip or multi-threaded zstd. File contents are read with large buffers from
// below the tree's root without following any symlink, so a tree that changes while it is
// packed cannot smuggle in an outside file.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "archive/libarchive_handle.hpp"
#include "archive/tar_naming.hpp"
#include "archive/tree_scan.hpp"
#include "archive/utf8_locale.hpp"
#include "core/progress.hpp"

namespace ri::archive {

// 2000-01-01T00:00:00Z: the entries' time under --reproducible unless SOURCE_DATE_EPOCH is set.
inline constexpr int64_t kReproducibleEpoch = 946684800;

struct ArchiveFormat {
    Compression compression = Compression::none;
    std::optional<int> level;  // gzip 1-9 (default 6), zstd 1-19 (default 3)
    unsigned threads = 0;      // zstd workers; 0 = one per core
    bool reproducible = false;
    int64_t fixed_mtime = kReproducibleEpoch;
};

// SOURCE_DATE_EPOCH when it holds a non-negative integer, else kReproducibleEpoch.
int64_t reproducible_mtime();

// Throws Error::usage when the level does not fit the compression.
void validate_format(const ArchiveFormat& format);
int default_level(Compression c);

class ArchiveWriter {
  public:
    // Writes to out_fd (already open; not closed here). out_path names it in messages.
    ArchiveWriter(int out_fd, std::string out_path, const ArchiveFormat& format);
    ArchiveWriter(const ArchiveWriter&) = delete;
    ArchiveWriter& operator=(const ArchiveWriter&) = delete;

    // Stores every entry of scan, read from below root_fd, named prefix + "/" + rel_path (just
    // rel_path when prefix is empty). display names the tree in messages. Returns the content
    // bytes stored.
    uint64_t write_tree(int root_fd, const std::string& display, const TreeScan& scan,
                        const std::string& prefix, ItemProgress progress, const WarnFn& warn);
    // Ends the archive and flushes the compressor. Nothing is complete before this returns.
    void close();

  private:
    void write_header(const TreeEntry& e, const std::string& name);
    uint64_t write_file_data(int root_fd, const std::string& display, const TreeEntry& e,
                             ItemProgress progress, const WarnFn& warn);
    const std::string& user_name(uint32_t uid);
    const std::string& group_name(uint32_t gid);

    ScopedUtf8Locale locale_;
    std::string out_path_;
    ArchiveFormat format_;
    ArchiveWritePtr a_;
    ArchiveEntryPtr entry_;
    std::vector<std::byte> buffer_;
    std::vector<std::pair<uint32_t, std::string>> users_, groups_;
};

}  // namespace ri::archive
