// In-memory stand-ins for the platform client's transport and rate limiter: a scripted server
// (routes answered in order, every request recorded) and a limiter that records what it spent.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "platform/platform_client.hpp"

namespace ri::test {

struct FakeReply {
    long status = 200;
    std::string body;
    http::Headers headers;
};

class FakeTransport : public platform::ApiTransport {
  public:
    // Replies for "METHOD /path?query" (the URL with the base stripped), used in order; the last
    // one repeats. A request nobody scripted gets a 404.
    void on(const std::string& method, const std::string& path, FakeReply reply) {
        routes_[method + " " + path].push_back(std::move(reply));
    }
    void fail_connect(const std::string& method, const std::string& path, int times) {
        connect_failures_[method + " " + path] = times;
    }
    std::function<http::Response(const platform::ApiRequest&)> handler;  // overrides routes

    http::Response send(const platform::ApiRequest& r) override {
        requests.push_back(r);
        std::string path = r.url.substr(r.url.find('/', r.url.find("://") + 3));
        std::string key = r.method + " " + path;
        if (auto it = connect_failures_.find(key);
            it != connect_failures_.end() && it->second > 0) {
            --it->second;
            throw http::TransportError("Failed to connect", 7, true, 0);
        }
        if (handler) return handler(r);
        auto it = routes_.find(key);
        if (it == routes_.end()) return make({404, R"({"detail":"Not found."})", {}});
        FakeReply reply = it->second.front();
        if (it->second.size() > 1) it->second.pop_front();
        return make(reply);
    }
    std::vector<std::string> paths() const {
        std::vector<std::string> out;
        for (const auto& r : requests)
            out.push_back(r.method + " " + r.url.substr(r.url.find('/', r.url.find("://") + 3)));
        return out;
    }
    std::vector<platform::ApiRequest> requests;

  private:
    static http::Response make(const FakeReply& f) {
        http::Response resp;
        resp.status = f.status;
        resp.body = f.body;
        resp.headers = f.headers;
        return resp;
    }
    std::map<std::string, std::deque<FakeReply>> routes_;
    std::map<std::string, int> connect_failures_;
};

class RecordingLimiter : public ratelimit::Limiter {
  public:
    void acquire(ratelimit::Scope scope, int count) override {
        for (int i = 0; i < count; ++i)
            acquired.push_back(scope);
    }
    void throttled(ratelimit::Scope scope, std::chrono::milliseconds retry_after) override {
        throttles.emplace_back(scope, retry_after);
    }
    std::vector<ratelimit::Scope> acquired;
    std::vector<std::pair<ratelimit::Scope, std::chrono::milliseconds>> throttles;
};

// A client on http://127.0.0.1:1 with the fakes, a recorded (not real) sleep and a fake clock.
struct FakePlatform {
    std::shared_ptr<FakeTransport> server = std::make_shared<FakeTransport>();
    std::shared_ptr<RecordingLimiter> limiter = std::make_shared<RecordingLimiter>();
    std::vector<std::chrono::milliseconds> sleeps;
    platform::TimePoint now = std::chrono::system_clock::from_time_t(1767225600);  // 2026-01-01
    std::unique_ptr<platform::PlatformClient> client;

    explicit FakePlatform(std::string key = "abcdef0123456789abcdef0123456789abcdef01",
                          std::string url = "http://127.0.0.1:1") {
        platform::PlatformOptions o;
        o.transport = server;
        o.limiter = limiter;
        o.sleep = [this](std::chrono::milliseconds d) { sleeps.push_back(d); };
        o.now = [this] { return now; };
        client = std::make_unique<platform::PlatformClient>(url, std::move(key), std::move(o));
    }
    platform::PlatformClient& operator*() { return *client; }
    platform::PlatformClient* operator->() { return client.get(); }
};

}  // namespace ri::test
