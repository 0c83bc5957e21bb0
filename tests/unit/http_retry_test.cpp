#include <catch2/catch.hpp>
#include <cmath>
#include <ctime>
#include <vector>

#include "core/cancel.hpp"
#include "core/error.hpp"
#include "http/http_client.hpp"
#include "http/retry_timing.hpp"
#include "http/url_parts.hpp"

using namespace ri::http;
using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("backoff: full jitter under an exponential ceiling capped by max_delay") {
    RetryPolicy p;
    p.base_delay = milliseconds(500);
    p.max_delay = milliseconds(30000);
    // The ceiling, seen through the extreme draws.
    const std::vector<int64_t> ceilings = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
    for (size_t i = 0; i < ceilings.size(); ++i) {
        int attempt = static_cast<int>(i) + 1;
        CHECK(compute_backoff(p.base_delay, p.max_delay, attempt, std::nullopt, 0.0) ==
              milliseconds(0));
        CHECK(compute_backoff(p.base_delay, p.max_delay, attempt, std::nullopt, 0.5) ==
              milliseconds(ceilings[i] / 2));
        auto top = compute_backoff(p.base_delay, p.max_delay, attempt, std::nullopt, 0.999999);
        CHECK(top <= milliseconds(ceilings[i]));
        CHECK(top >= milliseconds(ceilings[i] - 1));
    }
    // Attempt numbers far past any real policy neither overflow nor exceed the cap.
    CHECK(compute_backoff(p.base_delay, p.max_delay, 1000, std::nullopt, 0.999) <=
          milliseconds(30000));
    // Degenerate policies.
    CHECK(compute_backoff(milliseconds(0), milliseconds(1000), 3, std::nullopt, 0.7) ==
          milliseconds(0));
    CHECK(compute_backoff(milliseconds(100), milliseconds(0), 3, std::nullopt, 0.7) ==
          milliseconds(0));
}

TEST_CASE("backoff: the real draws stay in bounds and spread over the whole range") {
    RetryPolicy p;
    p.base_delay = milliseconds(1000);
    p.max_delay = milliseconds(8000);
    for (int attempt = 1; attempt <= 6; ++attempt) {
        const int64_t ceiling = std::min<int64_t>(1000LL << (attempt - 1), 8000);
        const int n = 4000;
        int buckets[4] = {0, 0, 0, 0};
        double sum = 0;
        for (int i = 0; i < n; ++i) {
            auto d = HttpClient::backoff(p, attempt, std::nullopt).count();
            REQUIRE(d >= 0);
            REQUIRE(d <= ceiling);
            sum += static_cast<double>(d);
            ++buckets[std::min<int64_t>(3, d * 4 / ceiling)];
        }
        // Uniform: the mean is near half the ceiling and every quarter is well populated
        // (each expects n/4 = 1000; 800 is more than six standard deviations below).
        double mean = sum / n;
        CHECK(mean > static_cast<double>(ceiling) * 0.45);
        CHECK(mean < static_cast<double>(ceiling) * 0.55);
        for (int b : buckets)
            CHECK(b > 800);
    }
}

TEST_CASE("backoff: Retry-After is honoured exactly, capped at four times max_delay") {
    RetryPolicy p;
    p.base_delay = milliseconds(500);
    p.max_delay = milliseconds(10000);
    CHECK(HttpClient::backoff(p, 1, milliseconds(2000)) == milliseconds(2000));
    CHECK(HttpClient::backoff(p, 7, milliseconds(0)) == milliseconds(0));
    CHECK(HttpClient::backoff(p, 1, milliseconds(3'600'000)) == milliseconds(40000));
    CHECK(HttpClient::backoff(p, 1, milliseconds(-5)) == milliseconds(0));
}

TEST_CASE("Retry-After: delta seconds, the three HTTP-date forms, and garbage") {
    // Sun, 06 Nov 1994 08:49:37 GMT
    const auto now = std::chrono::system_clock::time_point(seconds(784111777));
    auto at = [&](std::string_view v) { return parse_retry_after_value(v, now); };

    CHECK(at("0") == milliseconds(0));
    CHECK(at("2") == milliseconds(2000));
    CHECK(at(" 120 ") == milliseconds(120000));
    CHECK(at("99999999999999999999") == milliseconds(int64_t{999999999} * 1000));

    CHECK(at("Sun, 06 Nov 1994 08:49:47 GMT") == milliseconds(10000));
    CHECK(at("Sunday, 06-Nov-94 08:50:37 GMT") == milliseconds(60000));
    CHECK(at("Sun Nov  6 08:49:39 1994") == milliseconds(2000));
    CHECK(at("sun, 06 nov 1994 08:49:38 gmt") == milliseconds(1000));
    CHECK(at("Sun, 06 Nov 1994 08:49:00 GMT") == milliseconds(0));  // past: no wait
    CHECK(at("Thu, 01 Jan 1970 00:00:00 GMT") == milliseconds(0));

    for (std::string_view bad :
         {"", " ", "soon", "-1", "1.5", "2s", "0x10", "Sun, 06 Nov 1994 08:49:37",
          "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 32 Nov 1994 08:49:37 GMT",
          "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
          "Funday, 06-Nov-94 08:49:37 GMT", "Sun, 06 Nov 94 08:49:37 GMT"}) {
        INFO("value: '" << bad << "'");
        CHECK_FALSE(at(bad).has_value());
    }

    // Through the public entry point, against the real clock.
    std::time_t later = std::time(nullptr) + 120;
    char text[64];
    std::tm tm{};
    ::gmtime_r(&later, &tm);
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    auto delay = HttpClient::parse_retry_after(text);
    REQUIRE(delay);
    CHECK(*delay > milliseconds(100000));
    CHECK(*delay <= milliseconds(120000));
    CHECK(HttpClient::parse_retry_after("7") == milliseconds(7000));
    CHECK_FALSE(HttpClient::parse_retry_after("later"));
}

