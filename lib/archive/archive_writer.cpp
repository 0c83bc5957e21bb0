#include "archive/archive_writer.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <thread>

#include "archive/confined_open.hpp"
#include "core/cancel.hpp"

namespace ri::archive {
namespace {

// Large blocks: one write(2) per MiB instead of tar's traditional 10 KiB records.
constexpr int kBlockBytes = 1 << 20;
constexpr size_t kReadBytes = 1 << 20;

void check(struct archive* a, int rc, const std::string& path, const char* doing) {
    if (rc == ARCHIVE_OK) return;
    if (rc == ARCHIVE_WARN) return;  // e.g. a name stored as binary: still correct
    throw write_failure(a, path, doing);
}

void set_option(struct archive* a, const char* filter, const char* key, const std::string& value) {
    int rc = archive_write_set_filter_option(a, filter, key, value.c_str());
    if (rc != ARCHIVE_OK) {
        throw Error::internal(
            fmt::format("This libarchive does not support the {} option {}.", filter, key),
            archive_error_text(a));
    }
}

}  // namespace

int64_t reproducible_mtime() {
    const char* v = std::getenv("SOURCE_DATE_EPOCH");
    if (!v || !*v) return kReproducibleEpoch;
    char* end = nullptr;
    errno = 0;
    long long t = std::strtoll(v, &end, 10);
    if (errno != 0 || *end != '\0' || t < 0) return kReproducibleEpoch;
    return t;
}

int default_level(Compression c) {
    return c == Compression::zstd ? 3 : 6;
}

void validate_format(const ArchiveFormat& f) {
    if (!f.level) return;
    int l = *f.level;
    switch (f.compression) {
        case Compression::none:
            throw Error::usage("--level applies to --compression gzip or zstd.");
        case Compression::gzip:
            if (l < 1 || l > 9) throw Error::usage(fmt::format("--level {}: gzip takes 1-9.", l));
            break;
        case Compression::zstd:
            if (l < 1 || l > 19) throw Error::usage(fmt::format("--level {}: zstd takes 1-19.", l));
            break;
    }
}

ArchiveWriter::ArchiveWriter(int out_fd, std::string out_path, const ArchiveFormat& format)
    : out_path_(std::move(out_path)),
      format_(format),
      a_(archive_write_new()),
      entry_(archive_entry_new()),
      buffer_(kReadBytes + 1) {
    validate_format(format_);
    struct archive* a = a_.get();
    if (!a || !entry_) throw Error::internal("libarchive could not allocate a writer.");
    check(a, archive_write_set_format_pax_restricted(a), out_path_, "setting up");
    int level = format_.level.value_or(default_level(format_.compression));
    switch (format_.compression) {
        case Compression::none:
            break;
        case Compression::gzip:
            check(a, archive_write_add_filter_gzip(a), out_path_, "setting up gzip for");
            set_option(a, "gzip", "compression-level", std::to_string(level));
            // No timestamp in the gzip header: GNU tar -z writes none either, and it would
            // make identical trees give different archives.
            if (archive_write_set_filter_option(a, "gzip", "timestamp", nullptr) != ARCHIVE_OK)
                throw Error::internal("This libarchive cannot omit the gzip timestamp.",
                                      archive_error_text(a));
            break;
        case Compression::zstd: {
            check(a, archive_write_add_filter_zstd(a), out_path_, "setting up zstd for");
            set_option(a, "zstd", "compression-level", std::to_string(level));
            // Always at least one worker: zstd's multi-threaded output does not depend on the
            // number of workers, so --reproducible archives match whatever --threads says.
            unsigned threads = format_.threads;
            if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
            set_option(a, "zstd", "threads", std::to_string(threads));
            break;
        }
    }
    check(a, archive_write_set_bytes_per_block(a, kBlockBytes), out_path_, "setting up");
    check(a, archive_write_set_bytes_in_last_block(a, 1), out_path_, "setting up");
    check(a, archive_write_open_fd(a, out_fd), out_path_, "opening");
}

namespace {

// The name of a uid or gid ("" when it has none), looked up once per id: a tree of a million
// files has a handful of owners, and NSS lookups can be slow (LDAP).
using NameCache = std::vector<std::pair<uint32_t, std::string>>;

template <class Lookup>
const std::string& cached_name(NameCache& cache, uint32_t id, Lookup lookup) {
    for (const auto& [known, name] : cache)
        if (known == id) return name;
    std::vector<char> buf(16384);
    cache.emplace_back(id, lookup(id, buf));
    return cache.back().second;
}

}  // namespace

const std::string& ArchiveWriter::user_name(uint32_t uid) {
    return cached_name(users_, uid, [](uint32_t id, std::vector<char>& buf) -> std::string {
        passwd pw{}, *res = nullptr;
        return ::getpwuid_r(id, &pw, buf.data(), buf.size(), &res) == 0 && res ? res->pw_name : "";
    });
}

const std::string& ArchiveWriter::group_name(uint32_t gid) {
    return cached_name(groups_, gid, [](uint32_t id, std::vector<char>& buf) -> std::string {
        group gr{}, *res = nullptr;
        return ::getgrgid_r(id, &gr, buf.data(), buf.size(), &res) == 0 && res ? res->gr_name : "";
    });
}

void ArchiveWriter::write_header(const TreeEntry& e, const std::string& name) {
    archive_entry* ae = entry_.get();
    archive_entry_clear(ae);
    archive_entry_copy_pathname(ae, name.c_str());
    switch (e.type) {
        case EntryType::directory:
            archive_entry_set_filetype(ae, AE_IFDIR);
            archive_entry_set_size(ae, 0);
            break;
        case EntryType::symlink:
            archive_entry_set_filetype(ae, AE_IFLNK);
            archive_entry_copy_symlink(ae, e.link_target.c_str());
            archive_entry_set_size(ae, 0);
            break;
        case EntryType::file:
            archive_entry_set_filetype(ae, AE_IFREG);
            archive_entry_set_size(ae, static_cast<la_int64_t>(e.size));
            break;
    }
    archive_entry_set_perm(ae, e.mode);
    if (format_.reproducible) {
        archive_entry_set_mtime(ae, static_cast<time_t>(format_.fixed_mtime), 0);
        archive_entry_set_uid(ae, 0);
        archive_entry_set_gid(ae, 0);
        archive_entry_copy_uname(ae, "root");
        archive_entry_copy_gname(ae, "root");
    } else {
        archive_entry_set_mtime(ae, static_cast<time_t>(e.mtime_sec), e.mtime_nsec);
        archive_entry_set_uid(ae, e.uid);
        archive_entry_set_gid(ae, e.gid);
        const std::string& u = user_name(e.uid);
        const std::string& g = group_name(e.gid);
        if (!u.empty()) archive_entry_copy_uname(ae, u.c_str());
        if (!g.empty()) archive_entry_copy_gname(ae, g.c_str());
    }
    int rc = archive_write_header(a_.get(), ae);
    if (rc == ARCHIVE_FAILED) {
        throw Error::bad_data(fmt::format("'{}' cannot be stored in a tar archive.", name),
                              archive_error_text(a_.get()));
    }
    check(a_.get(), rc, out_path_, "writing");
}

uint64_t ArchiveWriter::write_file_data(int root_fd, const std::string& display, const TreeEntry& e,
                                        ItemProgress progress, const WarnFn& warn) {
    std::string shown = display + "/" + e.rel_path;
    int fd = open_no_symlinks(root_fd, e.rel_path, O_RDONLY);
    if (fd < 0) {
        int err = errno;
        if (err == ELOOP || err == ENOTDIR || err == EXDEV) {
            throw Error::bad_data(
                fmt::format("{} was replaced by a symlink while being archived; "
                            "nothing outside the directory is read.",
                            shown));
        }
        throw file_error(FileRole::input, shown, err, "opening");
    }
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    if (e.size >= (64u << 20)) ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    uint64_t remaining = e.size;
    uint64_t stored = 0;
    for (;;) {
        // Ask for one byte more than is left: a regular file returns short only at its end, so
        // growth is seen without an extra read(2).
        size_t want = static_cast<size_t>(std::min<uint64_t>(remaining + 1, kReadBytes));
        ssize_t n = ::read(fd, buffer_.data(), want);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw file_error(FileRole::input, shown, errno, "reading");
        }
        if (n == 0) break;
        size_t take = static_cast<size_t>(std::min<uint64_t>(static_cast<uint64_t>(n), remaining));
        if (take > 0) {
            la_ssize_t w = archive_write_data(a_.get(), buffer_.data(), take);
            if (w < 0 || static_cast<size_t>(w) != take)
                throw write_failure(a_.get(), out_path_, "writing");
            remaining -= take;
            stored += take;
            progress.advance(take);
        }
        if (static_cast<size_t>(n) > take) {
            warn(fmt::format("{} grew while being archived; its first {} bytes were stored.", shown,
                             e.size));
            break;
        }
        // A short read of a regular file is its end: no second read(2) to see 0.
        if (static_cast<size_t>(n) < want) break;
        cancel::check();
    }
    if (remaining > 0) {
        // libarchive pads the entry with zeros to its declared size, as GNU tar does.
        warn(fmt::format("{} shrank by {} bytes while being archived; padded with zeros.", shown,
                         remaining));
        progress.advance(remaining);
    }
    return stored;
}

uint64_t ArchiveWriter::write_tree(int root_fd, const std::string& display, const TreeScan& scan,
                                   const std::string& prefix, ItemProgress progress,
                                   const WarnFn& warn) {
    uint64_t stored = 0;
    std::string name;
    for (const TreeEntry& e : scan.entries) {
        cancel::check();
        name = prefix;
        if (!e.name.empty()) {
            if (!name.empty()) name += '/';
            name += e.name;
        }
        write_header(e, name);
        if (e.type == EntryType::file && e.size > 0)
            stored += write_file_data(root_fd, display, e, progress, warn);
        // No finish_entry call needed: the next header (or close) pads the previous entry.
    }
    return stored;
}

void ArchiveWriter::close() {
    int rc = archive_write_close(a_.get());
    if (rc != ARCHIVE_OK) throw write_failure(a_.get(), out_path_, "finishing");
}

}  // namespace ri::archive
