// Waiting for jobs with a fake status source, a recorded sleep and a fake clock: the backoff
// while nothing changes, the reset on a change, the timeout; tail windows; durations.
#include "platform/job_watch.hpp"

#include <catch2/catch.hpp>
#include <numeric>

#include "core/error.hpp"

using namespace ri;
using namespace ri::platform;
using std::chrono::milliseconds;

TEST_CASE("job watch: terminal statuses in either form") {
    for (const char* s : {"Completed", "Failed", "Stopped", "Force Stopped", "Terminated",
                          "FORCE_STOP", "completed"})
        CHECK(is_terminal_status(s));
    for (const char* s :
         {"Pending", "Queued", "Executing", "Waiting for Queue", "Not Submitted", ""})
        CHECK(!is_terminal_status(s));
    CHECK(status_enum_form("Waiting for Queue") == "WAITING_FOR_QUEUE");
    CHECK(is_completed_status("COMPLETED"));
    CHECK(!is_completed_status("Failed"));
}

TEST_CASE("job watch: waits, backs off while nothing changes, resets on a change") {
    // Job a: Pending x4, Executing x2, Completed. Job b: Executing, then Failed at poll 3.
    std::map<std::string, std::vector<std::string>> script{
        {"a", {"Pending", "Pending", "Pending", "Pending", "Executing", "Executing", "Completed"}},
        {"b", {"Executing", "Executing", "Failed"}}};
    std::map<std::string, size_t> polls;
    auto clock = std::chrono::steady_clock::time_point{};
    std::vector<milliseconds> sleeps;
    WaitOptions w;
    w.interval = milliseconds(1000);
    w.max_interval = milliseconds(3000);
    w.sleep = [&](milliseconds d) {
        sleeps.push_back(d);
        clock += d;
    };
    w.now = [&] { return clock; };
    JobWatcher watcher(
        [&](const std::string& id) {
            auto& list = script.at(id);
            size_t i = std::min(polls[id]++, list.size() - 1);
            return JobStatus{list[i], "", "", Json()};
        },
        w);
    std::vector<std::string> changes, done;
    auto result = watcher.wait(
        {"a", "b", "a"},
        [&](const std::string& id, const JobStatus& s) { changes.push_back(id + ":" + s.status); },
        [&](const std::string& id, const JobStatus&) { done.push_back(id); });
    CHECK(result.at("a").status == "Completed");
    CHECK(result.at("b").status == "Failed");
    CHECK(done == std::vector<std::string>{"b", "a"});
    CHECK(changes == std::vector<std::string>{"a:Pending", "b:Executing", "b:Failed", "a:Executing",
                                              "a:Completed"});
    // Rounds: 1 change (first), 2 none -> 1.5 s, 3 b failed -> 1 s, 4 none -> 1.5 s,
    // 5 a executing -> 1 s, 6 none -> 1.5 s, 7 done.
    CHECK(sleeps == std::vector<milliseconds>{milliseconds(1000), milliseconds(1500),
                                              milliseconds(1000), milliseconds(1500),
                                              milliseconds(1000), milliseconds(1500)});
    CHECK(polls["a"] == 7);
    CHECK(polls["b"] == 3);
}

TEST_CASE("job watch: the backoff stops at its ceiling; a timeout is 75 naming the jobs") {
    auto clock = std::chrono::steady_clock::time_point{};
    std::vector<milliseconds> sleeps;
    WaitOptions w;
    w.interval = milliseconds(1000);
    w.max_interval = milliseconds(2000);
    w.timeout = milliseconds(10000);
    w.sleep = [&](milliseconds d) {
        sleeps.push_back(d);
        clock += d;
    };
    w.now = [&] { return clock; };
    JobWatcher watcher(
        [](const std::string&) {
            return JobStatus{"Executing", "", "", Json()};
        },
        w);
    try {
        watcher.wait({"j1"});
        FAIL("no timeout");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::temporary);
        CHECK_THAT(e.message(),
                   Catch::Contains("Timed out after 10 s") && Catch::Contains("j1 (Executing)"));
    }
    CHECK(sleeps.front() == milliseconds(1000));  // the first round is a change
    CHECK(*std::max_element(sleeps.begin(), sleeps.end()) == milliseconds(2000));
    auto total = std::accumulate(sleeps.begin(), sleeps.end(), milliseconds(0));
    CHECK(total == milliseconds(10000));  // the last sleep is cut to the deadline
}

TEST_CASE("job watch: new lines of a re-read log end") {
    using V = std::vector<std::string>;
    CHECK(new_tail_lines({}, V{"a", "b"}) == V{"a", "b"});
    CHECK(new_tail_lines(V{"a", "b"}, V{"a", "b", "c"}) == V{"c"});
    CHECK(new_tail_lines(V{"a", "b", "c"}, V{"b", "c", "d"}) == V{"d"});  // window moved
    CHECK(new_tail_lines(V{"a", "b", "c"}, V{"a", "b", "c"}).empty());
    CHECK(new_tail_lines(V{"a", "b"}, V{"x", "y"}) == V{"x", "y"});  // no overlap: all new
}

TEST_CASE("job watch: durations") {
    CHECK(parse_duration("90", "t") == milliseconds(90000));
    CHECK(parse_duration("0.5", "t") == milliseconds(500));
    CHECK(parse_duration("15m", "t") == milliseconds(900000));
    CHECK(parse_duration("1h30m", "t") == milliseconds(5400000));
    CHECK(parse_duration("2d", "t") == milliseconds(172800000));
    CHECK_THROWS_AS(parse_duration("soon", "t"), Error);
    CHECK_THROWS_AS(parse_duration("1h30", "t"), Error);
    CHECK_THROWS_AS(parse_duration("", "t"), Error);
}
