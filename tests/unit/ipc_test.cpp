#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstring>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "core/cancel.hpp"
#include "ipc/client.hpp"
#include "ipc/line_reader.hpp"
#include "ipc/server.hpp"
#include "test_support.hpp"

namespace ipc = ri::ipc;
using json = nlohmann::json;
using namespace std::chrono_literals;

namespace {

// A server on a private socket, run on its own thread and stopped at the end of the test.
class RunningServer {
  public:
    RunningServer(ipc::ServerOptions options, ipc::Server::Handler handler)
        : server_(
              std::make_unique<ipc::Server>(with_ready(std::move(options)), std::move(handler))) {
        thread_ = std::thread([this] {
            try {
                served_ = server_->run();
            } catch (...) {
                failed_ = true;
            }
            finished_ = true;
        });
        for (int i = 0; i < 500 && !ready_ && !finished_; ++i)
            std::this_thread::sleep_for(10ms);
    }
    ~RunningServer() {
        server_->stop();
        thread_.join();
    }
    ipc::Server& server() { return *server_; }
    bool ready() const { return ready_; }
    bool finished() const { return finished_; }
    bool served() const { return served_; }
    bool failed() const { return failed_; }

  private:
    ipc::ServerOptions with_ready(ipc::ServerOptions o) {
        o.on_ready = [this] { ready_ = true; };
        return o;
    }
    std::unique_ptr<ipc::Server> server_;
    std::thread thread_;
    std::atomic<bool> ready_{false}, finished_{false}, served_{false}, failed_{false};
};

ipc::ServerOptions options_in(const ri::test::TempDir& dir) {
    ipc::ServerOptions o;
    o.endpoint = dir.path() / "run" / "test.sock";
    o.what = "test socket";
    return o;
}

std::string echo(std::string_view line, ipc::Session&) {
    auto req = json::parse(line, nullptr, false);
    if (req.is_discarded()) return ipc::error_reply("not JSON");
    return json{{"ok", true}, {"echo", req}}.dump();
}

}  // namespace

TEST_CASE("ipc::LineReader frames lines and refuses over-long ones", "[ipc]") {
    ipc::LineReader r(8);
    r.feed("ab\r\ncd\n\nef");
    CHECK(r.next() == "ab");
    CHECK(r.next() == "cd");
    CHECK(r.next() == "");
    CHECK_FALSE(r.next().has_value());
    r.feed("gh\n");
    CHECK(r.next() == "efgh");
    r.feed("123456789");  // nine bytes and no end: over the limit
    CHECK_FALSE(r.next().has_value());
    CHECK(r.overflowed());
    CHECK(r.buffered() == 0);
    r.feed("\n");
    CHECK_FALSE(r.next().has_value());  // it stays refused

    ipc::LineReader whole(4);
    whole.feed("12345\n");  // a finished line over the limit is refused too
    CHECK_FALSE(whole.next().has_value());
    CHECK(whole.overflowed());
}

TEST_CASE("ipc: a request gets its reply, in order, over one connection", "[ipc]") {
    ri::test::TempDir dir;
    RunningServer running(options_in(dir), echo);
    REQUIRE(running.ready());
    auto client = ipc::Client::connect(dir.path() / "run" / "test.sock", 1s);
    REQUIRE(client);
    for (int i = 0; i < 20; ++i) {
        auto reply = client->request({{"n", i}});
        REQUIRE(reply);
        CHECK((*reply)["echo"]["n"] == i);
    }
    // A bad line is answered with an error and the connection stays usable.
    REQUIRE(client->send_raw("not json\n", 1s));
    auto bad = json::parse(client->read_line(1s).value_or("{}"));
    CHECK(bad["ok"] == false);
    CHECK(client->request({{"n", 99}}).has_value());
    CHECK(running.server().session_count() == 1);
}