TEST_CASE("retryable statuses are 429, 500, 502, 503 and 504") {
    for (long s : {429L, 500L, 502L, 503L, 504L})
        CHECK(HttpClient::retryable_status(s));
    for (long s : {0L, 200L, 204L, 206L, 301L, 304L, 400L, 401L, 403L, 404L, 405L, 408L, 409L, 412L,
                   416L, 501L, 505L})
        CHECK_FALSE(HttpClient::retryable_status(s));
}

TEST_CASE("uri_encode follows SigV4: unreserved kept, the rest %XX upper-case") {
    CHECK(uri_encode("", false) == "");
    CHECK(uri_encode("AZaz09-_.~", false) == "AZaz09-_.~");
    CHECK(uri_encode("a b+c", false) == "a%20b%2Bc");
    CHECK(uri_encode("dir/sub/file.txt", true) == "dir/sub/file.txt");
    CHECK(uri_encode("dir/sub/file.txt", false) == "dir%2Fsub%2Ffile.txt");
    CHECK(uri_encode("!*'();:@&=+$,?#[]%", false) ==
          "%21%2A%27%28%29%3B%3A%40%26%3D%2B%24%2C%3F%23%5B%5D%25");
    CHECK(uri_encode("caf\xc3\xa9 \xe2\x82\xac", true) == "caf%C3%A9%20%E2%82%AC");
    CHECK(uri_encode(std::string("\x00\x7f\xff", 3), false) == "%00%7F%FF");
    CHECK(uri_encode("Run_1/out put.dat", true) == "Run_1/out%20put.dat");
    // The AWS SigV4 test suite's unreserved-characters case.
    CHECK(uri_encode("-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", true) ==
          "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
}

TEST_CASE("Response headers are found case-insensitively") {
    Response r;
    r.status = 206;
    r.headers = {{"etag", "\"abc\""}, {"x-amz-meta-iv", "AAAA"}};
    CHECK(r.ok());
    CHECK(r.header("ETag") == "\"abc\"");
    CHECK(r.header("X-Amz-Meta-IV") == "AAAA");
    CHECK_FALSE(r.header("content-length"));
    r.status = 304;
    CHECK_FALSE(r.ok());
}

TEST_CASE("TransportError classifies curl's codes") {
    TransportError timeout("timed out", 28, false, 10);
    CHECK(timeout.is_timeout());
    CHECK_FALSE(timeout.is_tls());
    CHECK(timeout.sink_bytes() == 10);
    TransportError tls("certificate", 60, false, 0);
    CHECK(tls.is_tls());
    CHECK_FALSE(tls.is_timeout());
    TransportError refused("refused", 7, true, 0);
    CHECK(refused.before_send());
    CHECK_FALSE(refused.is_tls());
}

TEST_CASE("send stops at once when a stop was requested, without sending") {
    HttpClient client;
    Request r;
    r.url = "http://127.0.0.1:1/never";
    int attempts = 0;
    r.before_attempt = [&](Request&) { ++attempts; };
    ri::cancel::request();
    try {
        client.send(r);
        FAIL("send did not stop");
    } catch (const ri::Error& e) {
        CHECK(e.code() == ri::ExitCode::interrupted);
    }
    ri::cancel::reset();
    CHECK(attempts == 0);
}

TEST_CASE("the pool lends clients and takes them back with their connections") {
    HttpClientPool pool;
    HttpClient* first = nullptr;
    {
        auto lease = pool.acquire();
        first = &*lease;
        lease->on_retry([](const RetryEvent&) {});
        auto second = pool.acquire();
        CHECK(&*second != first);
    }
    auto again = pool.acquire();
    auto other = pool.acquire();
    CHECK((&*again == first || &*other == first));
    auto moved = std::move(again);
    CHECK(moved->options().retry.max_attempts == 10);
}
