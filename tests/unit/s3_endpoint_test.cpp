// S3 addressing: path style or virtual host, key encoding in URLs, and which transports may
// carry UNSIGNED-PAYLOAD.
#include "storage/s3_endpoint.hpp"

#include <catch2/catch.hpp>

#include "core/error.hpp"

using ri::storage::S3Endpoint;
using ri::storage::S3Settings;

namespace {
S3Settings with(std::string endpoint, bool path_style, std::string region = "us-east-1") {
    S3Settings s;
    s.endpoint = std::move(endpoint);
    s.path_style = path_style;
    s.region = std::move(region);
    return s;
}
}  // namespace

TEST_CASE("path style puts the bucket in the path", "[s3endpoint]") {
    S3Endpoint ep(with("http://127.0.0.1:8000", true), "my-bucket");
    CHECK_FALSE(ep.virtual_host());
    CHECK(ep.bucket_url() == "http://127.0.0.1:8000/my-bucket");
    CHECK(ep.object_url("dir/a b+c.txt") == "http://127.0.0.1:8000/my-bucket/dir/a%20b%2Bc.txt");
    CHECK(ep.host() == "127.0.0.1:8000");
}

TEST_CASE("virtual host puts the bucket in the host name", "[s3endpoint]") {
    S3Endpoint ep(with("http://localhost:8000/", false), "my-bucket");
    CHECK(ep.virtual_host());
    CHECK(ep.bucket_url() == "http://my-bucket.localhost:8000/");
    CHECK(ep.object_url("k") == "http://my-bucket.localhost:8000/k");

    S3Endpoint aws(with("", false, "eu-west-1"), "data");
    CHECK(aws.object_url("x/y") == "https://data.s3.eu-west-1.amazonaws.com/x/y");
    CHECK(aws.bucket_url() == "https://data.s3.eu-west-1.amazonaws.com/");
}

TEST_CASE("virtual host falls back to path style where it cannot work", "[s3endpoint]") {
    // An IP address has no subdomains.
    CHECK_FALSE(S3Endpoint(with("http://127.0.0.1:8000", false), "b-1").virtual_host());
    CHECK_FALSE(S3Endpoint(with("http://[::1]:8000", false), "b-1").virtual_host());
    // Dots in the bucket break the TLS wildcard certificate; over http they are fine.
    CHECK_FALSE(S3Endpoint(with("", false), "my.bucket").virtual_host());
    CHECK(S3Endpoint(with("http://s3.local:80", false), "my.bucket").virtual_host());
    // Upper case and underscores are no DNS label.
    CHECK_FALSE(S3Endpoint(with("", false), "My_Bucket").virtual_host());
    CHECK(S3Endpoint(with("", false), "My_Bucket").object_url("k") ==
          "https://s3.us-east-1.amazonaws.com/My_Bucket/k");
}

TEST_CASE("keys are encoded once per segment; dot segments cannot be collapsed", "[s3endpoint]") {
    CHECK(S3Endpoint::encode_key("a/b/c") == "a/b/c");
    CHECK(S3Endpoint::encode_key("\xC3\xBC\xE2\x82\xAC") == "%C3%BC%E2%82%AC");
    CHECK(S3Endpoint::encode_key("a//b/") == "a//b/");
    CHECK(S3Endpoint::encode_key("a/../b/./c") == "a/%2E%2E/b/%2E/c");
    CHECK(S3Endpoint::encode_key("..a/b..") == "..a/b..");
    CHECK(S3Endpoint::encode_key("100%/x?y#z") == "100%25/x%3Fy%23z");
}

TEST_CASE("UNSIGNED-PAYLOAD only where the transport protects the body", "[s3endpoint]") {
    CHECK(S3Endpoint(with("https://s3.example.com", true), "b").transport_protected());
    CHECK(S3Endpoint(with("", true), "b").transport_protected());
    CHECK(S3Endpoint(with("http://127.0.0.1:7480", true), "b").transport_protected());
    CHECK(S3Endpoint(with("http://localhost:7480", false), "b").transport_protected());
    CHECK(S3Endpoint(with("http://[::1]:7480", true), "b").transport_protected());
    CHECK_FALSE(S3Endpoint(with("http://10.0.0.5:7480", true), "b").transport_protected());
    CHECK_FALSE(S3Endpoint(with("http://minio.internal:9000", true), "b").transport_protected());
}

TEST_CASE("an endpoint that is no http(s) URL is a configuration error", "[s3endpoint]") {
    CHECK_THROWS_AS(S3Endpoint(with("s3.example.com", true), "b"), ri::Error);
    CHECK_THROWS_AS(S3Endpoint(with("ftp://s3.example.com", true), "b"), ri::Error);
    try {
        S3Endpoint(with("s3.example.com", true), "b");
    } catch (const ri::Error& e) {
        CHECK(e.code() == ri::ExitCode::config);
    }
}

TEST_CASE("an endpoint with a path keeps it", "[s3endpoint]") {
    S3Endpoint ep(with("https://gateway.example.com/s3/", true), "b");
    CHECK(ep.object_url("k") == "https://gateway.example.com/s3/b/k");
}