TEST_CASE("ipc: many concurrent clients are all served", "[ipc]") {
    ri::test::TempDir dir;
    RunningServer running(options_in(dir), echo);
    REQUIRE(running.ready());
    std::atomic<int> ok{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 16; ++t) {
        threads.emplace_back([&, t] {
            auto client = ipc::Client::connect(dir.path() / "run" / "test.sock", 1s);
            if (!client) return;
            for (int i = 0; i < 50; ++i) {
                auto reply = client->request({{"t", t}, {"i", i}});
                if (reply && (*reply)["echo"]["t"] == t && (*reply)["echo"]["i"] == i) ++ok;
            }
        });
    }
    for (auto& t : threads)
        t.join();
    CHECK(ok == 16 * 50);
}

TEST_CASE("ipc: events go to subscribed sessions only, after the reply", "[ipc]") {
    ri::test::TempDir dir;
    RunningServer running(options_in(dir), [](std::string_view line, ipc::Session& s) {
        auto req = json::parse(line);
        if (req["op"] == "subscribe") s.subscribe(req["topic"]);
        return json{{"ok", true}}.dump();
    });
    REQUIRE(running.ready());
    auto path = dir.path() / "run" / "test.sock";
    auto a = ipc::Client::connect(path, 1s), b = ipc::Client::connect(path, 1s),
         other = ipc::Client::connect(path, 1s);
    REQUIRE((a && b && other));
    CHECK(a->subscribe({{"op", "subscribe"}, {"topic", "jobs"}}).value_or(json{})["ok"] == true);
    CHECK(b->subscribe({{"op", "subscribe"}, {"topic", "jobs"}}).value_or(json{})["ok"] == true);
    CHECK(other->subscribe({{"op", "subscribe"}, {"topic", "cost"}}).value_or(json{})["ok"] ==
          true);
    std::thread publisher([&] {
        for (int i = 0; i < 3; ++i)
            running.server().publish("jobs", json{{"event", "jobs"}, {"n", i}}.dump());
    });
    publisher.join();
    for (auto* c : {&a, &b}) {
        for (int i = 0; i < 3; ++i) {
            auto event = (*c)->next_event(2s);
            REQUIRE(event);
            CHECK((*event)["n"] == i);
        }
    }
    CHECK_FALSE(other->next_event(200ms).has_value());
    CHECK(other->connected());  // a timeout, not a closed connection
}

TEST_CASE("ipc: an over-long line is refused with an error and the session closed", "[ipc]") {
    ri::test::TempDir dir;
    auto options = options_in(dir);
    options.max_line_bytes = 1024;
    RunningServer running(options, echo);
    REQUIRE(running.ready());
    auto client = ipc::Client::connect(dir.path() / "run" / "test.sock", 1s);
    REQUIRE(client);
    client->send_raw(std::string(4096, 'x'), 1s);  // no end of line
    auto reply = client->read_line(2s);
    REQUIRE(reply);
    auto parsed = json::parse(*reply);
    CHECK(parsed["ok"] == false);
    CHECK(parsed["error"] == "line longer than 1 KiB");
    CHECK_FALSE(client->read_line(2s).has_value());
    CHECK_FALSE(client->connected());
    // The server goes on serving others.
    auto again = ipc::Client::connect(dir.path() / "run" / "test.sock", 1s);
    REQUIRE(again);
    CHECK(again->request({{"x", 1}}).has_value());
}

TEST_CASE("ipc: the peer's credentials are checked on accept", "[ipc]") {
    ri::test::TempDir dir;
    std::atomic<bool> seen_ours{false};
    SECTION("the same user is served, and the handler sees who it is") {
        RunningServer running(options_in(dir), [&](std::string_view, ipc::Session& s) {
            seen_ours = s.peer().same_user && s.peer().user == std::to_string(::getuid()) &&
                        s.peer().pid == ::getpid();
            return json{{"ok", true}}.dump();
        });
        REQUIRE(running.ready());
        auto client = ipc::Client::connect(dir.path() / "run" / "test.sock", 1s);
        REQUIRE(client);
        CHECK(client->request({{"op", "ping"}}).has_value());
        CHECK(seen_ours);
    }
    SECTION("a peer the policy refuses is disconnected before any request is read") {
        auto options = options_in(dir);
        std::atomic<int> asked{0};
        options.allow_peer = [&](const ipc::PeerCredentials& p) {
            ++asked;
            return !p.same_user;  // as if we were someone else
        };
        std::atomic<int> handled{0};
        RunningServer running(options, [&](std::string_view, ipc::Session&) {
            ++handled;
            return json{{"ok", true}}.dump();
        });
        REQUIRE(running.ready());
        auto client = ipc::Client::connect(dir.path() / "run" / "test.sock", 1s);
        REQUIRE(client);  // the OS completes the connect; the server then drops it
        CHECK_FALSE(client->request({{"op", "ping"}}, 2s).has_value());
        CHECK(asked == 1);
        CHECK(handled == 0);
    }
}

