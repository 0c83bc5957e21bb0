#include "http/http_client.hpp"

#include <curl/curl.h>
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <exception>
#include <thread>

#include "core/cancel.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/redact.hpp"
#include "core/strings.hpp"
#include "http/retry_timing.hpp"

namespace ri::http {
using strings::iequals;
using strings::lower;
using strings::trim;
namespace {

// curl_global_init is not thread-safe before 7.84; run it once before the first handle.
void global_init() {
    static const bool done = [] {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        return true;
    }();
    (void)done;
}

// The part of an error body kept when the 2xx body would have gone to a sink.
constexpr size_t kMaxErrorBody = 1 << 20;

// Failures after which nothing reached the server: any request may be sent again. A connect
// timeout is one too (no connection was ever made).
bool failed_before_send(CURL* curl, CURLcode code) {
    if (code == CURLE_COULDNT_CONNECT || code == CURLE_COULDNT_RESOLVE_HOST ||
        code == CURLE_COULDNT_RESOLVE_PROXY)
        return true;
    if (code == CURLE_OPERATION_TIMEDOUT) {
        curl_off_t connected_us = 0;
        curl_easy_getinfo(curl, CURLINFO_CONNECT_TIME_T, &connected_us);
        return connected_us == 0;
    }
    return false;
}

// Transport failures worth another attempt: the network, not the request, was at fault.
bool retryable_transport(const TransportError& e) {
    switch (static_cast<CURLcode>(e.curl_code())) {
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_PARTIAL_FILE:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_AGAIN:
            return true;
        case CURLE_SSL_CONNECT_ERROR: {
            // A handshake cut by the network is transient; a protocol or certificate mismatch
            // ("wrong version number", "unsupported protocol") fails the same way every time.
            std::string_view m = e.what();
            return m.find("SSL_ERROR_SYSCALL") != std::string_view::npos ||
                   m.find("reset by peer") != std::string_view::npos ||
                   m.find("unexpected eof") != std::string_view::npos;
        }
        default:
            return false;
    }
}

// A 401 to a request forwarded by a proxy we sent credentials to, challenging for Basic or
// NTLM: the proxy refusing them (tinyproxy answers 401 instead of 407). Object stores and the
// Rescale API never challenge for Basic or NTLM, so an origin's 401 is not mistaken for it.
bool is_proxy_challenge(const Response& response) {
    auto challenge = response.header("www-authenticate");
    if (!challenge) return false;
    std::string_view c = *challenge;
    auto scheme = c.substr(0, c.find(' '));
    return iequals(scheme, "Basic") || iequals(scheme, "NTLM");
}

// The URL for logs: signatures in the query are redacted by ri::redact.
std::string loggable(std::string_view url) {
    return redact(url);
}

}  // namespace

std::optional<std::string> Response::header(std::string_view name) const {
    for (const auto& [k, v] : headers) {
        if (iequals(k, name)) return v;
    }
    return std::nullopt;
}

bool TransportError::is_timeout() const {
    return curl_code_ == CURLE_OPERATION_TIMEDOUT;
}

bool TransportError::is_tls() const {
    switch (static_cast<CURLcode>(curl_code_)) {
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_PEER_FAILED_VERIFICATION:
        case CURLE_SSL_CERTPROBLEM:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_CACERT_BADFILE:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_ENGINE_SETFAILED:
        case CURLE_SSL_ENGINE_INITFAILED:
        case CURLE_SSL_SHUTDOWN_FAILED:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
        case CURLE_SSL_CLIENTCERT:
            return true;
        default:
            return false;
    }
}

// State of one attempt, reached from libcurl's C callbacks through a pointer.
struct Transfer {
    Request* request = nullptr;
    Response response;
    size_t upload_offset = 0;
    uint64_t last_upload_progress = 0;
    bool cancelled = false;
    std::exception_ptr callback_error;  // thrown by the sink or a progress callback
};

struct HttpClient::Impl {
    CURL* curl = nullptr;
    char error_buffer[CURL_ERROR_SIZE] = {};

