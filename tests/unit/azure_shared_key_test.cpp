// The SharedKey signer against values computed independently: the strings to sign and the
// Authorization headers below were produced by the Azure SDK for Python
// (azure.storage.blob._shared.authentication.SharedKeyCredentialPolicy, Debian's
// python3-azure-storage 12.15) for the same requests, and the canonicalized-resource cases
// are the examples of Microsoft's "Authorize with Shared Key" page.
#include "storage/azure_shared_key.hpp"

#include <catch2/catch.hpp>
#include <chrono>

#include "core/error.hpp"
#include "core/time_text.hpp"

using namespace ri;
using namespace ri::storage;

namespace {

// Azurite's published development key (not a secret).
constexpr const char* kKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

http::Request make(std::string method, std::string url, http::Headers headers,
                   std::span<const std::byte> body = {}) {
    http::Request r;
    r.method = std::move(method);
    r.url = std::move(url);
    r.headers = std::move(headers);
    r.body = body;
    return r;
}

std::string authorization(const http::Request& r) {
    for (const auto& [name, value] : r.headers)
        if (name == "Authorization") return value;
    return {};
}

}  // namespace

TEST_CASE("SharedKey: Put Blob with metadata on a path-style (Azurite) endpoint") {
    AzureSharedKeySigner signer("devstoreaccount1", kKey);
    std::string body = "hello world";
    auto r = make("PUT", "http://127.0.0.1:10000/devstoreaccount1/ri-test/dir/a%20b%2Bc.bin",
                  {{"x-ms-version", "2021-08-06"},
                   {"x-ms-date", "Mon, 02 Jan 2023 03:04:05 GMT"},
                   {"x-ms-blob-type", "BlockBlob"},
                   {"Content-Type", "application/octet-stream"},
                   {"x-ms-meta-color", "blue"},
                   {"x-ms-meta-a_b", "under"},
                   {"x-ms-meta-a1", "digit"}},
                  std::as_bytes(std::span(body.data(), body.size())));
    // Content-Length comes from the body; '_' sorts before digits, as the service collates.
    CHECK(signer.string_to_sign(r) ==
          "PUT\n\n\n11\n\napplication/octet-stream\n\n\n\n\n\n\n"
          "x-ms-blob-type:BlockBlob\nx-ms-date:Mon, 02 Jan 2023 03:04:05 GMT\n"
          "x-ms-meta-a_b:under\nx-ms-meta-a1:digit\nx-ms-meta-color:blue\n"
          "x-ms-version:2021-08-06\n"
          "/devstoreaccount1/devstoreaccount1/ri-test/dir/a%20b%2Bc.bin");
    CHECK(signer.signature(signer.string_to_sign(r)) ==
          "84w50FsRiuvlwg1lyfFBIlvFEXnlxbt7RW2mXRiwSDg=");
}

TEST_CASE("SharedKey: List Blobs query parameters are decoded, lower-cased and sorted") {
    AzureSharedKeySigner signer("myaccount", kKey);
    auto r = make("GET",
                  "https://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=list"
                  "&prefix=dir%2Fsub%20x%2F&delimiter=%2F&maxresults=2",
                  {{"x-ms-version", "2021-08-06"}, {"x-ms-date", "Tue, 03 Jan 2023 10:00:00 GMT"}});
    std::string sts = signer.string_to_sign(r);
    CHECK(sts ==
          "GET\n\n\n\n\n\n\n\n\n\n\n\nx-ms-date:Tue, 03 Jan 2023 10:00:00 GMT\n"
          "x-ms-version:2021-08-06\n/myaccount/mycontainer\ncomp:list\ndelimiter:/\n"
          "maxresults:2\nprefix:dir/sub x/\nrestype:container");
    CHECK(signer.signature(sts) == "ALRMk3X/yzRB0iVe75j1APNUdd0cQbZrKwASN41ugVY=");
}

