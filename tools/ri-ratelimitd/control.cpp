// ri-ratelimitd status and stop: questions to a running daemon, which they never start.
#include <fmt/format.h>

#include "core/error.hpp"
#include "ipc/client.hpp"
#include "ratelimitd.hpp"

namespace ri::ratelimitd {

Json ask(const std::filesystem::path& socket, const Json& request) {
    auto client = ipc::Client::connect(socket);
    if (!client)
        throw Error::unavailable(fmt::format(
            "no ri-ratelimitd is running on {} (ri commands start it on their first API call)",
            socket.string()));
    auto reply = client->request(nlohmann::json::parse(request.dump()), std::chrono::seconds(5));
    if (!reply || !reply->value("ok", false))
        throw Error::unavailable("ri-ratelimitd on " + socket.string() +
                                 " did not answer properly");
    // As the daemon wrote it: records keep its field order.
    return Json::parse(reply->dump());
}

namespace {

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

int run_status(Context& ctx) {
    auto socket = ctx.socket_path();
    Json st = ask(socket, {{"op", "status"}});
    Json head = {{"kind", "ratelimitd"},      {"pid", st["pid"]},
                 {"socket", socket.string()}, {"backend", st["backend"]},
                 {"clients", st["clients"]},  {"uptime_s", st["uptime_s"]}};
    ctx.tool.out().emit(head, [](const Json& r) {
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
        ctx.tool.out().emit(rec, status_line);
    }
    return 0;
}

int run_stop(Context& ctx) {
    auto socket = ctx.socket_path();
    ask(socket, {{"op", "shutdown"}});
    ctx.tool.notice("ri-ratelimitd on " + socket.string() + " is stopping");
    return 0;
}

}  // namespace

void add_status(Context& ctx, cli::Verbs& verbs) {
    auto* v = ctx.tool.app().add_subcommand(
        "status", "Show each scope's tokens, rate and recent 429s (--json)");
    verbs.push_back({v, [&ctx] { return run_status(ctx); }});
}

void add_stop(Context& ctx, cli::Verbs& verbs) {
    auto* v =
        ctx.tool.app().add_subcommand("stop", "Ask a running daemon to save its buckets and exit");
    verbs.push_back({v, [&ctx] { return run_stop(ctx); }});
}

}  // namespace ri::ratelimitd
