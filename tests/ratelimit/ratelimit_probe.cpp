// ratelimit_probe: drives the rate-limit layer the way ri processes do.
//
//   ratelimit_probe latency --count N [--scope S] [--in-process]
//       N acquisitions through the coordinator (RI_RATELIMITD_SOCKET), without sleeping the
//       waits: prints {"count","seconds","per_second","p50_us","p99_us"}.
//   ratelimit_probe acquire --count N [--scope S] [--key KEY] [--no-wait]
//       N acquisitions as one ri process of account KEY would make them (the daemon started and
//       the notices printed on stderr as usual); --no-wait skips the waits granted, to spend a
//       budget fast: prints {"count","degraded"}.
//   ratelimit_probe hammer --url BASE --key KEY [--path P] [--seconds S]
//       GETs BASE+P as fast as the shared limiter allows for S seconds, honouring 429s the way
//       the platform client does (report to the limiter, which pauses the scope): prints
//       {"calls","ok","throttled","errors","seconds","first_throttled_at"}.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>
#include <vector>

#include "core/config.hpp"
#include "core/redact.hpp"
#include "http/http_client.hpp"
#include "ratelimit/account.hpp"
#include "ratelimit/coordinated_limiter.hpp"
#include "ratelimit/coordinator_protocol.hpp"
#include "ratelimit/limiter_factory.hpp"
#include "ratelimit/scope.hpp"

using namespace ri;
using namespace ri::ratelimit;
using Steady = std::chrono::steady_clock;

int main(int argc, char** argv) {
    CLI::App app("ratelimit_probe");
    app.require_subcommand(1);
    int count = 10000;
    std::string scope_text = "jobs-usage", url, key, path = "/api/v2/jobs/";
    double seconds = 10;
    auto* latency = app.add_subcommand("latency");
    latency->add_option("--count", count);
    latency->add_option("--scope", scope_text);
    bool in_process = false;
    latency->add_flag("--in-process", in_process, "the in-process limiter, no daemon (the floor)");
    auto* acquire = app.add_subcommand("acquire");
    acquire->add_option("--count", count);
    acquire->add_option("--scope", scope_text);
    std::string account_key = "probe";
    acquire->add_option("--key", account_key);
    bool no_wait = false;
    acquire->add_flag("--no-wait", no_wait, "do not sleep the waits granted");
    auto* hammer = app.add_subcommand("hammer");
    hammer->add_option("--url", url)->required();
    hammer->add_option("--key", key)->required();
    hammer->add_option("--path", path);
    hammer->add_option("--seconds", seconds);
    CLI11_PARSE(app, argc, argv);

    if (latency->parsed()) {
        auto scope = parse_scope(scope_text).value_or(Scope::jobs_usage);
        CoordinatorClientOptions options;
        options.account =
            account_id("probe", std::to_string(Steady::now().time_since_epoch().count()));
        options.daemon_program = find_daemon_program();
        options.sleep = [](Duration) {};             // measure the round trip, not the pacing
        options.notice = [](const std::string&) {};  // the pacing notice is expected here
        std::unique_ptr<Limiter> owned;
        CoordinatedLimiter* coordinated = nullptr;
        if (in_process) {
            owned = std::make_unique<LocalLimiter>([](Duration) {});
        } else {
            auto c = std::make_unique<CoordinatedLimiter>(options);
            coordinated = c.get();
            owned = std::move(c);
        }
        Limiter& limiter = *owned;
        limiter.acquire(scope);  // connect (and start the daemon) outside the measurement
        std::vector<double> us;
        us.reserve(static_cast<size_t>(count));
        auto start = Steady::now();
        for (int i = 0; i < count; ++i) {
            auto t = Steady::now();
            limiter.acquire(scope);
            us.push_back(std::chrono::duration<double, std::micro>(Steady::now() - t).count());
        }
        double total = std::chrono::duration<double>(Steady::now() - start).count();
        std::sort(us.begin(), us.end());
        auto pct = [&](double p) { return us[static_cast<size_t>(p * (us.size() - 1))]; };
        std::cout << nlohmann::json{{"count", count},
                                    {"seconds", total},
                                    {"per_second", count / total},
                                    {"p50_us", pct(0.5)},
                                    {"p99_us", pct(0.99)},
                                    {"degraded", coordinated && coordinated->degraded()}}
                         .dump()
                  << "\n";
        return coordinated && coordinated->degraded() ? 1 : 0;
    }

    if (acquire->parsed()) {
        if (acquire->count("--scope") == 0) scope_text = "user";
        auto scope = parse_scope(scope_text).value_or(Scope::user);
        CoordinatorClientOptions options;
        options.account = account_id("probe", account_key);
        options.daemon_program = find_daemon_program();
        options.backend = Config::load().get_or("ratelimit_backend", "");
        if (no_wait) options.sleep = [](Duration) {};
        CoordinatedLimiter limiter(options);
        for (int i = 0; i < count; ++i)
            limiter.acquire(scope);
        std::cout << nlohmann::json{{"count", count}, {"degraded", limiter.degraded()}}.dump()
                  << "\n";
        return 0;
    }

    register_secret(key);
    Config config = Config::load();
    auto limiter = limiter_for(config, url, key);
    http::ClientOptions client_options;
    client_options.retry.max_attempts = 1;  // 429s are counted here, not retried away
    http::HttpClient client(client_options);
    Scope scope = classify("GET", path);
    int calls = 0, ok = 0, throttled = 0, errors = 0;
    double first_throttled_at = -1;
    auto start = Steady::now();
    auto elapsed = [&] { return std::chrono::duration<double>(Steady::now() - start).count(); };
    while (elapsed() < seconds) {
        limiter->acquire(scope);
        if (elapsed() >= seconds) break;
        http::Request req;
        req.url = url + path;
        req.headers = {{"Authorization", "Token " + key}, {"Accept", "application/json"}};
        ++calls;
        try {
            auto resp = client.send(req);
            if (resp.status == 429) {
                ++throttled;
                if (first_throttled_at < 0) first_throttled_at = elapsed();
                auto ra =
                    http::HttpClient::parse_retry_after(resp.header("retry-after").value_or("1"));
                limiter->throttled(scope, ra.value_or(std::chrono::milliseconds(1000)));
            } else if (resp.ok()) {
                ++ok;
            } else {
                ++errors;
            }
        } catch (const std::exception&) {
            ++errors;
        }
    }
    std::cout << nlohmann::json{{"calls", calls},
                                {"ok", ok},
                                {"throttled", throttled},
                                {"errors", errors},
                                {"seconds", elapsed()},
                                {"first_throttled_at", first_throttled_at}}
                     .dump()
              << "\n";
    return 0;
}