TEST_CASE("SharedKey: a zero Content-Length signs as empty; x-ms-range is a canonical header") {
    AzureSharedKeySigner signer("devstoreaccount1", kKey);
    auto put = make("PUT", "http://127.0.0.1:10000/devstoreaccount1/ri-test/empty",
                    {{"x-ms-version", "2021-08-06"},
                     {"x-ms-date", "Mon, 02 Jan 2023 03:04:05 GMT"},
                     {"x-ms-blob-type", "BlockBlob"}});
    CHECK(signer.string_to_sign(put) ==
          "PUT\n\n\n\n\n\n\n\n\n\n\n\nx-ms-blob-type:BlockBlob\n"
          "x-ms-date:Mon, 02 Jan 2023 03:04:05 GMT\nx-ms-version:2021-08-06\n"
          "/devstoreaccount1/devstoreaccount1/ri-test/empty");
    CHECK(signer.signature(signer.string_to_sign(put)) ==
          "074fVcW34d2LbXC1MdBiAXppgxazVFrRqJ7kFIiq5GA=");

    auto get = make("GET", "http://127.0.0.1:10000/devstoreaccount1/ri-test/big.bin",
                    {{"x-ms-version", "2021-08-06"},
                     {"x-ms-date", "Mon, 02 Jan 2023 03:04:05 GMT"},
                     {"x-ms-range", "bytes=5-14"}});
    CHECK(signer.signature(signer.string_to_sign(get)) ==
          "RCKu5dBAXPZcccLYp9ekcpBK911OaarBOqRlaNj1Hv8=");
}

TEST_CASE("SharedKey: the documented canonicalized resources, incl. repeated parameters") {
    AzureSharedKeySigner signer("myaccount", kKey);
    auto tail = [&](std::string url) {
        std::string sts = signer.string_to_sign(make("GET", std::move(url), {}));
        return sts.substr(sts.find("/myaccount"));
    };
    CHECK(tail("https://myaccount.blob.core.windows.net/"
               "mycontainer?restype=container&comp=metadata") ==
          "/myaccount/mycontainer\ncomp:metadata\nrestype:container");
    CHECK(tail("https://myaccount.blob.core.windows.net/mycontainer?restype=container&comp=list"
               "&include=snapshots&include=metadata&include=uncommittedblobs") ==
          "/myaccount/mycontainer\ncomp:list\ninclude:metadata,snapshots,uncommittedblobs\n"
          "restype:container");
    CHECK(tail("https://myaccount.blob.core.windows.net/?comp=list") == "/myaccount/\ncomp:list");
    CHECK(tail("https://myaccount.blob.core.windows.net/mycontainer/myblob") ==
          "/myaccount/mycontainer/myblob");
}

TEST_CASE("SharedKey: sign() sets a fresh x-ms-date and one Authorization header") {
    AzureSharedKeySigner signer("devstoreaccount1", kKey);
    auto r = make("GET", "http://127.0.0.1:10000/devstoreaccount1/ri-test/big.bin",
                  {{"x-ms-version", "2021-08-06"}, {"x-ms-range", "bytes=5-14"}});
    // 2023-01-02 03:04:05 UTC
    auto when = std::chrono::system_clock::time_point(std::chrono::seconds(1672628645));
    signer.sign(r, when);
    signer.sign(r, when);  // a retry re-signs; nothing doubles
    CHECK(authorization(r) ==
          "SharedKey devstoreaccount1:RCKu5dBAXPZcccLYp9ekcpBK911OaarBOqRlaNj1Hv8=");
    int dates = 0, auths = 0;
    for (const auto& [name, value] : r.headers) {
        if (name == "x-ms-date") {
            ++dates;
            CHECK(value == "Mon, 02 Jan 2023 03:04:05 GMT");
        }
        if (name == "Authorization") ++auths;
    }
    CHECK(dates == 1);
    CHECK(auths == 1);
}

TEST_CASE("SharedKey: a key that is not base64 is a configuration error without the key") {
    try {
        AzureSharedKeySigner signer("acct", "not base64 at all!!");
        FAIL("accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::config);
        CHECK(e.message().find("not base64 at all") == std::string::npos);
    }
}

TEST_CASE("azure_http_date formats RFC 1123 in GMT") {
    CHECK(time_text::http_date(std::chrono::system_clock::time_point(std::chrono::seconds(0))) ==
          "Thu, 01 Jan 1970 00:00:00 GMT");
    CHECK(time_text::http_date(std::chrono::system_clock::time_point(
              std::chrono::seconds(1255297753))) == "Sun, 11 Oct 2009 21:49:13 GMT");
}
