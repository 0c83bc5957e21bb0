// http_probe: one request through ri::http::HttpClient, described by flags, answered as one JSON
// line on stdout. A test-only driver for tests/integration/http_*.sh and proxy_*.sh until tools
// speak HTTP themselves.
//
//   http_probe [--method M] [--header 'Name: value']... [--body TEXT] [--sink] [--once]
//              [--max-attempts N] [--base-delay-ms N] [--max-delay-ms N] [--non-idempotent]
//              [--proxy-mode none|system|basic|ntlm] [--proxy-url URL] [--proxy-user U]
//              [--proxy-password P] [--no-proxy LIST] [--low-speed-time S]
//              [--connect-timeout S] [--ca-bundle PEM] URL
//
// Exit 0 with {"status":...} when an answer came (whatever its status); 3 with
// {"error":"transport",...} on a TransportError; 130 when interrupted.
#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/cancel.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/redact.hpp"
#include "http/http_client.hpp"
#include "http/proxy.hpp"

using namespace ri::http;
using nlohmann::json;

int main(int argc, char** argv) {
    CLI::App app{"one HTTP request through ri's HttpClient, as JSON"};
    std::string method = "GET", url, body, proxy_mode = "none", proxy_url, proxy_user,
                proxy_password, no_proxy, ca_bundle;
    std::vector<std::string> header_lines;
    bool use_sink = false, once = false, non_idempotent = false;
    int max_attempts = 10;
    long base_delay_ms = 500, max_delay_ms = 30000, low_speed_time = 60, connect_timeout = 15;
    app.add_option("url", url, "absolute URL")->required();
    app.add_option("--method", method);
    app.add_option("--header", header_lines);
    app.add_option("--body", body);
    app.add_flag("--sink", use_sink, "stream a 2xx body to a sink");
    app.add_flag("--once", once, "perform(): a single attempt");
    app.add_flag("--non-idempotent", non_idempotent);
    app.add_option("--max-attempts", max_attempts);
    app.add_option("--base-delay-ms", base_delay_ms);
    app.add_option("--max-delay-ms", max_delay_ms);
    app.add_option("--low-speed-time", low_speed_time);
    app.add_option("--connect-timeout", connect_timeout);
    app.add_option("--proxy-mode", proxy_mode);
    app.add_option("--proxy-url", proxy_url);
    app.add_option("--proxy-user", proxy_user);
    app.add_option("--proxy-password", proxy_password);
    app.add_option("--no-proxy", no_proxy);
    app.add_option("--ca-bundle", ca_bundle, "trust these certificates instead of the system's");
    // The last of a repeated option wins, so a test can override a wrapper's defaults.
    for (auto* opt : app.get_options()) {
        if (opt->get_name() != "--header")
            opt->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    }
    CLI11_PARSE(app, argc, argv);
    ri::cancel::install_signal_handlers();
    ri::log::init("http_probe");  // retries are logged: the tests read the log for redaction
    ri::register_secret(proxy_password);

    ClientOptions options;
    options.retry.max_attempts = max_attempts;
    options.retry.base_delay = std::chrono::milliseconds(base_delay_ms);
    options.retry.max_delay = std::chrono::milliseconds(max_delay_ms);
    options.low_speed_time = std::chrono::seconds(low_speed_time);
    options.connect_timeout = std::chrono::seconds(connect_timeout);
    options.ca_bundle = ca_bundle;
    if (proxy_mode == "system") {
        options.proxy = proxy_settings_from_environment();
        options.proxy.mode = ProxyMode::system;
    } else if (proxy_mode == "basic" || proxy_mode == "ntlm") {
        options.proxy.mode = proxy_mode == "ntlm" ? ProxyMode::ntlm : ProxyMode::basic;
        options.proxy.url = proxy_url;
        options.proxy.user = proxy_user;
        options.proxy.password = proxy_password;
    }
    if (!no_proxy.empty()) {
        size_t i = 0;
        while (i <= no_proxy.size()) {
            size_t j = no_proxy.find(',', i);
            if (j == std::string::npos) j = no_proxy.size();
            if (j > i) options.proxy.no_proxy.push_back(no_proxy.substr(i, j - i));
            i = j + 1;
        }
    }

    HttpClient client(options);
    json retries = json::array();
    client.on_retry([&](const RetryEvent& e) {
        retries.push_back({{"attempt", e.attempt},
                           {"status", e.status},
                           {"delay_ms", e.delay.count()},
                           {"reason", e.reason}});
    });

    Request request;
    request.method = method;
    request.url = url;
    request.idempotent = !non_idempotent;
    for (const auto& line : header_lines) {
        auto colon = line.find(':');
        std::string name = line.substr(0, colon);
        std::string value = colon == std::string::npos ? "" : line.substr(colon + 1);
        while (!value.empty() && value.front() == ' ')
            value.erase(0, 1);
        request.headers.emplace_back(name, value);
    }
    request.body = std::as_bytes(std::span(body.data(), body.size()));
    int attempts = 0;
    request.before_attempt = [&](Request& r) {
        ++attempts;
        r.headers.emplace_back("X-Ri-Attempt", std::to_string(attempts));
    };
    uint64_t sunk = 0;
    if (use_sink) {
        request.sink = [&](std::span<const std::byte> data) { sunk += data.size(); };
    }

    json out;
    int rc = 0;
    try {
        Response response;
        if (once) {
            response = client.perform(request);
        } else {
            response = client.send(request);
        }
        json headers = json::object();
        for (const auto& [k, v] : response.headers)
            headers[k] = v;
        out = {{"status", response.status},
               {"headers", headers},
               {"body", response.body},
               {"sink_bytes", response.sink_bytes},
               {"sunk", sunk}};
    } catch (const TransportError& e) {
        out = {{"error", "transport"},
               {"message", e.what()},
               {"curl_code", e.curl_code()},
               {"before_send", e.before_send()},
               {"sink_bytes", e.sink_bytes()},
               {"timeout", e.is_timeout()},
               {"tls", e.is_tls()},
               {"sunk", sunk}};
        rc = 3;
    } catch (const ri::Error& e) {
        out = {{"error", ri::exit_code_name(e.code())}, {"message", e.message()}};
        rc = ri::to_int(e.code());
    }
    out["attempts"] = attempts;
    out["retries"] = retries;
    std::cout << out.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
    return rc;
}
