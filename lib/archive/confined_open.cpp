#include "archive/confined_open.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <string>

namespace ri::archive {
namespace {

std::atomic<bool> openat2_missing{false};

// -1 with errno ENOSYS when the kernel (or a sandbox) does not offer openat2.
int try_openat2(int dirfd, const std::string& rel, int flags, uint64_t resolve) {
    if (openat2_missing.load(std::memory_order_relaxed)) {
        errno = ENOSYS;
        return -1;
    }
    open_how how{};
    how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
    how.resolve = resolve;
    for (;;) {
        long fd = ::syscall(SYS_openat2, dirfd, rel.c_str(), &how, sizeof how);
        if (fd >= 0) return static_cast<int>(fd);
        if (errno == EINTR || errno == EAGAIN) continue;
        if (errno == ENOSYS || errno == EPERM) {
            // EPERM: a seccomp filter refusing the call, not a permission problem with the file
            // (that is EACCES). Fall back for the rest of the process.
            openat2_missing.store(true, std::memory_order_relaxed);
            errno = ENOSYS;
        }
        return -1;
    }
}

class Fd {
  public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset(int fd) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = fd;
    }

  private:
    int fd_;
};

}  // namespace

int open_no_symlinks(int dirfd, std::string_view rel, int flags) {
    std::string path(rel.empty() ? "." : rel);
    int fd = try_openat2(dirfd, path, flags | O_NOFOLLOW, RESOLVE_NO_SYMLINKS | RESOLVE_BENEATH);
    if (fd >= 0 || errno != ENOSYS) return fd;
    // Component by component, O_NOFOLLOW on each: a symlink anywhere fails with ELOOP/ENOTDIR.
    Fd cur(-1);
    int base = dirfd;
    size_t start = 0;
    for (;;) {
        size_t end = path.find('/', start);
        std::string comp = path.substr(start, end == std::string::npos ? end : end - start);
        if (comp == "..") {
            errno = EXDEV;
            return -1;
        }
        if (end == std::string::npos) {
            return ::openat(base, comp.c_str(), flags | O_NOFOLLOW | O_CLOEXEC);
        }
        if (!comp.empty() && comp != ".") {
            int next =
                ::openat(base, comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (next < 0) return -1;
            cur.reset(next);
            base = next;
        }
        start = end + 1;
    }
}

int open_beneath(int dirfd, std::string_view rel, int flags) {
    std::string path(rel.empty() ? "." : rel);
    int fd = try_openat2(dirfd, path, flags, RESOLVE_BENEATH);
    if (fd >= 0 || errno != ENOSYS) return fd;
    // Open, then prove containment by the real path of the result.
    Fd opened(::openat(dirfd, path.c_str(), flags | O_CLOEXEC));
    if (opened.get() < 0) return -1;
    auto real_of = [](int f) -> std::string {
        std::string link = "/proc/self/fd/" + std::to_string(f);
        char* r = ::realpath(link.c_str(), nullptr);
        if (!r) return {};
        std::string s(r);
        std::free(r);
        return s;
    };
    std::string root = real_of(dirfd), got = real_of(opened.get());
    if (root.empty() || got.empty()) {
        errno = EXDEV;
        return -1;
    }
    if (got != root && !(got.starts_with(root) && (root == "/" || got[root.size()] == '/'))) {
        errno = EXDEV;
        return -1;
    }
    return opened.release();
}

}  // namespace ri::archive
