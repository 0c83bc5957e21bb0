// How the platform client reaches the API: one request, one answer, no retries (the client owns
// the retry and rate-limit policy, so that a test with an in-memory server sees every attempt).
// HttpApiTransport is the real one over lib/http; unit tests use a fake.
#pragma once

#include <memory>
#include <string>

#include "http/http_client.hpp"

namespace ri::platform {

struct ApiRequest {
    std::string method = "GET";
    std::string url;  // absolute
    http::Headers headers;
    std::string body;  // JSON text, or empty
};

class ApiTransport {
  public:
    virtual ~ApiTransport() = default;
    // One attempt. Returns any HTTP answer; throws http::TransportError when none came.
    virtual http::Response send(const ApiRequest& request) = 0;
};

class HttpApiTransport : public ApiTransport {
  public:
    explicit HttpApiTransport(http::ClientOptions options);
    http::Response send(const ApiRequest& request) override;

  private:
    std::shared_ptr<http::HttpClientPool> pool_;
};

}  // namespace ri::platform
