// ri-ratelimitd: one API budget for every ri process of a user (and, with Redis, of every host).
#include <fmt/format.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <iostream>

#include "cli/options.hpp"
#include "cli/tool_runner.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/process.hpp"
#include "ratelimit/coordinator_protocol.hpp"
#include "ratelimit/coordinator_server.hpp"
#include "ratelimit/local_bucket_store.hpp"
#include "ratelimit/redis_bucket_store.hpp"

using namespace ri;
using namespace ri::cli;
using namespace ri::ratelimit;

namespace {

struct Options {
    std::string socket, backend, profile;
    int idle_exit = 300;
};

// One request to a running daemon; never starts one.
Json ask(const std::filesystem::path& socket, const Json& request) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        if (fd >= 0) ::close(fd);
        throw Error::unavailable(fmt::format(
            "no ri-ratelimitd is running on {} (ri commands start it on their first API call)",
            socket.string()));
    }
    std::string line = request.dump() + "\n";
    ::send(fd, line.data(), line.size(), MSG_NOSIGNAL);
    std::string reply;
    char buf[65536];
    while (reply.find('\n') == std::string::npos) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, 5000) <= 0) break;
        ssize_t n = ::recv(fd, buf, sizeof buf, 0);
        if (n <= 0) break;
        reply.append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    auto parsed = Json::parse(reply.substr(0, reply.find('\n')), nullptr, false);
    if (parsed.is_discarded() || !parsed.value("ok", false))
        throw Error::unavailable("ri-ratelimitd on " + socket.string() +
                                 " did not answer properly");
    return parsed;
}

std::string status_line(const Json& s) {
    std::string last = s["last_throttled_s_ago"].is_null()
                           ? "-"
                           : fmt::format("{:.0f}s ago", s["last_throttled_s_ago"].get<double>());
    return fmt::format("{:<10} {:<16} {:>8.1f} {:>6.0f} {:>8.2f} {:>8.2f} {:>5.0f}% {:>6} {:>10}",
                       s["account"].get<std::string>().substr(0, 10), s["scope"].get<std::string>(),
                       s["tokens"].get<double>(), s["burst"].get<double>(),
                       s["recent_rate"].get<double>(), s["hard_limit"].get<double>(),
                       s["utilization"].get<double>() * 100, s["throttled_total"].get<int>(), last);
}

int run_status(ToolRunner& tool, const std::filesystem::path& socket) {
    Json st = ask(socket, {{"op", "status"}});
    Json head = {{"kind", "ratelimitd"},      {"pid", st["pid"]},
                 {"socket", socket.string()}, {"backend", st["backend"]},
                 {"clients", st["clients"]},  {"uptime_s", st["uptime_s"]}};
    tool.out().emit(head, [](const Json& r) {
        return fmt::format(
            "ri-ratelimitd pid {} on {}\nbackend {}, {} client(s), up {:.0f} s\n\n"
            "{:<10} {:<16} {:>8} {:>6} {:>8} {:>8} {:>6} {:>6} {:>10}",
            r["pid"].get<int>(), r["socket"].get<std::string>(), r["backend"].get<std::string>(),
            r["clients"].get<size_t>(), r["uptime_s"].get<double>(), "ACCOUNT", "SCOPE", "TOKENS",
            "BURST", "RATE/s", "LIMIT/s", "USED", "429s", "LAST 429");
    });
    for (auto s : st["scopes"]) {
        Json rec = {{"kind", "scope"}};
        rec.update(s);
        tool.out().emit(rec, status_line);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    ToolRunner tool("ri-ratelimitd",
                    "Share one API rate budget between every ri process of a user, on one host "
                    "or, through Redis, many");
    CLI::App& app = tool.app();
    app.require_subcommand(1);
    Options o;
    app.add_option("--socket", o.socket,
                   "Unix socket (default: $RI_RATELIMITD_SOCKET, else $XDG_RUNTIME_DIR/ri/"
                   "ratelimitd.sock or /tmp/ri-UID/ratelimitd.sock)")
        ->type_name("PATH");
    app.add_option("--profile", o.profile, "apiconfig profile section to read settings from");
    auto* serve = app.add_subcommand(
        "serve", "Run the coordinator in the foreground (ri commands start it on their own)");
    serve
        ->add_option("--backend", o.backend,
                     "redis://HOST:PORT[/DB] to keep the buckets in Redis, shared by every host "
                     "(default: setting ratelimit_backend, else this daemon's memory)")
        ->type_name("URL");
    serve
        ->add_option("--idle-exit", o.idle_exit,
                     "Exit after this many seconds without clients (0: never)")
        ->type_name("SECONDS")
        ->check(CLI::NonNegativeNumber);
    auto* status =
        app.add_subcommand("status", "Show each scope's tokens, rate and recent 429s (--json)");
    auto* stop = app.add_subcommand("stop", "Ask a running daemon to save its buckets and exit");

    return tool.run(argc, argv, [&]() -> int {
        std::filesystem::path socket =
            o.socket.empty() ? default_socket_path() : std::filesystem::path(o.socket);
        if (status->parsed()) return run_status(tool, socket);
        if (stop->parsed()) {
            Json r = ask(socket, {{"op", "shutdown"}});
            tool.notice("ri-ratelimitd on " + socket.string() + " is stopping");
            return 0;
        }
        if (!serve->parsed()) return to_int(ExitCode::usage);
        Config config = Config::load(o.profile);
        std::string backend =
            o.backend.empty() ? config.get_or("ratelimit_backend", "") : o.backend;
        std::unique_ptr<BucketStore> store;
        if (backend.empty())
            store = std::make_unique<LocalBucketStore>(default_bucket_state_path(socket));
        else
            store = std::make_unique<RedisBucketStore>(parse_redis_url(backend));
        ServerOptions options;
        options.socket = socket;
        options.idle_exit =
            std::chrono::seconds(o.idle_exit == 0 ? 365LL * 24 * 3600 : o.idle_exit);
        std::string described = store->describe();
        options.on_ready = [&] {
            Json ready = {{"kind", "ratelimitd"},
                          {"socket", socket.string()},
                          {"backend", described},
                          {"pid", process::current_pid()}};
            tool.out().emit(ready, [](const Json& r) {
                return fmt::format("ri-ratelimitd: serving on {} (backend {})",
                                   r["socket"].get<std::string>(), r["backend"].get<std::string>());
            });
            std::cout.flush();
        };
        CoordinatorServer server(options, std::move(store));
        if (!server.run()) {
            tool.notice("another ri-ratelimitd already serves " + socket.string());
            return 0;
        }
        return 0;
    });
}
