// ipc::Server on a Unix-domain socket: the directory 0700 and ours, the socket bound under
// umask 0177 (so 0600 from its first instant), SO_PEERCRED checked on every accept, an flock on
// SOCKET.lock deciding which of two racing servers serves, and a self-pipe so that publish()
// and stop() from other threads wake poll().
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "core/cancel.hpp"
#include "core/error.hpp"
#include "core/file_lock.hpp"
#include "core/log.hpp"
#include "core/paths.hpp"
#include "ipc/line_reader.hpp"
#include "ipc/server.hpp"
#include "ipc/stream.hpp"

namespace ri::ipc {

namespace {

using Clock = std::chrono::steady_clock;

struct PosixSession : Session {
    PosixSession(uint64_t id, PeerCredentials peer, Stream s, size_t max_line)
        : Session(id, std::move(peer)), stream(std::move(s)), reader(max_line) {}

    Stream stream;
    LineReader reader;
    bool close_after_write = false;

    std::string& out() { return out_; }
};

std::string too_long_text(size_t max) {
    if (max % 1024 == 0) return "line longer than " + std::to_string(max / 1024) + " KiB";
    return "line longer than " + std::to_string(max) + " bytes";
}

PeerCredentials peer_of(int fd) {
    PeerCredentials peer;
    ucred cred{};
    socklen_t len = sizeof cred;
    if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) return peer;
    peer.pid = cred.pid;
    peer.user = std::to_string(cred.uid);
    peer.same_user = cred.uid == ::getuid();
    return peer;
}

[[noreturn]] void os_failure(const char* call) {
    throw Error::io(std::string(call) + "(): " + std::strerror(errno));
}

}  // namespace

struct Server::Impl {
    ServerOptions options;
    Handler handler;
    std::atomic<bool> stopping{false};
    std::atomic<size_t> sessions_open{0};
    std::mutex mutex;                                          // guards pending
    std::vector<std::pair<std::string, std::string>> pending;  // topic, line
    int wake_read = -1, wake_write = -1;
    uint64_t next_id = 1;

    void wake() {
        char byte = 1;
        // Full pipe: a wake-up is already pending, which is all this is for.
        [[maybe_unused]] ssize_t n = ::write(wake_write, &byte, 1);
    }
    void drain_wake() {
        char buf[256];
        while (::read(wake_read, buf, sizeof buf) > 0) {
        }
    }

    Stream listen_on(const std::filesystem::path& path);
    void deliver_events(std::vector<std::unique_ptr<PosixSession>>& sessions);
    // Reads and answers what a session sent; false when it is gone.
    bool serve(PosixSession& s, short revents, Clock::time_point now, Clock::time_point& active);
    void accept_all(int listener, std::vector<std::unique_ptr<PosixSession>>& sessions,
                    Clock::time_point now, Clock::time_point& active);
};

Server::Server(ServerOptions options, Handler handler) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    if (impl_->options.max_queued_bytes == 0)
        impl_->options.max_queued_bytes = 4 * impl_->options.max_line_bytes;
    impl_->handler = std::move(handler);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) os_failure("pipe");
    impl_->wake_read = fds[0];
    impl_->wake_write = fds[1];
}

Server::~Server() {
    ::close(impl_->wake_read);
    ::close(impl_->wake_write);
}

void Server::stop() {
    impl_->stopping = true;
    impl_->wake();
}

void Server::publish(std::string_view topic, std::string_view line) {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->pending.emplace_back(topic, line);
    }
    impl_->wake();
}

size_t Server::session_count() const {
    return impl_->sessions_open;
}

Stream Server::Impl::listen_on(const std::filesystem::path& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.string().size() >= sizeof addr.sun_path)
        throw Error::config("the " + options.what + " path is too long: " + path.string());
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    ::unlink(path.c_str());  // a stale socket of a server that died; we hold the lock
    Stream listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (!listener.valid()) os_failure("socket");
    int fd = static_cast<int>(listener.handle());
    // Created 0600: there is no moment at which another user could connect.
    mode_t old_mask = ::umask(0177);
    int bound = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    int bind_errno = errno;
    ::umask(old_mask);
    if (bound != 0) throw file_error(FileRole::output, path.string(), bind_errno, "binding");
    if (::listen(fd, 128) != 0) os_failure("listen");
    return listener;
}

void Server::Impl::accept_all(int listener, std::vector<std::unique_ptr<PosixSession>>& sessions,
                              Clock::time_point now, Clock::time_point& active) {
    while (true) {
        int fd = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) return;
        Stream stream(fd);
        PeerCredentials peer = peer_of(fd);
        bool allowed = options.allow_peer ? options.allow_peer(peer) : peer.same_user;
        if (!allowed) {
            // The socket's mode should make this impossible; be sure.
            log::warn("{}: refused a connection from user {} (pid {})", options.what,
                      peer.user.empty() ? "?" : peer.user, peer.pid);
            continue;
        }
        sessions.push_back(std::make_unique<PosixSession>(
            next_id++, std::move(peer), std::move(stream), options.max_line_bytes));
        active = now;
    }
}

