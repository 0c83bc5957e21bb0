#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "ipc/stream.hpp"

namespace ri::ipc {

namespace {

int fd_of(intptr_t handle) {
    return static_cast<int>(handle);
}

bool wait_for(intptr_t handle, short events, std::chrono::milliseconds timeout) {
    pollfd p{fd_of(handle), events, 0};
    int r = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(0, timeout.count())));
    if (r < 0) return errno == EINTR;
    return r > 0;
}

}  // namespace

Stream::Stream(intptr_t handle) : handle_(handle) {}

Stream::Stream(Stream&& other) noexcept : handle_(std::exchange(other.handle_, -1)) {}

Stream& Stream::operator=(Stream&& other) noexcept {
    if (this != &other) {
        close();
        handle_ = std::exchange(other.handle_, -1);
    }
    return *this;
}

Stream::~Stream() {
    close();
}

void Stream::close() {
    if (handle_ >= 0) ::close(fd_of(handle_));
    handle_ = -1;
}

std::optional<Stream> Stream::connect(const std::filesystem::path& endpoint) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (endpoint.string().size() >= sizeof addr.sun_path) return std::nullopt;
    std::strncpy(addr.sun_path, endpoint.c_str(), sizeof addr.sun_path - 1);
    Stream s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s.valid()) return std::nullopt;
    // Connected blocking (a Unix socket connects at once or not at all), then non-blocking.
    int r;
    do {
        r = ::connect(fd_of(s.handle_), reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    } while (r != 0 && errno == EINTR);
    if (r != 0) return std::nullopt;
    int flags = ::fcntl(fd_of(s.handle_), F_GETFL);
    if (flags < 0 || ::fcntl(fd_of(s.handle_), F_SETFL, flags | O_NONBLOCK) != 0)
        return std::nullopt;
    return s;
}

IoStatus Stream::read_some(std::span<char> buffer, size_t& count) {
    count = 0;
    while (true) {
        ssize_t n = ::recv(fd_of(handle_), buffer.data(), buffer.size(), 0);
        if (n > 0) {
            count = static_cast<size_t>(n);
            return IoStatus::done;
        }
        if (n == 0) return IoStatus::closed;
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? IoStatus::would_block : IoStatus::closed;
    }
}

IoStatus Stream::write_some(std::string_view bytes, size_t& count) {
    count = 0;
    while (true) {
        ssize_t n = ::send(fd_of(handle_), bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n >= 0) {
            count = static_cast<size_t>(n);
            return IoStatus::done;
        }
        if (errno == EINTR) continue;
        return errno == EAGAIN || errno == EWOULDBLOCK ? IoStatus::would_block : IoStatus::closed;
    }
}

bool Stream::wait_readable(std::chrono::milliseconds timeout) {
    return wait_for(handle_, POLLIN, timeout);
}

bool Stream::wait_writable(std::chrono::milliseconds timeout) {
    return wait_for(handle_, POLLOUT, timeout);
}

}  // namespace ri::ipc
