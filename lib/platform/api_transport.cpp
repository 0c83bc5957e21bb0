#include "platform/api_transport.hpp"

namespace ri::platform {

HttpApiTransport::HttpApiTransport(http::ClientOptions options)
    : pool_(std::make_shared<http::HttpClientPool>(std::move(options))) {}

http::Response HttpApiTransport::send(const ApiRequest& request) {
    http::Request r;
    r.method = request.method;
    r.url = request.url;
    r.headers = request.headers;
    r.body = std::as_bytes(std::span(request.body.data(), request.body.size()));
    auto client = pool_->acquire();
    return client->perform(r);
}

}  // namespace ri::platform
