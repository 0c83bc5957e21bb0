#include "archive/archive_listing.hpp"

#include "archive/libarchive_handle.hpp"
#include "archive/utf8_locale.hpp"
#include "core/cancel.hpp"
#include "core/file.hpp"

namespace ri::archive {
namespace {

const char* type_name(archive_entry* e) {
    if (archive_entry_hardlink(e)) return "hardlink";
    switch (archive_entry_filetype(e)) {
        case AE_IFREG:
            return "file";
        case AE_IFDIR:
            return "dir";
        case AE_IFLNK:
            return "symlink";
        case AE_IFCHR:
            return "char";
        case AE_IFBLK:
            return "block";
        case AE_IFIFO:
            return "fifo";
        case AE_IFSOCK:
            return "socket";
        default:
            return "other";
    }
}

}  // namespace

void list_archive(const std::string& archive_path,
                  const std::function<void(const ListedEntry&)>& on_entry) {
    ScopedUtf8Locale locale;
    File in = File::open_read(archive_path);
    ArchiveReadPtr a = open_tar_reader(in.fd(), archive_path);
    archive_entry* e = nullptr;
    while (next_entry(a.get(), &e, archive_path)) {
        ListedEntry le;
        const char* p = archive_entry_pathname(e);
        le.path = p ? p : "";
        le.type = type_name(e);
        le.size = archive_entry_filetype(e) == AE_IFREG && !archive_entry_hardlink(e)
                      ? static_cast<uint64_t>(archive_entry_size(e))
                      : 0;
        le.mode = archive_entry_perm(e);
        le.mtime = archive_entry_mtime(e);
        if (const char* t = archive_entry_symlink(e))
            le.target = t;
        else if (const char* h = archive_entry_hardlink(e))
            le.target = h;
        const char* u = archive_entry_uname(e);
        const char* g = archive_entry_gname(e);
        le.owner = u && *u ? u : std::to_string(archive_entry_uid(e));
        le.group = g && *g ? g : std::to_string(archive_entry_gid(e));
        on_entry(le);
        // Skipping the data still reads it through the decompressor, which is what finds a
        // truncated or corrupt archive.
        if (archive_read_data_skip(a.get()) < ARCHIVE_WARN)
            throw read_failure(a.get(), archive_path);
    }
}

}  // namespace ri::archive
