// One run directory -> one archive: resolve --subpath safely, scan, name the archive, write it
// as NAME.ri-partial and rename it into place only when complete. The result describes an
// archive that exists, so the tool can emit its record.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "archive/archive_writer.hpp"
#include "core/path_filter.hpp"
#include "core/progress.hpp"

namespace ri::archive {

struct PackOptions {
    std::filesystem::path output_dir = ".";  // created if missing
    ArchiveFormat format;
    PathFilter filter;
    std::string subpath;  // archive only this subdirectory of each run ("" = the whole run)
    bool flatten = false;
};

struct PackResult {
    std::string archive;  // output_dir/NAME, as a path the caller can use
    std::string source;   // the directory as given
    std::string subpath;
    uint64_t files = 0;
    uint64_t directories = 0;
    uint64_t symlinks = 0;
    uint64_t bytes = 0;  // content bytes of the stored files
    uint64_t size = 0;   // bytes of the archive file
};

// Throws Error::usage when the subpath is absolute or climbs out with "..".
std::string normalize_subpath(const std::string& subpath);

// Throws ri::Error: missing_input (66) for a missing or unreadable DIR, file or subpath;
// bad_data (65) for a subpath that leads out of DIR through a symlink or a --flatten collision;
// cannot_create (73) when the output cannot be created; io (74) on write failures.
// item: the directory's progress item when the caller announced it (and so ends it); 0: this
// function announces and ends one.
PackResult pack_directory(const std::string& dir, const PackOptions& options, Progress& progress,
                          const WarnFn& warn, Progress::ItemId item = 0);

}  // namespace ri::archive