void Server::Impl::deliver_events(std::vector<std::unique_ptr<PosixSession>>& sessions) {
    std::vector<std::pair<std::string, std::string>> events;
    {
        std::lock_guard lock(mutex);
        events.swap(pending);
    }
    for (const auto& [topic, line] : events)
        for (auto& s : sessions)
            if (s->subscribed(topic)) s->send(line);
}

bool Server::Impl::serve(PosixSession& s, short revents, Clock::time_point now,
                         Clock::time_point& active) {
    if (revents & (POLLERR | POLLNVAL)) return false;
    if (revents & (POLLIN | POLLHUP)) {
        char buf[16384];
        size_t got = 0;
        switch (s.stream.read_some(buf, got)) {
            case IoStatus::closed:
                return false;
            case IoStatus::would_block:
                break;
            case IoStatus::done:
                active = now;
                s.reader.feed(std::string_view(buf, got));
                while (auto line = s.reader.next()) {
                    if (line->empty()) continue;
                    std::string reply;
                    try {
                        reply = handler(*line, s);
                    } catch (const std::exception& e) {
                        reply = error_reply(e.what());
                    }
                    if (!reply.empty()) s.send(reply);
                }
                if (s.reader.overflowed() && !s.close_after_write) {
                    s.send(error_reply(too_long_text(options.max_line_bytes)));
                    s.close_after_write = true;
                }
                break;
        }
    }
    if (!s.out().empty()) {
        size_t sent = 0;
        if (s.stream.write_some(s.out(), sent) == IoStatus::closed) return false;
        s.out().erase(0, sent);
    }
    // A session that stops reading its replies must not grow our memory without bound.
    if (s.out().size() > options.max_queued_bytes) return false;
    return !(s.close_after_write && s.out().empty());
}

bool Server::run() {
    Impl& m = *impl_;
    const auto& path = m.options.endpoint;
    auto dir = path.parent_path();
    paths::require_private_dir(dir.empty() ? std::filesystem::path(".") : dir, m.options.what);
    auto lock = FileLock::try_acquire(path.string() + ".lock");
    if (!lock) return false;
    Stream listener = m.listen_on(path);
    int listen_fd = static_cast<int>(listener.handle());
    if (m.options.on_ready) m.options.on_ready();

    std::vector<std::unique_ptr<PosixSession>> sessions;
    auto active = Clock::now();
    auto slice =
        std::min<std::chrono::milliseconds>(std::chrono::milliseconds(500), m.options.idle_exit);
    std::vector<pollfd> fds;
    while (!m.stopping && !cancel::requested()) {
        fds.clear();
        fds.push_back({listen_fd, POLLIN, 0});
        fds.push_back({m.wake_read, POLLIN, 0});
        for (auto& s : sessions)
            fds.push_back({static_cast<int>(s->stream.handle()),
                           static_cast<short>(POLLIN | (s->out().empty() ? 0 : POLLOUT)), 0});
        int n =
            ::poll(fds.data(), fds.size(), static_cast<int>(std::max<int64_t>(1, slice.count())));
        if (n < 0 && errno != EINTR) os_failure("poll");
        auto now = Clock::now();
        if (n > 0 && (fds[1].revents & POLLIN)) m.drain_wake();
        // Sessions accepted now are served from the next round (fds has no entry for them).
        size_t polled = sessions.size();
        if (n > 0 && (fds[0].revents & POLLIN)) m.accept_all(listen_fd, sessions, now, active);
        m.deliver_events(sessions);
        for (size_t i = 0; i < polled; ++i) {
            short revents = n > 0 ? fds[i + 2].revents : 0;
            if (!m.serve(*sessions[i], revents, now, active)) sessions[i].reset();
        }
        std::erase_if(sessions, [](const auto& s) { return !s; });
        m.sessions_open = sessions.size();
        if (sessions.empty() && now - active >= m.options.idle_exit) {
            log::info(
                "no clients for {} s: exiting",
                std::chrono::duration_cast<std::chrono::seconds>(m.options.idle_exit).count());
            break;
        }
    }
    // Replies already queued (e.g. to a shutdown request) go out before the endpoint closes.
    for (auto& s : sessions) {
        size_t sent = 0;
        while (!s->out().empty() && s->stream.write_some(s->out(), sent) == IoStatus::done &&
               sent > 0)
            s->out().erase(0, sent);
    }
    sessions.clear();
    m.sessions_open = 0;
    ::unlink(path.c_str());
    return true;
}

}  // namespace ri::ipc
