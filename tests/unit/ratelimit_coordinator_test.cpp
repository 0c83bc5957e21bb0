#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>

#include "core/error.hpp"
#include "ratelimit/account.hpp"
#include "ratelimit/coordinator_server.hpp"
#include "ratelimit/local_bucket_store.hpp"
#include "ratelimit/redis_bucket_store.hpp"
#include "test_support.hpp"

using namespace ri::ratelimit;
using json = nlohmann::json;

namespace {

struct FakeClock {
    Clock::time_point now = Clock::time_point{} + std::chrono::hours(1000);
    std::function<Clock::time_point()> fn() {
        return [this] { return now; };
    }
};

json ask(CoordinatorServer& server, const std::string& line) {
    bool shutdown = false;
    return json::parse(server.handle(line, shutdown));
}

}  // namespace

TEST_CASE("account ids hash the key, never carry it", "[ratelimit]") {
    auto a = account_id("https://platform.rescale.com", "secret-key-123");
    CHECK(a.size() == 32);
    CHECK(a.find("secret") == std::string::npos);
    CHECK(a == account_id("https://platform.rescale.com/", "secret-key-123"));
    CHECK(a != account_id("https://eu.rescale.com", "secret-key-123"));
    CHECK(a != account_id("https://platform.rescale.com", "secret-key-124"));
}

TEST_CASE("a new daemon's buckets start nearly empty, a restored one refilled", "[ratelimit]") {
    ri::test::TempDir dir;
    FakeClock clock;
    auto state = dir.path() / "buckets.json";
    {
        LocalBucketStore store(state, clock.fn());
        CHECK(store.acquire("acct", Scope::user, 1).wait_seconds == 0);  // the one token
        CHECK(store.acquire("acct", Scope::user, 1).wait_seconds == Approx(1 / 1.7));
        clock.now += std::chrono::seconds(100);  // refills to the burst cap (150)
        store.save();
    }
    LocalBucketStore restored(state, clock.fn());
    // 150 saved; immediately restored (no wall time passed): 150 calls go out at once.
    for (int i = 0; i < 150; ++i)
        REQUIRE(restored.acquire("acct", Scope::user, 1).wait_seconds == 0);
    CHECK(restored.acquire("acct", Scope::user, 1).wait_seconds > 0);
    // The file is consumed: a crash after this must not restore a stale, fuller level.
    CHECK_FALSE(std::filesystem::exists(state));
}

TEST_CASE("a 429 pauses the scope for every client of the store", "[ratelimit]") {
    FakeClock clock;
    LocalBucketStore store({}, clock.fn());
    store.acquire("acct", Scope::jobs_usage, 1);
    store.throttled("acct", Scope::jobs_usage, 5.0);
    CHECK(store.acquire("acct", Scope::jobs_usage, 1).wait_seconds >= 5.0);
    CHECK(store.acquire("other", Scope::jobs_usage, 1).wait_seconds < 1.0);  // other accounts not
    auto status = store.status();
    auto it = std::find_if(status.begin(), status.end(), [](const ScopeStatus& s) {
        return s.account == "acct" && s.scope == Scope::jobs_usage;
    });
    REQUIRE(it != status.end());
    CHECK(it->throttled_total == 1);
    CHECK(it->cool_down_remaining == Approx(5.0));
}

TEST_CASE("the emergency cap is a quarter of the limit, halved, burst 1", "[ratelimit]") {
    auto store = LocalBucketStore::emergency_cap();
    CHECK(store->acquire("a", Scope::user, 1).wait_seconds == 0);
    CHECK(store->acquire("a", Scope::user, 1).wait_seconds == Approx(4.0).epsilon(0.01));  // 0.25/s
    CHECK_FALSE(store->acquire("a", Scope::user, 1).degraded.empty());
}

TEST_CASE("the daemon answers every request line, bad ones with an error", "[ratelimit]") {
    CoordinatorServer server({}, std::make_unique<LocalBucketStore>());
    auto grant = ask(server, R"({"op":"acquire","account":"a","scope":"user","count":1})");
    CHECK(grant["ok"] == true);
    CHECK(grant["wait_ms"] == 0);
    CHECK(ask(server, R"({"op":"acquire","account":"a","scope":"user"})")["wait_ms"] == 589);
    CHECK(ask(server,
              R"({"op":"throttled","account":"a","scope":"user","retry_after_ms":3000})")["ok"] ==
          true);
    CHECK(ask(server, R"({"op":"acquire","account":"a","scope":"user"})")["wait_ms"].get<int>() >=
          3000);
    for (const char* bad :
         {"", "[]", "42", "{}", R"({"op":7})", R"({"op":"acquire"})",
          R"({"op":"acquire","account":"a","scope":"billing"})",
          R"({"op":"acquire","account":"a","scope":"user","count":"x"})",
          R"({"op":"acquire","account":"a","scope":"user","count":1e12})",
          R"({"op":"throttled","account":"a","scope":"user","retry_after_ms":-5})",
          R"({"op":"launch"})", "{\"op\":\"acquire\"", "\xff\xfe"}) {
        INFO(bad);
        auto r = ask(server, bad);
        CHECK(r["ok"] == false);
        CHECK_FALSE(r["error"].get<std::string>().empty());
    }
    bool shutdown = false;
    server.handle(R"({"op":"shutdown"})", shutdown);
    CHECK(shutdown);
}

