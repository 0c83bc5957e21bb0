#include "ratelimit/coordinated_limiter.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "core/cancel.hpp"
#include "core/log.hpp"
#include "core/progress.hpp"
#include "ratelimit/coordinator_protocol.hpp"

namespace ri::ratelimit {

namespace {

using json = nlohmann::json;

void default_sleep(Duration wait) {
    cancel::sleep_for(std::chrono::duration_cast<std::chrono::nanoseconds>(wait));
}

int connect_socket(const std::filesystem::path& path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.string().size() >= sizeof addr.sun_path) return -1;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

std::string find_daemon_program() {
    if (const char* p = std::getenv("RI_RATELIMITD"); p && *p) return p;
    std::error_code ec;
    auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        auto beside = self.parent_path() / "ri-ratelimitd";
        if (::access(beside.c_str(), X_OK) == 0) return beside.string();
    }
    return "ri-ratelimitd";
}

bool spawn_daemon(const std::string& program, const std::filesystem::path& socket,
                  const std::string& backend) {
    // Everything exec needs is prepared before fork: only async-signal-safe calls after it.
    std::vector<std::string> args = {program, "serve", "--socket", socket.string(), "--quiet"};
    if (!backend.empty()) {
        args.push_back("--backend");
        args.push_back(backend);
    }
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t child = ::fork();
    if (child < 0) {
        if (devnull >= 0) ::close(devnull);
        return false;
    }
    if (child == 0) {
        // Double fork: the daemon is re-parented to init and never becomes our zombie.
        ::setsid();
        if (::fork() != 0) ::_exit(0);
        if (devnull >= 0) {
            ::dup2(devnull, 0);
            ::dup2(devnull, 1);
            ::dup2(devnull, 2);
        }
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (program.find('/') != std::string::npos)
            ::execv(argv[0], argv.data());
        else
            ::execvp(argv[0], argv.data());
        ::_exit(127);
    }
    if (devnull >= 0) ::close(devnull);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return true;
}

struct CoordinatedLimiter::Impl {
    CoordinatorClientOptions options;
    std::mutex mutex;
    int fd = -1;
    std::string buffer;
    bool degraded = false;
    bool announced_degraded = false;
    std::string last_daemon_degraded;
    Clock::time_point next_attempt{};
    std::array<std::unique_ptr<TokenBucket>, 3> emergency;
    std::array<bool, 3> busy_notice{};

    void notice(const std::string& text) {
        if (options.notice)
            options.notice(text);
        else
            user_notice(text);
        log::info("{}", text);
    }

    void disconnect() {
        if (fd >= 0) ::close(fd);
        fd = -1;
        buffer.clear();
    }

    // One request, one reply line, with a deadline: a hung daemon counts as unreachable.
    std::optional<json> exchange(const json& request) {
        std::string line = request.dump() + "\n";
        size_t off = 0;
        while (off < line.size()) {
            ssize_t n = ::send(fd, line.data() + off, line.size() - off, MSG_NOSIGNAL);
            if (n <= 0) {
                if (n < 0 && errno == EINTR) continue;
                return std::nullopt;
            }
            off += static_cast<size_t>(n);
        }
        auto deadline = Clock::now() + std::chrono::seconds(5);
        while (true) {
            if (auto nl = buffer.find('\n'); nl != std::string::npos) {
                json reply = json::parse(buffer.substr(0, nl), nullptr, false);
                buffer.erase(0, nl + 1);
                if (reply.is_discarded()) return std::nullopt;
                return reply;
            }
            auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
            if (left.count() <= 0) return std::nullopt;
            pollfd p{fd, POLLIN, 0};
            int r = ::poll(&p, 1, static_cast<int>(std::min<int64_t>(left.count(), 200)));
            if (r < 0 && errno != EINTR) return std::nullopt;
            if (r <= 0) continue;
            char buf[4096];
            ssize_t n = ::recv(fd, buf, sizeof buf, 0);
            if (n <= 0) {
                if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
                return std::nullopt;
            }
            buffer.append(buf, static_cast<size_t>(n));
            if (buffer.size() > max_line_bytes) return std::nullopt;
        }
    }

    bool connect_or_start() {
        if (fd >= 0) return true;
        auto now = Clock::now();
        if (now < next_attempt) return false;
        next_attempt = now + options.reconnect_every;
        fd = connect_socket(options.socket);
        if (fd < 0 && !options.daemon_program.empty()) {
            try {
                ensure_socket_dir(options.socket);
            } catch (const std::exception& e) {
                log::warn("{}", e.what());
                return false;
            }
            if (spawn_daemon(options.daemon_program, options.socket, options.backend)) {
                // A daemon is usually listening within a few milliseconds.
                for (int i = 0; i < 100 && fd < 0; ++i) {
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                    fd = connect_socket(options.socket);
                }
            }
        }
        if (fd < 0) return false;
        if (degraded) {
            degraded = false;
            announced_degraded = false;
            notice(
                "the rate-limit coordinator is reachable again; API calls use the shared budget");
        }
        return true;
    }