    Impl() {
        global_init();
        curl = curl_easy_init();
        if (!curl) throw Error::internal("libcurl could not create a handle.");
    }
    ~Impl() { curl_easy_cleanup(curl); }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;

    // One exchange on this handle, exactly as the request stands.
    Response attempt(const ClientOptions& options, Request& request);

    static size_t on_header(char* data, size_t size, size_t count, void* user) {
        auto* t = static_cast<Transfer*>(user);
        std::string_view line(data, size * count);
        if (line.starts_with("HTTP/")) {
            // A new response begins (after a proxy's CONNECT answer or a 1xx): start over.
            t->response.headers.clear();
            auto sp = line.find(' ');
            if (sp != std::string_view::npos) {
                long status = 0;
                for (size_t i = sp + 1;
                     i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])); ++i)
                    status = status * 10 + (line[i] - '0');
                t->response.status = status;
            }
            return size * count;
        }
        auto colon = line.find(':');
        if (colon != std::string_view::npos) {
            t->response.headers.emplace_back(lower(trim(line.substr(0, colon))),
                                             std::string(trim(line.substr(colon + 1))));
        } else if (!t->response.headers.empty() && !line.empty() &&
                   (line[0] == ' ' || line[0] == '\t') && !trim(line).empty()) {
            // obs-fold continuation of the previous header
            t->response.headers.back().second += ' ';
            t->response.headers.back().second += trim(line);
        }
        return size * count;
    }

    static size_t on_body(char* data, size_t size, size_t count, void* user) {
        auto* t = static_cast<Transfer*>(user);
        size_t n = size * count;
        const long status = t->response.status;
        if (t->request->sink && status >= 200 && status < 300) {
            try {
                t->request->sink(
                    std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), n));
            } catch (...) {
                t->callback_error = std::current_exception();
                return 0;  // aborts the transfer with CURLE_WRITE_ERROR
            }
            t->response.sink_bytes += n;
        } else if (!t->request->sink || t->response.body.size() < kMaxErrorBody) {
            // An error body is kept for its message; a runaway one is cut, not buffered whole.
            t->response.body.append(data, std::min(n, kMaxErrorBody - t->response.body.size()));
        }
        return n;
    }

    static size_t on_read(char* buffer, size_t size, size_t count, void* user) {
        auto* t = static_cast<Transfer*>(user);
        const auto& body = t->request->body;
        size_t n = std::min(size * count, body.size() - t->upload_offset);
        std::memcpy(buffer, body.data() + t->upload_offset, n);
        t->upload_offset += n;
        return n;
    }

    // libcurl rewinds the body when it must send it again (NTLM handshake, a reused connection
    // that turned out closed).
    static int on_seek(void* user, curl_off_t offset, int origin) {
        auto* t = static_cast<Transfer*>(user);
        if (origin != SEEK_SET || offset < 0 ||
            static_cast<uint64_t>(offset) > t->request->body.size())
            return CURL_SEEKFUNC_FAIL;
        t->upload_offset = static_cast<size_t>(offset);
        return CURL_SEEKFUNC_OK;
    }

    static int on_progress(void* user, curl_off_t /*dltotal*/, curl_off_t /*dlnow*/,
                           curl_off_t /*ultotal*/, curl_off_t ulnow) {
        auto* t = static_cast<Transfer*>(user);
        if (cancel::requested()) {
            t->cancelled = true;
            return 1;  // CURLE_ABORTED_BY_CALLBACK
        }
        auto sent = static_cast<uint64_t>(ulnow);
        if (t->request->on_upload_progress && sent != t->last_upload_progress) {
            t->last_upload_progress = sent;
            try {
                t->request->on_upload_progress(sent);
            } catch (...) {
                t->callback_error = std::current_exception();
                return 1;
            }
        }
        return 0;
    }
};

