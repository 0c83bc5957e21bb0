// RAII for libarchive's handles, and the translation of its failures into ri::Error classes:
// a damaged or foreign archive is bad data (65), a failing disk is I/O (74).
#pragma once

#include <archive.h>
#include <archive_entry.h>

#include <memory>
#include <string>

#include "core/error.hpp"

namespace ri::archive {

struct ArchiveReadDeleter {
    void operator()(struct archive* a) const { archive_read_free(a); }
};
struct ArchiveWriteDeleter {
    void operator()(struct archive* a) const { archive_write_free(a); }
};
struct ArchiveEntryDeleter {
    void operator()(archive_entry* e) const { archive_entry_free(e); }
};

using ArchiveReadPtr = std::unique_ptr<struct archive, ArchiveReadDeleter>;
using ArchiveWritePtr = std::unique_ptr<struct archive, ArchiveWriteDeleter>;
using ArchiveEntryPtr = std::unique_ptr<archive_entry, ArchiveEntryDeleter>;

// libarchive's own error text, never empty.
std::string archive_error_text(struct archive* a);

// A failure while reading archive_path: bad_data ("damaged or not a tar archive") unless the
// error is a real I/O failure of the system.
Error read_failure(struct archive* a, const std::string& archive_path);

// A reader of the tar archive open on fd (any compression libarchive knows), 1 MiB reads.
ArchiveReadPtr open_tar_reader(int fd, const std::string& archive_path);
// The next entry's header into *entry; false at the end. Checks for an interrupt first, and
// throws read_failure for a damaged archive.
bool next_entry(struct archive* a, archive_entry** entry, const std::string& archive_path);

// A failure while writing archive_path: the errno class of file_error when there is one (disk
// full -> 74), else an I/O error.
Error write_failure(struct archive* a, const std::string& archive_path, const std::string& doing);

}  // namespace ri::archive