    void enter_degraded(const std::string& why) {
        disconnect();
        degraded = true;
        if (!announced_degraded) {
            announced_degraded = true;
            auto limit = default_limit(Scope::user);
            notice("the rate-limit coordinator is unavailable (" + why +
                   "); API calls are capped at " + fmt_rate(limit.hard_per_second / 8) +
                   " user calls/s per process until it is back");
        }
    }

    static std::string fmt_rate(double r) {
        char b[32];
        std::snprintf(b, sizeof b, "%.2f", r);
        return b;
    }

    Duration emergency_wait(Scope scope, int count) {
        auto& b = emergency[static_cast<size_t>(scope)];
        if (!b) b = std::make_unique<TokenBucket>(default_limit(scope).hard_per_second / 8, 1);
        return b->reserve(count);
    }

    void utilization_notice(Scope scope, double utilization) {
        // Hysteresis: announce above 60%, re-arm only below 45%, so it does not flicker.
        bool& shown = busy_notice[static_cast<size_t>(scope)];
        if (!shown && utilization > 0.6) {
            shown = true;
            notice("API budget: " + std::string(scope_name(scope)) + " calls are running at " +
                   std::to_string(static_cast<int>(utilization * 100 + 0.5)) +
                   "% of the platform's limit (shared by every ri process of this key); calls are "
                   "paced");
        } else if (shown && utilization < 0.45) {
            shown = false;
        }
    }
};

CoordinatedLimiter::CoordinatedLimiter(CoordinatorClientOptions options)
    : impl_(std::make_unique<Impl>()) {
    if (options.socket.empty()) options.socket = default_socket_path();
    if (!options.sleep) options.sleep = default_sleep;
    impl_->options = std::move(options);
}

CoordinatedLimiter::~CoordinatedLimiter() {
    impl_->disconnect();
}

bool CoordinatedLimiter::degraded() {
    std::lock_guard lock(impl_->mutex);
    return impl_->degraded;
}

void CoordinatedLimiter::acquire(Scope scope, int count) {
    Duration wait{0};
    {
        std::lock_guard lock(impl_->mutex);
        std::string why = "no daemon answers on " + impl_->options.socket.string();
        bool served = false;
        if (impl_->connect_or_start()) {
            auto reply = impl_->exchange({{"op", "acquire"},
                                          {"account", impl_->options.account},
                                          {"scope", scope_name(scope)},
                                          {"count", count}});
            if (reply && reply->value("ok", false)) {
                served = true;
                wait = Duration(reply->value("wait_ms", 0) / 1000.0);
                std::string daemon_degraded = reply->value("degraded", "");
                if (!daemon_degraded.empty() && daemon_degraded != impl_->last_daemon_degraded)
                    impl_->notice(daemon_degraded + "; API calls are capped at the emergency rate");
                impl_->last_daemon_degraded = daemon_degraded;
                impl_->utilization_notice(scope, reply->value("utilization", 0.0));
            } else {
                why = reply ? "it answered: " + reply->value("error", std::string("?"))
                            : "the connection was lost";
            }
        }
        if (!served) {
            impl_->enter_degraded(why);
            wait = impl_->emergency_wait(scope, count);
        }
    }
    if (wait.count() <= 0) return;
    impl_->options.sleep(wait);
    // A 429 may have arrived (in any process) while this call waited for its turn: it must pause
    // as well, not go out into the cool-down. One cheap question to the daemon settles it.
    for (int round = 0; round < 3; ++round) {
        Duration more{0};
        {
            std::lock_guard lock(impl_->mutex);
            if (impl_->fd < 0) return;
            auto reply = impl_->exchange({{"op", "ready"},
                                          {"account", impl_->options.account},
                                          {"scope", scope_name(scope)}});
            if (!reply || !reply->value("ok", false)) return;
            more = Duration(reply->value("wait_ms", 0) / 1000.0);
        }
        if (more.count() <= 0) return;
        impl_->options.sleep(more);
    }
}

void CoordinatedLimiter::throttled(Scope scope, std::chrono::milliseconds retry_after) {
    std::lock_guard lock(impl_->mutex);
    auto& b = impl_->emergency[static_cast<size_t>(scope)];
    if (!b) b = std::make_unique<TokenBucket>(default_limit(scope).hard_per_second / 8, 1);
    b->cool_down(retry_after);
    if (!impl_->connect_or_start()) return;
    auto reply = impl_->exchange({{"op", "throttled"},
                                  {"account", impl_->options.account},
                                  {"scope", scope_name(scope)},
                                  {"retry_after_ms", retry_after.count()}});
    if (!reply) impl_->enter_degraded("the connection was lost");
}

}  // namespace ri::ratelimit
