#include "archive/libarchive_handle.hpp"

#include <fmt/format.h>

#include <cerrno>

#include "core/cancel.hpp"

namespace ri::archive {

std::string archive_error_text(struct archive* a) {
    const char* s = a ? archive_error_string(a) : nullptr;
    return s && *s ? s : "unknown libarchive error";
}

namespace {

// errno values that mean the system failed, as opposed to the archive's bytes being wrong.
bool is_system_failure(int err) {
    switch (err) {
        case EIO:
        case ENOSPC:
        case EDQUOT:
        case ENOMEM:
        case EROFS:
        case EBADF:
        case EFBIG:
            return true;
        default:
            return false;
    }
}

}  // namespace

Error read_failure(struct archive* a, const std::string& archive_path) {
    int err = archive_errno(a);
    std::string detail = fmt::format("libarchive: {} (errno {})", archive_error_text(a), err);
    if (is_system_failure(err)) return file_error(FileRole::input, archive_path, err, "reading");
    return Error::bad_data(
        fmt::format("'{}' is damaged, truncated or not a tar archive.", archive_path), detail);
}

Error write_failure(struct archive* a, const std::string& archive_path, const std::string& doing) {
    int err = archive_errno(a);
    std::string detail = fmt::format("libarchive: {} (errno {})", archive_error_text(a), err);
    if (err > 0) {
        Error e = file_error(FileRole::output, archive_path, err, doing);
        return Error(e.code(), e.message(), detail);
    }
    return Error::io(fmt::format("Could not write '{}'.", archive_path), detail);
}

ArchiveReadPtr open_tar_reader(int fd, const std::string& archive_path) {
    ArchiveReadPtr a(archive_read_new());
    if (!a) throw Error::internal("libarchive could not allocate a reader.");
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    if (archive_read_open_fd(a.get(), fd, 1 << 20) != ARCHIVE_OK)
        throw read_failure(a.get(), archive_path);
    return a;
}

bool next_entry(struct archive* a, archive_entry** entry, const std::string& archive_path) {
    cancel::check();
    int rc = archive_read_next_header(a, entry);
    if (rc == ARCHIVE_EOF) return false;
    if (rc < ARCHIVE_WARN) throw read_failure(a, archive_path);
    return true;
}

}  // namespace ri::archive