HttpClient::HttpClient(ClientOptions options)
    : impl_(std::make_unique<Impl>()), options_(std::move(options)) {}

HttpClient::~HttpClient() = default;

namespace {

constexpr long kBufferBytes = 256 * 1024;

struct SlistDeleter {
    void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

void append(Slist& list, const std::string& line) {
    curl_slist* next = curl_slist_append(list.get(), line.c_str());
    if (!next) throw std::bad_alloc();
    (void)list.release();
    list.reset(next);
}

template <typename T>
void set(CURL* curl, CURLoption option, T value) {
    CURLcode rc = curl_easy_setopt(curl, option, value);
    if (rc != CURLE_OK) {
        throw Error::internal(fmt::format("libcurl refused an option: {}", curl_easy_strerror(rc)));
    }
}

}  // namespace

Response HttpClient::perform(Request& request) {
    if (!request.before_attempt) return impl_->attempt(options_, request);
    // The signer's headers are for this attempt only: the request is given back as it came.
    struct RestoreHeaders {
        Request& request;
        Headers saved;
        ~RestoreHeaders() { request.headers = std::move(saved); }
    } restore{request, request.headers};
    request.before_attempt(request);
    return impl_->attempt(options_, request);
}

Response HttpClient::Impl::attempt(const ClientOptions& options, Request& request) {
    // Options go back to defaults; open connections, DNS and TLS session caches stay.
    curl_easy_reset(curl);
    error_buffer[0] = '\0';

    Transfer t;
    t.request = &request;

    set(curl, CURLOPT_URL, request.url.c_str());
    set(curl, CURLOPT_ERRORBUFFER, error_buffer);
    set(curl, CURLOPT_NOSIGNAL, 1L);
    set(curl, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
    set(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    set(curl, CURLOPT_FOLLOWLOCATION, 0L);
    set(curl, CURLOPT_SSL_VERIFYPEER, 1L);
    set(curl, CURLOPT_SSL_VERIFYHOST, 2L);
    set(curl, CURLOPT_PROXY_SSL_VERIFYPEER, 1L);
    set(curl, CURLOPT_PROXY_SSL_VERIFYHOST, 2L);
    if (!options.ca_bundle.empty()) {
        set(curl, CURLOPT_CAINFO, options.ca_bundle.c_str());
        set(curl, CURLOPT_PROXY_CAINFO, options.ca_bundle.c_str());
    }
    set(curl, CURLOPT_TCP_KEEPALIVE, 1L);
    set(curl, CURLOPT_TCP_KEEPIDLE, 60L);
    set(curl, CURLOPT_TCP_KEEPINTVL, 30L);
    set(curl, CURLOPT_CONNECTTIMEOUT_MS,
        static_cast<long>(std::chrono::milliseconds(options.connect_timeout).count()));
    if (options.low_speed_bytes > 0 && options.low_speed_time.count() > 0) {
        set(curl, CURLOPT_LOW_SPEED_LIMIT, options.low_speed_bytes);
        set(curl, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.low_speed_time.count()));
    }
    set(curl, CURLOPT_USERAGENT, options.user_agent.c_str());
    // Bigger buffers than libcurl's 16/64 KiB: fewer callbacks and syscalls per GiB moved.
    set(curl, CURLOPT_BUFFERSIZE, kBufferBytes);
    set(curl, CURLOPT_UPLOAD_BUFFERSIZE, kBufferBytes);

    // The proxy is chosen here, per URL, so NO_PROXY wildcards and CIDR blocks apply; "" tells
    // libcurl to connect directly whatever the environment says.
    auto proxy = choose_proxy(options.proxy, request.url);
    set(curl, CURLOPT_PROXY, proxy ? proxy->url.c_str() : "");
    set(curl, CURLOPT_NOPROXY, "");
    if (proxy) {
        if (!proxy->user.empty() || !proxy->password.empty()) {
            set(curl, CURLOPT_PROXYUSERNAME, proxy->user.c_str());
            set(curl, CURLOPT_PROXYPASSWORD, proxy->password.c_str());
        }
        set(curl, CURLOPT_PROXYAUTH, proxy->ntlm ? CURLAUTH_NTLM : CURLAUTH_BASIC);
    }

    set(curl, CURLOPT_HEADERFUNCTION, &Impl::on_header);
    set(curl, CURLOPT_HEADERDATA, &t);
    set(curl, CURLOPT_WRITEFUNCTION, &Impl::on_body);
    set(curl, CURLOPT_WRITEDATA, &t);
    set(curl, CURLOPT_NOPROGRESS, 0L);
    set(curl, CURLOPT_XFERINFOFUNCTION, &Impl::on_progress);
    set(curl, CURLOPT_XFERINFODATA, &t);

    const std::string& method = request.method;
    // DELETE may carry a body: the platform removes a tag with DELETE .../tags/ {"name":...}.
    const bool delete_with_body = method == "DELETE" && !request.body.empty();
    const bool has_body_method =
        method == "PUT" || method == "POST" || method == "PATCH" || delete_with_body;
    const auto body_size = static_cast<curl_off_t>(request.body.size());
    if (method == "GET") {
        set(curl, CURLOPT_HTTPGET, 1L);
    } else if (method == "HEAD") {
        set(curl, CURLOPT_NOBODY, 1L);
    } else if (method == "PUT" || method == "PATCH") {
        // The body is read from the caller's span by on_read: libcurl copies nothing else.
        set(curl, CURLOPT_UPLOAD, 1L);
        set(curl, CURLOPT_INFILESIZE_LARGE, body_size);
        if (method == "PATCH") set(curl, CURLOPT_CUSTOMREQUEST, "PATCH");
    } else if (method == "POST") {
        set(curl, CURLOPT_POST, 1L);
        set(curl, CURLOPT_POSTFIELDSIZE_LARGE, body_size);
    } else if (method == "DELETE") {
        if (delete_with_body) {
            set(curl, CURLOPT_POST, 1L);
            set(curl, CURLOPT_POSTFIELDSIZE_LARGE, body_size);
        }
        set(curl, CURLOPT_CUSTOMREQUEST, "DELETE");
    } else {
        throw Error::internal(fmt::format("Unsupported HTTP method {}.", method));
    }
    if (has_body_method) {
        set(curl, CURLOPT_READFUNCTION, &Impl::on_read);
        set(curl, CURLOPT_READDATA, &t);
        set(curl, CURLOPT_SEEKFUNCTION, &Impl::on_seek);
        set(curl, CURLOPT_SEEKDATA, &t);
    }

    Slist headers;
    bool has_content_type = false;
    for (const auto& [name, value] : request.headers) {
        if (name.find_first_of("\r\n:") != std::string::npos ||
            value.find_first_of("\r\n") != std::string::npos) {
            throw Error::usage(fmt::format(
                "The HTTP header '{}' has a line break or a colon in its name or a line break in "
                "its value.",
                redact(name)));
        }
        // libcurl sends Content-Length from the body size; a second one would break the request.
        if (has_body_method && iequals(name, "content-length")) continue;
        if (iequals(name, "content-type")) has_content_type = true;
        // "Name;" is libcurl's syntax for a header with an empty value.
        append(headers, value.empty() ? name + ";" : name + ": " + value);
    }
    if (has_body_method) {
        // 100-continue would cost a round trip per part.
        append(headers, "Expect:");
        // libcurl's default form Content-Type would not be covered by a SharedKey signature.
        if (method != "PUT" && !has_content_type) append(headers, "Content-Type:");
    }
    if (headers) set(curl, CURLOPT_HTTPHEADER, headers.get());

    CURLcode rc = curl_easy_perform(curl);

    if (t.cancelled || (rc == CURLE_ABORTED_BY_CALLBACK && cancel::requested()))
        throw Error::interrupted("Interrupted.");
    if (t.callback_error) std::rethrow_exception(t.callback_error);

    if (rc != CURLE_OK) {
        long connect_code = 0;
        curl_easy_getinfo(curl, CURLINFO_HTTP_CONNECTCODE, &connect_code);
        if (proxy && connect_code >= 300) {
            // The proxy answered the CONNECT with a refusal: that is an HTTP answer, the
            // proxy's, and the caller maps it like any other status. A 401 there can only be
            // the proxy refusing credentials (tinyproxy says 401 where RFC 9110 says 407).
            Response refused;
            refused.status = connect_code == 401 ? 407 : connect_code;
            refused.headers = std::move(t.response.headers);
            refused.body = std::move(t.response.body);
            return refused;
        }
        std::string message = error_buffer[0] ? error_buffer : curl_easy_strerror(rc);
        throw TransportError(redact(message), static_cast<int>(rc), failed_before_send(curl, rc),
                             t.response.sink_bytes);
    }
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    t.response.status = status;
    if (proxy && status == 401 && !proxy->user.empty() && is_proxy_challenge(t.response))
        t.response.status = 407;
    return std::move(t.response);
}

Response HttpClient::send(Request request) {
    const RetryPolicy& policy = options_.retry;
    const int max_attempts = std::max(1, policy.max_attempts);
    for (int attempt = 1;; ++attempt) {
        if (cancel::requested()) throw Error::interrupted("Interrupted.");

        std::optional<std::chrono::milliseconds> retry_after;
        long status = 0;
        std::string reason;
        try {
            Response response = perform(request);
            if (!retryable_status(response.status) || !request.idempotent ||
                attempt >= max_attempts)
                return response;
            status = response.status;
            reason = fmt::format("HTTP {}", response.status);
            if (auto value = response.header("retry-after")) {
                retry_after = parse_retry_after(*value);
                reason += fmt::format(" (Retry-After: {})", *value);
            }
        } catch (const TransportError& e) {
            // A sink that already has bytes cannot take them again: the caller resumes.
            if (e.sink_bytes() > 0) throw;
            if (!retryable_transport(e) || attempt >= max_attempts) throw;
            if (!request.idempotent && !e.before_send()) throw;
            reason = e.what();
        }

        auto delay = backoff(policy, attempt, retry_after);
        // The URL ends with a space: a redacted query value must not swallow what follows.
        log::warn("{} {} (attempt {} of {}) failed: {}; retrying in {} ms", request.method,
                  loggable(request.url), attempt, max_attempts, reason, delay.count());
        if (on_retry_) on_retry_(RetryEvent{attempt, status, delay, reason});
        cancel::sleep_for(delay);
    }
}

std::chrono::milliseconds HttpClient::backoff(
    const RetryPolicy& policy, int attempt, std::optional<std::chrono::milliseconds> retry_after) {
    return compute_backoff(policy.base_delay, policy.max_delay, attempt, retry_after);
}

std::optional<std::chrono::milliseconds> HttpClient::parse_retry_after(std::string_view value) {
    return parse_retry_after_value(value, std::chrono::system_clock::now());
}

bool HttpClient::retryable_status(long status) {
    return status == 429 || status == 500 || status == 502 || status == 503 || status == 504;
}

HttpClientPool::Lease::~Lease() {
    if (!client_ || !pool_) return;
    client_->on_retry(nullptr);  // the next borrower starts without this one's callback
    std::lock_guard lock(pool_->mutex_);
    try {
        pool_->idle_.push_back(std::move(client_));
    } catch (...) {
        // Out of memory: the client (and its connection) is dropped instead of pooled.
    }
}

HttpClientPool::Lease HttpClientPool::acquire() {
    {
        std::lock_guard lock(mutex_);
        if (!idle_.empty()) {
            auto client = std::move(idle_.back());
            idle_.pop_back();
            return Lease(*this, std::move(client));
        }
    }
    return Lease(*this, std::make_unique<HttpClient>(options_));
}

}  // namespace ri::http