TEST_CASE("ipc: a second server on the same endpoint leaves quietly", "[ipc]") {
    ri::test::TempDir dir;
    RunningServer first(options_in(dir), echo);
    REQUIRE(first.ready());
    ipc::Server second(options_in(dir), echo);
    CHECK_FALSE(second.run());
    // The first one is untouched: its socket is still there and answering.
    auto client = ipc::Client::connect(dir.path() / "run" / "test.sock", 1s);
    REQUIRE(client);
    CHECK(client->request({{"x", 1}}).has_value());
}

TEST_CASE("ipc: a stale socket of a dead server is replaced", "[ipc]") {
    ri::test::TempDir dir;
    auto path = dir.path() / "run" / "test.sock";
    std::filesystem::create_directories(path.parent_path());
    std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all);
    {
        // Bound and closed without unlinking: what a kill -9 leaves behind.
        int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
        REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
        ::close(fd);
    }
    REQUIRE(std::filesystem::exists(path));
    CHECK_FALSE(ipc::Client::connect(path).has_value());  // nobody listens on it
    RunningServer running(options_in(dir), echo);
    REQUIRE(running.ready());
    auto client = ipc::Client::connect(path, 1s);
    REQUIRE(client);
    CHECK(client->request({{"x", 1}}).has_value());
}

TEST_CASE("ipc: the server exits when idle, and removes its socket", "[ipc]") {
    ri::test::TempDir dir;
    auto options = options_in(dir);
    options.idle_exit = 300ms;
    RunningServer running(options, echo);
    REQUIRE(running.ready());
    {
        // A connected session keeps it alive past the idle time.
        auto client = ipc::Client::connect(options.endpoint, 1s);
        REQUIRE(client);
        std::this_thread::sleep_for(600ms);
        CHECK_FALSE(running.finished());
        CHECK(client->request({{"x", 1}}).has_value());
    }
    for (int i = 0; i < 300 && !running.finished(); ++i)
        std::this_thread::sleep_for(10ms);
    CHECK(running.finished());
    CHECK(running.served());
    CHECK_FALSE(std::filesystem::exists(options.endpoint));
}

TEST_CASE("ipc: the socket is 0600 in a 0700 directory, and an unsafe directory is refused",
          "[ipc]") {
    ri::test::TempDir dir;
    {
        RunningServer running(options_in(dir), echo);
        REQUIRE(running.ready());
        struct stat st {};
        REQUIRE(::stat((dir.path() / "run" / "test.sock").c_str(), &st) == 0);
        CHECK(S_ISSOCK(st.st_mode));
        CHECK((st.st_mode & 0777) == 0600);
        REQUIRE(::stat((dir.path() / "run").c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0700);
    }
    std::filesystem::permissions(dir.path() / "run", std::filesystem::perms::all);  // 0777
    ipc::Server unsafe(options_in(dir), echo);
    CHECK_THROWS_WITH(unsafe.run(), Catch::Contains("writable by others"));
}

TEST_CASE("ipc: a stop request (SIGINT/SIGTERM) ends run()", "[ipc]") {
    ri::test::TempDir dir;
    RunningServer running(options_in(dir), echo);
    REQUIRE(running.ready());
    ri::cancel::request();
    for (int i = 0; i < 300 && !running.finished(); ++i)
        std::this_thread::sleep_for(10ms);
    ri::cancel::reset();
    CHECK(running.finished());
    CHECK(running.served());
}
