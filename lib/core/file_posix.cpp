#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "core/cancel.hpp"
#include "core/file.hpp"

namespace ri {

File::File(File&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)),
      path_(std::move(other.path_)),
      role_(other.role_),
      may_block_(other.may_block_) {}

File& File::operator=(File&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        path_ = std::move(other.path_);
        role_ = other.role_;
        may_block_ = other.may_block_;
    }
    return *this;
}

File::~File() {
    if (fd_ >= 0) ::close(fd_);
}

File File::open_read(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw file_error(FileRole::input, path, errno, "opening");
    struct stat st {};
    if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw file_error(FileRole::input, path, EISDIR, "opening");
    }
    File f(fd, path, FileRole::input);
    f.may_block_ = !S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode);
    return f;
}

File File::create(const std::string& path, int mode, bool exclusive) {
    int flags = O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | (exclusive ? O_EXCL : 0);
    int fd = ::open(path.c_str(), flags, mode);
    if (fd < 0) throw file_error(FileRole::output, path, errno, "creating");
    // O_CREAT's mode is masked by the umask, and a file that existed keeps its own: a private
    // file must be private whatever either says.
    if ((mode & 077) == 0) ::fchmod(fd, static_cast<mode_t>(mode));
    return File(fd, path, FileRole::output);
}

File File::open_append(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) throw file_error(FileRole::output, path, errno, "opening");
    return File(fd, path, FileRole::output);
}

File File::open_rw(const std::string& path, int mode) {
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, mode);
    if (fd < 0) throw file_error(FileRole::output, path, errno, "opening");
    if ((mode & 077) == 0) ::fchmod(fd, static_cast<mode_t>(mode));  // as create(): private
    return File(fd, path, FileRole::output);
}

uint64_t File::size() const {
    struct stat st {};
    if (::fstat(fd_, &st) != 0) fail("reading the size of", errno);
    return static_cast<uint64_t>(st.st_size);
}

namespace {

// Calls io(done) until `size` bytes have moved or io reports the end (0). A signal that
// interrupted the call is a chance to notice a stop request; other errors go to fail.
template <typename Io, typename Fail>
size_t move_all(size_t size, Io&& io, Fail&& fail) {
    size_t done = 0;
    while (done < size) {
        ssize_t n = io(done);
        if (n < 0) {
            if (errno == EINTR) {
                cancel::check();
                continue;
            }
            fail(errno);
        }
        if (n == 0) break;
        done += static_cast<size_t>(n);
    }
    return done;
}

}  // namespace

size_t File::read_full(std::span<std::byte> buf) {
    return move_all(
        buf.size(),
        [&](size_t done) -> ssize_t {
            if (may_block_) {
                pollfd p{fd_, POLLIN, 0};
                int r = ::poll(&p, 1, 250);
                cancel::check();
                if (r == 0) {  // nothing to read yet: like an interrupted call, look again
                    errno = EINTR;
                    return -1;
                }
                if (r < 0) return -1;
            }
            return ::read(fd_, buf.data() + done, buf.size() - done);
        },
        [&](int err) { fail("reading", err); });
}

size_t File::pread_full(std::span<std::byte> buf, uint64_t offset) const {
    return move_all(
        buf.size(),
        [&](size_t done) {
            return ::pread(fd_, buf.data() + done, buf.size() - done,
                           static_cast<off_t>(offset + done));
        },
        [&](int err) { fail("reading", err); });
}

void File::write_all(std::span<const std::byte> buf) {
    size_t n = move_all(
        buf.size(), [&](size_t done) { return ::write(fd_, buf.data() + done, buf.size() - done); },
        [&](int err) { fail("writing", err); });
    if (n < buf.size()) fail("writing", EIO);
}

void File::pwrite_all(std::span<const std::byte> buf, uint64_t offset) {
    size_t n = move_all(
        buf.size(),
        [&](size_t done) {
            return ::pwrite(fd_, buf.data() + done, buf.size() - done,
                            static_cast<off_t>(offset + done));
        },
        [&](int err) { fail("writing", err); });
    if (n < buf.size()) fail("writing", EIO);
}

void File::truncate(uint64_t size) {
    if (::ftruncate(fd_, static_cast<off_t>(size)) != 0) fail("resizing", errno);
}

void File::sync() {
    if (::fsync(fd_) != 0 && errno != EINVAL && errno != EROFS) fail("flushing", errno);
}

void File::close() {
    if (fd_ < 0) return;
    int fd = std::exchange(fd_, -1);
    // close() can report a deferred write error (NFS, disk full): it must not be lost.
    if (::close(fd) != 0 && errno != EINTR) fail("closing", errno);
}

void File::advise_sequential() const {
    (void)::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
}

void File::fail(const std::string& doing, int errnum) const {
    throw file_error(role_, path_, errnum, doing);
}

FileStatus file_status(const std::string& path) {
    struct stat st {};
    FileStatus out;
    if (::stat(path.c_str(), &st) != 0) {
        if (errno == ENOENT || errno == ENOTDIR) return out;
        throw file_error(FileRole::input, path, errno, "reading the status of");
    }
    out.exists = true;
    out.regular = S_ISREG(st.st_mode);
    out.directory = S_ISDIR(st.st_mode);
    out.size = static_cast<uint64_t>(st.st_size);
    out.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    out.mode = static_cast<int>(st.st_mode & 07777);
    return out;
}

bool readable_by_others(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && (st.st_mode & 077) != 0;
}

void remove_file(const std::string& path) noexcept {
    ::unlink(path.c_str());
}

void replace_file(const std::string& from, const std::string& to) {
    if (::rename(from.c_str(), to.c_str()) != 0)
        throw file_error(FileRole::output, to, errno, "renaming into place");
}

}  // namespace ri
