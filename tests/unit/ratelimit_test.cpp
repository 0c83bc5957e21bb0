#include <catch2/catch.hpp>

#include "ratelimit/limiter.hpp"
#include "ratelimit/scope.hpp"
#include "ratelimit/token_bucket.hpp"

using namespace ri::ratelimit;
using namespace std::chrono_literals;

namespace {

struct FakeClock {
    Clock::time_point now = Clock::time_point{} + 1000h;
    std::function<Clock::time_point()> fn() {
        return [this] { return now; };
    }
    void advance(Duration d) { now += std::chrono::duration_cast<Clock::duration>(d); }
};

}  // namespace

TEST_CASE("scopes follow the platform reference's path rules", "[ratelimit]") {
    CHECK(classify("POST", "/api/v2/jobs/abc/submit/") == Scope::job_submission);
    CHECK(classify("GET", "/api/v2/jobs/abc/submit/") == Scope::jobs_usage);
    CHECK(classify("GET", "/api/v2/jobs/abc/files/?page=2&page_size=1000") == Scope::jobs_usage);
    CHECK(classify("GET", "/api/v2/jobs/") == Scope::jobs_usage);
    CHECK(classify("POST", "/api/v3/jobs/") == Scope::user);
    CHECK(classify("GET", "/api/v3/jobs/abc/statuses/") == Scope::user);
    CHECK(classify("POST", "/api/v3/credentials/") == Scope::user);
    CHECK(classify("GET", "/api/v2/files/x/contents/") == Scope::user);
    CHECK(classify("GET", "/api/v3/files/?q=/api/v2/jobs/") == Scope::user);
    CHECK(scope_name(Scope::jobs_usage) == "jobs-usage");
    CHECK(parse_scope("job-submission") == Scope::job_submission);
    CHECK_FALSE(parse_scope("billing").has_value());
}

TEST_CASE("limits are the reference's, the target 85% of them", "[ratelimit]") {
    CHECK(default_limit(Scope::user).target_per_second() == Approx(1.7));
    CHECK(default_limit(Scope::job_submission).target_per_second() == Approx(0.236).epsilon(0.01));
    CHECK(default_limit(Scope::jobs_usage).target_per_second() == Approx(21.25));
    CHECK(default_limit(Scope::user).burst == 150);
    CHECK(default_limit(Scope::job_submission).burst == 50);
    CHECK(default_limit(Scope::jobs_usage).burst == 300);
}

TEST_CASE("a bucket spends its burst, then spaces callers at its rate", "[ratelimit]") {
    FakeClock clock;
    TokenBucket bucket(2.0, 3, clock.fn());
    for (int i = 0; i < 3; ++i)
        CHECK(bucket.reserve().count() == 0);
    CHECK(bucket.reserve().count() == Approx(0.5));
    CHECK(bucket.reserve().count() == Approx(1.0));
    clock.advance(1s);
    CHECK(bucket.tokens() == Approx(0.0));
    clock.advance(100s);
    CHECK(bucket.tokens() == Approx(3.0));  // capped at the burst
}

TEST_CASE("try_take takes nothing when empty and says how long to wait", "[ratelimit]") {
    FakeClock clock;
    TokenBucket bucket(4.0, 1, clock.fn());
    CHECK(bucket.try_take().count() == 0);
    CHECK(bucket.try_take().count() == Approx(0.25));
    CHECK(bucket.try_take().count() == Approx(0.25));  // still nothing taken
    clock.advance(0.25s);
    CHECK(bucket.try_take().count() == 0);
}

TEST_CASE("a cool-down empties the bucket and accrues nothing until it ends", "[ratelimit]") {
    FakeClock clock;
    TokenBucket bucket(1.0, 10, clock.fn());
    bucket.cool_down(5s);
    CHECK(bucket.reserve().count() == Approx(6.0));  // 5 s silence + 1 s for the token
    clock.advance(5s);
    CHECK(bucket.tokens() == Approx(-1.0));
    clock.advance(1s);
    CHECK(bucket.try_take().count() == Approx(1.0));
    clock.advance(1s);
    CHECK(bucket.try_take().count() == 0);
}

TEST_CASE("the local limiter sleeps for what the bucket says", "[ratelimit]") {
    FakeClock clock;
    std::vector<double> sleeps;
    LocalLimiter limiter(
        [&](Duration d) {
            sleeps.push_back(d.count());
            clock.advance(d);
        },
        clock.fn());
    for (int i = 0; i < 50; ++i)
        limiter.acquire(Scope::job_submission);
    CHECK(sleeps.empty());
    limiter.acquire(Scope::job_submission);
    REQUIRE(sleeps.size() == 1);
    CHECK(sleeps[0] == Approx(1 / (1000.0 / 3600 * 0.85)));
    limiter.throttled(Scope::user, 3000ms);
    limiter.acquire(Scope::user);
    REQUIRE(sleeps.size() == 2);
    CHECK(sleeps[1] >= 3.0);
    limiter.acquire(Scope::jobs_usage);  // other scopes are not paused
    CHECK(sleeps.size() == 2);
}
