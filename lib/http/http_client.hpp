// HTTP over libcurl for every remote call ri makes (S3, Azure Blob, the Rescale API).
//
// One HttpClient owns one curl easy handle, so connections (and TLS sessions) are reused by
// the worker that holds it; HttpClientPool lends clients to worker threads. TLS is always
// verified. Retries live here, once: exponential backoff with full jitter on connection
// errors, 429, 500, 502, 503 (incl. S3 SlowDown) and 504, honouring Retry-After, bounded by
// RetryPolicy; a request marked non-idempotent is retried only when it provably never reached
// the server (connect failure), never after a 5xx or a timeout.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/proxy.hpp"

namespace ri {
class Config;
}

namespace ri::http {

// Header names are compared case-insensitively; Response stores them lower-cased.
using Headers = std::vector<std::pair<std::string, std::string>>;

struct Response {
    long status = 0;
    Headers headers;   // lower-cased names, in arrival order
    std::string body;  // the body, unless the request had a sink
    // Bytes handed to the request's sink (when it has one).
    uint64_t sink_bytes = 0;

    std::optional<std::string> header(std::string_view name) const;
    bool ok() const { return status >= 200 && status < 300; }
};

struct Request {
    std::string method = "GET";
    std::string url;  // absolute, already percent-encoded
    Headers headers;
    std::span<const std::byte> body;  // not owned; must outlive send()
    // False for calls that must not run twice (POST create/submit): retried only on failures
    // that happened before the request was sent.
    bool idempotent = true;
    // Called before every attempt with the request to send: signers (SigV4, SharedKey) add
    // their headers here so each retry carries a fresh date and signature. Each attempt starts
    // from the headers the caller gave, so adding is enough.
    std::function<void(Request&)> before_attempt;
    // When set, the response body of a 2xx answer streams here instead of into Response::body
    // (error bodies are always collected, for the error message). It may throw to abort.
    std::function<void(std::span<const std::byte>)> sink;
    // Upload progress: bytes of the body sent so far in this attempt.
    std::function<void(uint64_t)> on_upload_progress;
};

struct RetryPolicy {
    int max_attempts = 10;  // including the first
    std::chrono::milliseconds base_delay{500};
    std::chrono::milliseconds max_delay{30000};
};

struct ClientOptions {
    std::chrono::seconds connect_timeout{15};
    // A transfer slower than low_speed_bytes per second for low_speed_time is abandoned
    // (and retried): a stalled connection must not hang a night's batch.
    long low_speed_bytes = 1024;
    std::chrono::seconds low_speed_time{60};
    RetryPolicy retry;
    ProxySettings proxy;
    std::string user_agent = "ri/" RI_VERSION;
    std::string ca_bundle;  // empty: the system's trust store
};

// HTTP client settings from ri's config: retries (max_retries) and proxies.
ClientOptions client_options_from(const Config& config);

// A failure to get any HTTP answer (DNS, connect, TLS, reset, timeout) after the retries.
// Status-code failures are returned as Responses, not thrown: the caller maps them.
class TransportError : public std::runtime_error {
  public:
    TransportError(std::string message, int curl_code, bool before_send, uint64_t sink_bytes)
        : std::runtime_error(std::move(message)),
          curl_code_(curl_code),
          before_send_(before_send),
          sink_bytes_(sink_bytes) {}
    int curl_code() const { return curl_code_; }
    // True when nothing was sent (connect failed): safe to retry any request.
    bool before_send() const { return before_send_; }
    // Body bytes already given to the sink before the failure (a download can resume there).
    uint64_t sink_bytes() const { return sink_bytes_; }
    bool is_timeout() const;
    bool is_tls() const;

  private:
    int curl_code_;
    bool before_send_;
    uint64_t sink_bytes_;
};

// Why a retry is happening, for logs and the rate-limit notice.
struct RetryEvent {
    int attempt;  // 1-based attempt that failed
    long status;  // 0 for a transport error
    std::chrono::milliseconds delay;
    std::string reason;
};

class HttpClient {
  public:
    explicit HttpClient(ClientOptions options = {});
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // One attempt (before_attempt included), no retry. Throws TransportError when no answer
    // came. The request's headers are as the caller gave them again on return.
    Response perform(Request& request);
    // With the retry policy. A retryable status that is still failing after the last attempt is
    // returned (the caller maps it to "throttled" / "server error"); a transport failure after
    // the last attempt is thrown. A sink that already received bytes is never retried here:
    // the TransportError tells the caller how far it got, so it can ask for the rest.
    Response send(Request request);

    void on_retry(std::function<void(const RetryEvent&)> callback) {
        on_retry_ = std::move(callback);
    }
    const ClientOptions& options() const { return options_; }

    // Delay before retry `attempt` (1-based): full jitter over min(max, base * 2^(attempt-1)),
    // or Retry-After when the server gave one (capped by max_delay x 4).
    static std::chrono::milliseconds backoff(const RetryPolicy& policy, int attempt,
                                             std::optional<std::chrono::milliseconds> retry_after);
    // Retry-After as delta-seconds or an HTTP-date.
    static std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value);
    static bool retryable_status(long status);

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
    ClientOptions options_;
    std::function<void(const RetryEvent&)> on_retry_;
};

// Lends HttpClients to threads; a client returns to the pool with its open connections.
class HttpClientPool {
  public:
    explicit HttpClientPool(ClientOptions options = {}) : options_(std::move(options)) {}

    class Lease {
      public:
        Lease(HttpClientPool& pool, std::unique_ptr<HttpClient> client)
            : pool_(&pool), client_(std::move(client)) {}
        Lease(Lease&&) noexcept = default;
        ~Lease();
        HttpClient& operator*() { return *client_; }
        HttpClient* operator->() { return client_.get(); }

      private:
        HttpClientPool* pool_;
        std::unique_ptr<HttpClient> client_;
    };

    Lease acquire();
    const ClientOptions& options() const { return options_; }

  private:
    friend class Lease;
    ClientOptions options_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<HttpClient>> idle_;
};

}  // namespace ri::http
