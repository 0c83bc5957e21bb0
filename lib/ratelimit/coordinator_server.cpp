#include "ratelimit/coordinator_server.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/cancel.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "ratelimit/coordinator_protocol.hpp"
#include "ratelimit/local_bucket_store.hpp"

namespace ri::ratelimit {

namespace {

using json = nlohmann::json;

struct Fd {
    int fd = -1;
    explicit Fd(int f = -1) : fd(f) {}
    Fd(Fd&& o) noexcept : fd(std::exchange(o.fd, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        if (this != &o) {
            if (fd >= 0) ::close(fd);
            fd = std::exchange(o.fd, -1);
        }
        return *this;
    }
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

struct Client {
    Fd fd;
    std::string in;
    std::string out;
    bool close_after_write = false;
};

std::string error_reply(std::string_view what) {
    return json{{"ok", false}, {"error", what}}.dump();
}

double number_field(const json& req, const char* name, double fallback) {
    auto it = req.find(name);
    if (it == req.end()) return fallback;
    if (!it->is_number()) throw std::invalid_argument(std::string(name) + " must be a number");
    return it->get<double>();
}

}  // namespace

CoordinatorServer::CoordinatorServer(ServerOptions options, std::unique_ptr<BucketStore> store)
    : options_(std::move(options)),
      store_(std::move(store)),
      started_(std::chrono::steady_clock::now()) {}

CoordinatorServer::~CoordinatorServer() = default;

std::string CoordinatorServer::handle(std::string_view line, bool& shutdown) {
    json req = json::parse(line, nullptr, false);
    if (req.is_discarded() || !req.is_object()) return error_reply("not a JSON object");
    auto op_it = req.find("op");
    if (op_it == req.end() || !op_it->is_string()) return error_reply("missing \"op\"");
    std::string op = *op_it;
    try {
        if (op == "ping") return json{{"ok", true}, {"pid", ::getpid()}}.dump();
        if (op == "shutdown") {
            shutdown = true;
            return json{{"ok", true}}.dump();
        }
        if (op == "status") {
            json scopes = json::array();
            for (const auto& s : store_->status()) {
                json item = {{"account", s.account},
                             {"scope", scope_name(s.scope)},
                             {"tokens", s.tokens},
                             {"burst", s.burst},
                             {"target_rate", s.target_rate},
                             {"hard_limit", s.hard_limit},
                             {"recent_rate", s.recent_rate},
                             {"utilization", s.hard_limit > 0 ? s.recent_rate / s.hard_limit : 0},
                             {"throttled_total", s.throttled_total},
                             {"cool_down_remaining_s", s.cool_down_remaining}};
                item["last_throttled_s_ago"] = s.last_throttled_seconds_ago
                                                   ? json(*s.last_throttled_seconds_ago)
                                                   : json(nullptr);
                scopes.push_back(std::move(item));
            }
            double uptime =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
            return json{
                {"ok", true},          {"pid", ::getpid()},  {"backend", store_->describe()},
                {"clients", clients_}, {"uptime_s", uptime}, {"scopes", scopes}}
                .dump();
        }
        if (op != "acquire" && op != "throttled" && op != "ready")
            return error_reply("unknown op \"" + op + "\"");
        auto account = req.find("account");
        if (account == req.end() || !account->is_string() || account->get<std::string>().empty() ||
            account->get<std::string>().size() > 128)
            return error_reply("missing or bad \"account\"");
        auto scope_it = req.find("scope");
        auto scope = scope_it != req.end() && scope_it->is_string()
                         ? parse_scope(scope_it->get<std::string>())
                         : std::nullopt;
        if (!scope) return error_reply("missing or unknown \"scope\"");
        if (op == "ready") {
            double left = store_->cool_down_remaining(*account, *scope);
            return json{{"ok", true}, {"wait_ms", static_cast<int64_t>(left * 1000 + 0.999)}}
                .dump();
        }
        if (op == "acquire") {
            double count = number_field(req, "count", 1);
            if (!(count >= 1 && count <= 1000)) return error_reply("\"count\" must be 1..1000");
            Grant g = store_->acquire(*account, *scope, count);
            json reply = {{"ok", true},
                          {"wait_ms", static_cast<int64_t>(g.wait_seconds * 1000 + 0.999)},
                          {"utilization", g.utilization}};
            if (!g.degraded.empty()) reply["degraded"] = g.degraded;
            return reply.dump();
        }
        double ms = number_field(req, "retry_after_ms", 1000);
        if (!(ms >= 0 && ms <= 3600 * 1000.0))
            return error_reply("\"retry_after_ms\" must be 0..3600000");
        store_->throttled(*account, *scope, ms / 1000);
        log::info("429 reported for scope {}: pausing it {} ms for every client",
                  scope_name(*scope), static_cast<int64_t>(ms));
        return json{{"ok", true}}.dump();
    } catch (const std::exception& e) {
        return error_reply(e.what());
    }
}

bool CoordinatorServer::run() {
    const auto& socket_path = options_.socket;
    ensure_socket_dir(socket_path);
    std::string lock_path = socket_path.string() + ".lock";
    Fd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
    if (lock.fd < 0) throw file_error(FileRole::output, lock_path, errno, "opening the lock file");
    if (::flock(lock.fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK) return false;
        throw file_error(FileRole::output, lock_path, errno, "locking");
    }

    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (socket_path.string().size() >= sizeof addr.sun_path)
        throw Error::config("the rate-limit socket path is too long: " + socket_path.string());
    std::strncpy(addr.sun_path, socket_path.c_str(), sizeof addr.sun_path - 1);
    ::unlink(socket_path.c_str());  // a stale socket of a daemon that died; we hold the lock
    Fd listener(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (listener.fd < 0) throw Error::io(std::string("socket(): ") + std::strerror(errno));
    mode_t old_mask = ::umask(0177);
    int bound = ::bind(listener.fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    int bind_errno = errno;
    ::umask(old_mask);
    if (bound != 0) throw file_error(FileRole::output, socket_path.string(), bind_errno, "binding");
    if (::listen(listener.fd, 128) != 0)
        throw Error::io(std::string("listen(): ") + std::strerror(errno));
    log::info("rate-limit coordinator serving on {} (backend {})", socket_path.string(),
              store_->describe());
    if (options_.on_ready) options_.on_ready();

    std::vector<Client> clients;
    auto last_activity = std::chrono::steady_clock::now();
    bool shutdown = false;
    while (!shutdown && !cancel::requested()) {
        std::vector<pollfd> fds;
        fds.push_back({listener.fd, POLLIN, 0});
        for (auto& c : clients)
            fds.push_back({c.fd.fd, static_cast<short>(POLLIN | (c.out.empty() ? 0 : POLLOUT)), 0});
        int n = ::poll(fds.data(), fds.size(), 500);
        if (n < 0 && errno != EINTR)
            throw Error::io(std::string("poll(): ") + std::strerror(errno));
        auto now = std::chrono::steady_clock::now();
        if (n <= 0) {
            if (clients.empty() && now - last_activity >= options_.idle_exit) {
                log::info("no clients for {} s: exiting", options_.idle_exit.count());
                break;
            }
            continue;
        }
        if (fds[0].revents & POLLIN) {
            while (true) {
                int fd = ::accept4(listener.fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (fd < 0) break;
                ucred cred{};
                socklen_t len = sizeof cred;
                if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
                    cred.uid != ::getuid()) {
                    ::close(fd);  // the socket's mode should make this impossible; be sure
                    continue;
                }
                clients.push_back(Client{Fd(fd), {}, {}, false});
                last_activity = now;
            }
        }
        for (size_t i = 0; i < clients.size(); ++i) {
            // fds[i + 1] belongs to the clients that existed when poll() was set up.
            if (i + 1 >= fds.size()) break;
            Client& c = clients[i];
            short ev = fds[i + 1].revents;
            bool dead = ev & (POLLERR | POLLNVAL);
            if (!dead && (ev & (POLLIN | POLLHUP))) {
                char buf[16384];
                ssize_t got = ::recv(c.fd.fd, buf, sizeof buf, 0);
                if (got <= 0) {
                    if (got == 0 || (errno != EAGAIN && errno != EINTR)) dead = true;
                } else {
                    last_activity = now;
                    c.in.append(buf, static_cast<size_t>(got));
                    size_t start = 0, nl;
                    while ((nl = c.in.find('\n', start)) != std::string::npos) {
                        std::string_view line(c.in.data() + start, nl - start);
                        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
                        if (!line.empty()) c.out += handle(line, shutdown) + "\n";
                        start = nl + 1;
                    }
                    c.in.erase(0, start);
                    if (c.in.size() > max_line_bytes) {
                        c.out += error_reply("line longer than 64 KiB") + "\n";
                        c.in.clear();
                        c.close_after_write = true;
                    }
                }
            }
            if (!dead && !c.out.empty()) {
                ssize_t sent = ::send(c.fd.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
                if (sent > 0)
                    c.out.erase(0, static_cast<size_t>(sent));
                else if (errno != EAGAIN && errno != EINTR)
                    dead = true;
            }
            // A client that stops reading its replies must not grow our memory without bound.
            if (c.out.size() > 4 * max_line_bytes) dead = true;
            if (dead || (c.close_after_write && c.out.empty())) c.fd = Fd();
        }
        std::erase_if(clients, [](const Client& c) { return c.fd.fd < 0; });
        clients_ = clients.size();
    }
    // Replies already queued (e.g. to "shutdown") go out before the socket closes.
    for (auto& c : clients)
        if (!c.out.empty()) ::send(c.fd.fd, c.out.data(), c.out.size(), MSG_NOSIGNAL);
    ::unlink(socket_path.c_str());
    if (auto* local = dynamic_cast<LocalBucketStore*>(store_.get())) local->save();
    return true;
}

}  // namespace ri::ratelimit