TEST_CASE("random bytes never crash the daemon's request handling", "[ratelimit]") {
    CoordinatorServer server({}, std::make_unique<LocalBucketStore>());
    std::mt19937 rng(1234);
    const std::string pieces[] = {
        "{",        "}",           "\"op\"", ":",     "\"acquire\"", ",", "\"scope\"",
        "\"user\"", "\"count\"",   "1",      "-1",    "null",        "[", "]",
        "\\",       "\"account\"", "\"a\"",  "1e400", "\"\\u0000\""};
    for (int i = 0; i < 5000; ++i) {
        std::string line;
        int n = static_cast<int>(rng() % 12);
        for (int k = 0; k < n; ++k) {
            if (rng() % 4 == 0)
                line += static_cast<char>(rng() % 256);
            else
                line += pieces[rng() % std::size(pieces)];
        }
        bool shutdown = false;
        std::string reply = server.handle(line, shutdown);
        REQUIRE(json::parse(reply, nullptr, false).is_object());
    }
}

TEST_CASE("redis URLs parse, and bad ones are configuration errors", "[ratelimit]") {
    auto u = parse_redis_url("redis://:s3cret@cache.lab:6380/2");
    CHECK(u.host == "cache.lab");
    CHECK(u.port == 6380);
    CHECK(u.db == 2);
    CHECK(u.password == "s3cret");
    CHECK(u.display() == "redis://cache.lab:6380/2");  // never the password
    CHECK(parse_redis_url("redis://10.0.0.5").port == 6379);
    CHECK_THROWS_AS(parse_redis_url("http://x:1"), ri::Error);
    CHECK_THROWS_AS(parse_redis_url("redis://x:99999"), ri::Error);
    CHECK_THROWS_AS(parse_redis_url("redis://x:1/abc"), ri::Error);
}

TEST_CASE("utilization is over each scope's window, from its rate and burst", "[ratelimit]") {
    CHECK(default_limit(Scope::user).usage_window_seconds() == 88);
    CHECK(default_limit(Scope::job_submission).usage_window_seconds() == 212);
    CHECK(default_limit(Scope::jobs_usage).usage_window_seconds() == 60);
    FakeClock clock;
    LocalBucketStore store({}, clock.fn());
    // A command's first few calls on a daemon that just started are a few calls, not 65%.
    Grant g;
    for (int i = 0; i < 3; ++i)
        g = store.acquire("a", Scope::user, 1);
    CHECK(g.utilization == Approx(3 / (2.0 * 88)));
    CHECK_FALSE(g.notice);
    auto status = store.status();
    REQUIRE(status.size() == 1);
    CHECK(status[0].window_seconds == Approx(88));
    CHECK(status[0].recent_rate == Approx(3 / 88.0));
}

TEST_CASE("the daemon marks one grant per busy episode for the notice", "[ratelimit]") {
    FakeClock clock;
    CoordinatorServer server(
        {}, std::make_unique<LocalBucketStore>(std::filesystem::path{}, clock.fn()));
    auto acquire = [&] {
        return ask(server, R"({"op":"acquire","account":"a","scope":"user","count":1})");
    };
    int notices = 0;
    for (int i = 0; i < 500; ++i)
        notices += acquire().contains("notice");
    CHECK(notices == 1);  // above 60% (106 calls in 88 s) once, however long it stays busy
    // Half the window later the rate is still above 45%: the same episode.
    clock.now += std::chrono::seconds(44);
    for (int i = 0; i < 10; ++i)
        notices += acquire().contains("notice");
    CHECK(notices == 1);
    // Quiet for a window: it re-arms at the first grant below 45%, and a new burst is a new one.
    clock.now += std::chrono::seconds(100);
    CHECK_FALSE(acquire().contains("notice"));
    for (int i = 0; i < 200; ++i)
        notices += acquire().contains("notice");
    CHECK(notices == 2);
    auto status = ask(server, R"({"op":"status"})");
    CHECK(status["scopes"][0]["window_s"] == 88);
}
