// Safe extraction into one directory. Nothing in the archive is trusted:
//   - names must be relative paths of plain components: an absolute name or a ".." is refused;
//   - nothing is ever written through a symlink: every directory on the way is opened with
//     O_NOFOLLOW, so neither a symlink from the archive nor one already in DIR redirects a write;
//   - a symlink whose target leaves DIR is refused, judged on its text when it is met and again,
//     through the links actually created, once everything is extracted;
//   - a hard link must point at a file extracted earlier from the same archive;
//   - devices, FIFOs and sockets are skipped with a warning; owners and setuid/setgid bits are
//     not restored.
// A refused (exit 65) or failed extraction removes what it had extracted so far, so DIR is left
// without a partial tree. Files are written as NAME.ri-partial and renamed into place.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

#include "archive/tree_scan.hpp"
#include "core/progress.hpp"

namespace ri::archive {

struct ExtractResult {
    uint64_t files = 0;
    uint64_t directories = 0;
    uint64_t symlinks = 0;
    uint64_t hardlinks = 0;
    uint64_t skipped = 0;  // devices, FIFOs, sockets
    uint64_t bytes = 0;    // content bytes written
};

// dest is created if missing. Throws ri::Error: missing_input (66) for a missing archive,
// bad_data (65) for a damaged or unsafe archive, cannot_create (73) when DIR or an entry cannot
// be created, io (74) on write failures.
// item: the archive's progress item when the caller announced it (and so ends it); 0: this
// function announces and ends one.
ExtractResult extract_archive(const std::string& archive_path, const std::filesystem::path& dest,
                              Progress& progress, const WarnFn& warn, Progress::ItemId item = 0);

}  // namespace ri::archive
