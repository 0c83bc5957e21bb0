#include "core/posix_file.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "core/cancel.hpp"

namespace ri {

PosixFile::PosixFile(PosixFile&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      role_(other.role_),
      may_block_(other.may_block_) {}

PosixFile& PosixFile::operator=(PosixFile&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
        role_ = other.role_;
        may_block_ = other.may_block_;
    }
    return *this;
}

PosixFile::~PosixFile() {
    if (fd_ >= 0) ::close(fd_);
}

PosixFile PosixFile::open_read(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw file_error(FileRole::input, path, errno, "opening");
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw file_error(FileRole::input, path, EISDIR, "opening");
    }
    PosixFile f(fd, path, FileRole::input);
    f.may_block_ = !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode);
    return f;
}

PosixFile PosixFile::create(const std::string& path, int mode, bool exclusive) {
    int flags = O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | (exclusive ? O_EXCL : 0);
    int fd = ::open(path.c_str(), flags, mode);
    if (fd < 0) throw file_error(FileRole::output, path, errno, "creating");
    return PosixFile(fd, path, FileRole::output);
}

PosixFile PosixFile::open_rw(const std::string& path, int mode) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, mode);
    if (fd < 0) throw file_error(FileRole::output, path, errno, "opening");
    return PosixFile(fd, path, FileRole::output);
}

uint64_t PosixFile::size() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail("reading the size of", errno);
    return static_cast<uint64_t>(st.st_size);
}

size_t PosixFile::read_full(std::span<std::byte> buf) {
    size_t done = 0;
    while (done < buf.size()) {
        if (may_block_) {
            pollfd p{fd_, POLLIN, 0};
            int r = ::poll(&p, 1, 250);
            cancel::check();
            if (r == 0 || (r < 0 && errno == EINTR)) continue;
        }
        ssize_t n = ::read(fd_, buf.data() + done, buf.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                cancel::check();  // a signal interrupted a blocking read or write
                continue;
            }
            fail("reading", errno);
        }
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    return done;
}

size_t PosixFile::pread_full(std::span<std::byte> buf, uint64_t offset) const {
    size_t done = 0;
    while (done < buf.size()) {
        ssize_t n =
            ::pread(fd_, buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) {
                cancel::check();  // a signal interrupted a blocking read or write
                continue;
            }
            fail("reading", errno);
        }
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    return done;
}

void PosixFile::write_all(std::span<const std::byte> buf) {
    size_t done = 0;
    while (done < buf.size()) {
        ssize_t n = ::write(fd_, buf.data() + done, buf.size() - done);
        if (n < 0) {
            if (errno == EINTR) {
                cancel::check();  // a signal interrupted a blocking read or write
                continue;
            }
            fail("writing", errno);
        }
        done += static_cast<size_t>(n);
    }
}

void PosixFile::pwrite_all(std::span<const std::byte> buf, uint64_t offset) {
    size_t done = 0;
    while (done < buf.size()) {
        ssize_t n =
            ::pwrite(fd_, buf.data() + done, buf.size() - done, static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR) {
                cancel::check();  // a signal interrupted a blocking read or write
                continue;
            }
            fail("writing", errno);
        }
        done += static_cast<size_t>(n);
    }
}

void PosixFile::truncate(uint64_t size) {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) fail("resizing", errno);
}

void PosixFile::sync() {
    if (::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) fail("flushing", errno);
}

void PosixFile::close() {
    if (fd_ < 0) return;
    int fd = std::exchange(fd_, -1);
    // close() can report a deferred write error (NFS, disk full): it must not be lost.
    if (::close(fd) != 0 && errno != EINTR) fail("closing", errno);
}

void PosixFile::advise_sequential() const {
    (void)::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

void PosixFile::fail(const std::string& doing, int errnum) const {
    throw file_error(role_, path_, errnum, doing);
}

}  // namespace ri
