#include "ratelimit/coordinated_limiter.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>
#include <vector>

#include "core/cancel.hpp"
#include "core/log.hpp"
#include "core/process.hpp"
#include "core/progress.hpp"
#include "ipc/client.hpp"
#include "ratelimit/coordinator_protocol.hpp"

namespace ri::ratelimit {

namespace {

using json = nlohmann::json;

void default_sleep(Duration wait) {
    cancel::sleep_for(std::chrono::duration_cast<std::chrono::nanoseconds>(wait));
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
    std::vector<std::string> args = {program, "serve", "--socket", socket.string(), "--quiet"};
    if (!backend.empty()) {
        args.push_back("--backend");
        args.push_back(backend);
    }
    return process::spawn_detached(args);
}

struct CoordinatedLimiter::Impl {
    CoordinatorClientOptions options;
    std::mutex mutex;
    std::optional<ipc::Client> client;
    bool degraded = false;
    bool announced_degraded = false;
    std::string last_daemon_degraded;
    Clock::time_point next_attempt{};
    std::array<std::unique_ptr<TokenBucket>, 3> emergency;

    void notice(const std::string& text) {
        if (options.notice)
            options.notice(text);
        else
            user_notice(text);
        log::info("{}", text);
    }

    void disconnect() { client.reset(); }

    // One request, one reply line, with a deadline: a hung daemon counts as unreachable. A
    // failed client stays (closed) until the next acquire finds it so and falls back, saying
    // so: a silent reconnect would hide that the budget was lost for a moment.
    std::optional<json> exchange(const json& request) {
        return client->request(request, std::chrono::seconds(5));
    }

    bool connect_or_start() {
        if (client) return true;
        auto now = Clock::now();
        if (now < next_attempt) return false;
        next_attempt = now + options.reconnect_every;
        client = ipc::Client::connect(options.socket, {}, max_line_bytes);
        if (!client && !options.daemon_program.empty()) {
            try {
                ensure_socket_dir(options.socket);
            } catch (const std::exception& e) {
                log::warn("{}", e.what());
                return false;
            }
            // A daemon is usually listening within a few milliseconds.
            if (spawn_daemon(options.daemon_program, options.socket, options.backend))
                client =
                    ipc::Client::connect(options.socket, std::chrono::seconds(2), max_line_bytes);
        }
        if (!client) return false;
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

    // The daemon marks the one grant that starts a busy episode (of every process's), so
    // the notice shows once per episode, not once per process or at every first call.
    void busy_notice(Scope scope, double utilization) {
        notice("API budget: " + std::string(scope_name(scope)) + " calls are running at " +
               std::to_string(static_cast<int>(utilization * 100 + 0.5)) +
               "% of the platform's limit (shared by every ri process of this key); calls are "
               "paced");
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
                if (reply->value("notice", false))
                    impl_->busy_notice(scope, reply->value("utilization", 0.0));
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
            if (!impl_->client) return;
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
