#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "core/error.hpp"
#include "core/file_lock.hpp"

namespace ri {
namespace {

int open_lock_file(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw file_error(FileRole::output, path, errno, "opening the lock file");
    return fd;
}

}  // namespace

FileLock FileLock::acquire(const std::string& path) {
    int fd = open_lock_file(path);
    while (::flock(fd, LOCK_EX) != 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        throw file_error(FileRole::output, path, err, "locking");
    }
    return FileLock(fd, path);
}

std::optional<FileLock> FileLock::try_acquire(const std::string& path) {
    int fd = open_lock_file(path);
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return std::nullopt;
    }
    return FileLock(fd, path);
}

FileLock::FileLock(FileLock&& o) noexcept
    : handle_(std::exchange(o.handle_, -1)), path_(std::move(o.path_)) {}

FileLock& FileLock::operator=(FileLock&& o) noexcept {
    if (this != &o) {
        if (handle_ >= 0) ::close(handle_);
        handle_ = std::exchange(o.handle_, -1);
        path_ = std::move(o.path_);
    }
    return *this;
}

FileLock::~FileLock() {
    if (handle_ >= 0) ::close(handle_);  // closing releases the flock
}

}  // namespace ri
