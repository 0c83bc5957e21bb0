#include "ratelimit/coordinator_server.hpp"

#include <nlohmann/json.hpp>

#include "core/log.hpp"
#include "core/process.hpp"
#include "ipc/server.hpp"
#include "ratelimit/coordinator_protocol.hpp"
#include "ratelimit/local_bucket_store.hpp"

namespace ri::ratelimit {

namespace {

using json = nlohmann::json;

std::string error_reply(std::string_view what) {
    return ipc::error_reply(what);
}

double number_field(const json& req, const char* name, double fallback) {
    auto it = req.find(name);
    if (it == req.end()) return fallback;
    if (!it->is_number()) throw std::invalid_argument(std::string(name) + " must be a number");
    return it->get<double>();
}

}  // namespace

CoordinatorServer::CoordinatorServer(ServerOptions options, std::unique_ptr<BucketStore> store)
    : options_(std::move(options)),
      store_(std::move(store)),
      started_(std::chrono::steady_clock::now()) {}

CoordinatorServer::~CoordinatorServer() = default;

std::string CoordinatorServer::handle(std::string_view line, bool& shutdown) {
    json req = json::parse(line, nullptr, false);
    if (req.is_discarded() || !req.is_object()) return error_reply("not a JSON object");
    auto op_it = req.find("op");
    if (op_it == req.end() || !op_it->is_string()) return error_reply("missing \"op\"");
    std::string op = *op_it;
    try {
        if (op == "ping") return json{{"ok", true}, {"pid", process::current_pid()}}.dump();
        if (op == "shutdown") {
            shutdown = true;
            return json{{"ok", true}}.dump();
        }
        if (op == "status") {
            json scopes = json::array();
            for (const auto& s : store_->status()) {
                json item = {{"account", s.account},
                             {"scope", scope_name(s.scope)},
                             {"tokens", s.tokens},
                             {"burst", s.burst},
                             {"target_rate", s.target_rate},
                             {"hard_limit", s.hard_limit},
                             {"recent_rate", s.recent_rate},
                             {"window_s", s.window_seconds},
                             {"utilization", s.hard_limit > 0 ? s.recent_rate / s.hard_limit : 0},
                             {"throttled_total", s.throttled_total},
                             {"cool_down_remaining_s", s.cool_down_remaining}};
                item["last_throttled_s_ago"] = s.last_throttled_seconds_ago
                                                   ? json(*s.last_throttled_seconds_ago)
                                                   : json(nullptr);
                scopes.push_back(std::move(item));
            }
            double uptime =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
            return json{{"ok", true},
                        {"pid", process::current_pid()},
                        {"backend", store_->describe()},
                        {"clients", server_ ? server_->session_count() : 0},
                        {"uptime_s", uptime},
                        {"scopes", scopes}}
                .dump();
        }
        if (op != "acquire" && op != "throttled" && op != "ready")
            return error_reply("unknown op \"" + op + "\"");
        auto account = req.find("account");
        if (account == req.end() || !account->is_string() || account->get<std::string>().empty() ||
            account->get<std::string>().size() > 128)
            return error_reply("missing or bad \"account\"");
        auto scope_it = req.find("scope");
        auto scope = scope_it != req.end() && scope_it->is_string()
                         ? parse_scope(scope_it->get<std::string>())
                         : std::nullopt;
        if (!scope) return error_reply("missing or unknown \"scope\"");
        if (op == "ready") {
            double left = store_->cool_down_remaining(*account, *scope);
            return json{{"ok", true}, {"wait_ms", static_cast<int64_t>(left * 1000 + 0.999)}}
                .dump();
        }
        if (op == "acquire") {
            double count = number_field(req, "count", 1);
            if (!(count >= 1 && count <= 1000)) return error_reply("\"count\" must be 1..1000");
            Grant g = store_->acquire(*account, *scope, count);
            json reply = {{"ok", true},
                          {"wait_ms", static_cast<int64_t>(g.wait_seconds * 1000 + 0.999)},
                          {"utilization", g.utilization}};
            if (!g.degraded.empty()) reply["degraded"] = g.degraded;
            if (g.notice) reply["notice"] = true;
            return reply.dump();
        }
        double ms = number_field(req, "retry_after_ms", 1000);
        if (!(ms >= 0 && ms <= 3600 * 1000.0))
            return error_reply("\"retry_after_ms\" must be 0..3600000");
        store_->throttled(*account, *scope, ms / 1000);
        log::info("429 reported for scope {}: pausing it {} ms for every client",
                  scope_name(*scope), static_cast<int64_t>(ms));
        return json{{"ok", true}}.dump();
    } catch (const std::exception& e) {
        return error_reply(e.what());
    }
}

bool CoordinatorServer::run() {
    ipc::ServerOptions options;
    options.endpoint = options_.socket;
    options.what = "rate-limit socket";
    options.idle_exit = options_.idle_exit;
    options.max_line_bytes = max_line_bytes;
    options.on_ready = [this] {
        log::info("rate-limit coordinator serving on {} (backend {})", options_.socket.string(),
                  store_->describe());
        if (options_.on_ready) options_.on_ready();
    };
    ipc::Server server(std::move(options), [&](std::string_view line, ipc::Session&) {
        bool shutdown = false;
        std::string reply = handle(line, shutdown);
        if (shutdown) server.stop();
        return reply;
    });
    server_ = &server;
    bool served = server.run();
    server_ = nullptr;
    if (!served) return false;
    if (auto* local = dynamic_cast<LocalBucketStore*>(store_.get())) local->save();
    return true;
}

}  // namespace ri::ratelimit
