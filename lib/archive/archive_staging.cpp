#include "archive/archive_staging.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "archive/tar_naming.hpp"
#include "core/error.hpp"

namespace fs = std::filesystem;

namespace ri::archive {
namespace {

std::optional<std::string> staging_dir_problem(const fs::path& dir, const struct stat& st) {
    if (!S_ISDIR(st.st_mode)) return fmt::format("{} is not a directory", dir.string());
    if (!dir.filename().string().starts_with(ArchiveStaging::kPrefix))
        return fmt::format("{} is not an ri staging directory (its name does not start with {})",
                           dir.string(), ArchiveStaging::kPrefix);
    if (st.st_uid != ::geteuid())
        return fmt::format("{} is owned by uid {}, not by this user", dir.string(), st.st_uid);
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
        return fmt::format("{} is writable by other users", dir.string());
    return std::nullopt;
}

}  // namespace

ArchiveStaging ArchiveStaging::create(const fs::path& base) {
    std::string tmpl = (base / (std::string(kPrefix) + "XXXXXX")).string();
    if (!::mkdtemp(tmpl.data()))
        throw file_error(FileRole::output, tmpl, errno, "creating the staging directory");
    std::error_code ec;
    fs::path canonical = fs::canonical(tmpl, ec);
    struct stat st {};
    if (ec || ::lstat(canonical.c_str(), &st) != 0)
        throw file_error(FileRole::output, tmpl, ec ? ec.value() : errno,
                         "resolving the staging directory");
    return ArchiveStaging(canonical, st.st_dev, st.st_ino);
}

ArchiveStaging ArchiveStaging::adopt(const fs::path& dir) {
    std::error_code ec;
    fs::path canonical = fs::canonical(dir, ec);
    if (ec)
        throw Error::usage(fmt::format("The staging directory '{}' cannot be used: {}.",
                                       dir.string(), ec.message()));
    struct stat st {};
    if (::lstat(canonical.c_str(), &st) != 0)
        throw file_error(FileRole::input, canonical.string(), errno, "reading");
    if (auto why = staging_dir_problem(canonical, st))
        throw Error::usage(
            fmt::format("Refusing to use '{}' as a staging directory: {}.", dir.string(), *why));
    return ArchiveStaging(canonical, st.st_dev, st.st_ino);
}

int ArchiveStaging::open_verified(std::string& why) const {
    int fd = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) {
        why = fmt::format("the staging directory {} cannot be opened: {}", dir_.string(),
                          std::strerror(errno));
        return -1;
    }
    struct stat st {};
    if (::fstat(fd, &st) != 0 || st.st_dev != dev_ || st.st_ino != ino_) {
        ::close(fd);
        why = fmt::format("{} is no longer the staging directory ri created", dir_.string());
        return -1;
    }
    if (auto problem = staging_dir_problem(dir_, st)) {
        ::close(fd);
        why = *problem;
        return -1;
    }
    return fd;
}

std::optional<std::string> ArchiveStaging::removal_refusal(const fs::path& archive) const {
    // 1. The real path, directly inside the staging directory. The parent is resolved, the name
    //    itself is not: a symlink named like an archive must not lead to its target.
    fs::path abs = fs::absolute(archive).lexically_normal();
    std::string name = abs.filename().string();
    if (name.empty() || name == "." || name == "..")
        return fmt::format("'{}' does not name a file", archive.string());
    std::error_code ec;
    fs::path parent = fs::canonical(abs.parent_path(), ec);
    if (ec) return fmt::format("'{}' cannot be resolved: {}", archive.string(), ec.message());
    if (parent != dir_)
        return fmt::format("'{}' is not directly inside the staging directory {}", archive.string(),
                           dir_.string());
    // 2. The staging directory is still the one created.
    std::string why;
    int dirfd = open_verified(why);
    if (dirfd < 0) return why;
    struct stat st {};
    int rc = ::fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW);
    int err = errno;
    ::close(dirfd);
    if (rc != 0)
        return fmt::format("'{}' cannot be examined: {}", archive.string(), std::strerror(err));
    // 3. A regular file of this user's.
    if (!S_ISREG(st.st_mode)) return fmt::format("'{}' is not a regular file", archive.string());
    if (st.st_uid != ::geteuid())
        return fmt::format("'{}' is not owned by this user", archive.string());
    // 4 and 5. An archive extension and ri's FNV-32a suffix.
    if (!is_ri_archive_name(name))
        return fmt::format("'{}' is not named like an ri archive (NAME_xxxxxxxx.tar[.gz|.zst])",
                           archive.string());
    return std::nullopt;
}

std::optional<std::string> ArchiveStaging::remove_archive(const fs::path& archive) const {
    if (auto why = removal_refusal(archive)) return why;
    std::string why;
    int dirfd = open_verified(why);
    if (dirfd < 0) return why;
    std::string name = fs::absolute(archive).lexically_normal().filename().string();
    // unlinkat on the directory descriptor: whatever the name is now, only that directory
    // entry goes, never a file elsewhere.
    int rc = ::unlinkat(dirfd, name.c_str(), 0);
    int err = errno;
    ::close(dirfd);
    if (rc != 0)
        return fmt::format("'{}' could not be removed: {}", archive.string(), std::strerror(err));
    return std::nullopt;
}

bool ArchiveStaging::remove_if_empty() const {
    std::string why;
    int dirfd = open_verified(why);
    if (dirfd < 0) return false;
    ::close(dirfd);
    return ::rmdir(dir_.c_str()) == 0;
}

}  // namespace ri::archive
