// A file descriptor that closes itself: the archive layer works with directory descriptors
// (openat, mkdirat, O_NOFOLLOW) so that nothing is written outside its target, which needs raw
// descriptors rather than core::File. POSIX-only, as the archive layer is (docs/architecture.md).
#pragma once

#include <unistd.h>

namespace ri::archive {

class UniqueFd {
  public:
    explicit UniqueFd(int fd = -1) : fd_(fd) {}
    UniqueFd(UniqueFd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    UniqueFd& operator=(UniqueFd&& o) noexcept {
        if (this != &o) {
            reset();
            fd_ = o.fd_;
            o.fd_ = -1;
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    ~UniqueFd() { reset(); }
    int get() const { return fd_; }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }

  private:
    int fd_;
};

}  // namespace ri::archive
