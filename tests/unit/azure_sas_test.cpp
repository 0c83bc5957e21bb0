// Azure service SAS tokens (what ri-sandbox hands out as Azure credentials). The strings to sign
// follow Microsoft's "Create a service SAS" layout for versions 2018-11-09 to 2020-10-02; the
// signatures were computed independently with Python's hmac over those strings. That Azurite
// accepts the tokens is tested in integration/sandbox_az_storage.sh.
#include "storage/azure_sas.hpp"

#include <catch2/catch.hpp>
#include <chrono>

#include "core/error.hpp"
#include "core/time_text.hpp"

using namespace ri::storage;

namespace {

constexpr const char* kKey =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

std::chrono::system_clock::time_point at(int64_t unix_seconds) {
    return std::chrono::system_clock::time_point(std::chrono::seconds(unix_seconds));
}

}  // namespace

TEST_CASE("azure sas: container SAS with a start time", "[azure][sas]") {
    SasRequest r;
    r.account = "devstoreaccount1";
    r.container = "box";
    r.permissions = "racwdl";
    r.start = at(1767225600);   // 2026-01-01T00:00:00Z
    r.expiry = at(1767229200);  // 2026-01-01T01:00:00Z
    CHECK(ri::time_text::iso8601(r.start) == "2026-01-01T00:00:00Z");
    CHECK(sas_string_to_sign(r) ==
          "racwdl\n2026-01-01T00:00:00Z\n2026-01-01T01:00:00Z\n/blob/devstoreaccount1/box\n\n\n\n"
          "2020-10-02\nc\n\n\n\n\n\n");
    CHECK(make_service_sas(r, kKey) ==
          "sv=2020-10-02&sr=c&sp=racwdl&st=2026-01-01T00%3A00%3A00Z&se=2026-01-01T01%3A00%3A00Z"
          "&sig=Da%2BwAVk85W3EqJTI4tC%2BuWNE5Olx3kX8qQY1HwMnvfo%3D");
}

TEST_CASE("azure sas: blob SAS, https only, decoded blob name", "[azure][sas]") {
    SasRequest r;
    r.account = "devstoreaccount1";
    r.container = "box";
    r.blob = "dir/a b.txt";
    r.permissions = "r";
    r.expiry = at(1767229200);
    r.protocol = "https";
    CHECK(sas_string_to_sign(r) ==
          "r\n\n2026-01-01T01:00:00Z\n/blob/devstoreaccount1/box/dir/a "
          "b.txt\n\n\nhttps\n2020-10-02\nb\n\n\n\n\n\n");
    CHECK(make_service_sas(r, kKey) ==
          "sv=2020-10-02&sr=b&sp=r&se=2026-01-01T01%3A00%3A00Z&spr=https"
          "&sig=okHDzTqLBci%2BdvXZWmfNVn2gf9QL0pkJSKwib3HioBw%3D");
}

TEST_CASE("azure sas: a key that is not base64 is a configuration error", "[azure][sas]") {
    SasRequest r;
    r.account = "a";
    r.container = "c";
    r.permissions = "r";
    r.expiry = at(1767229200);
    CHECK_THROWS_AS(make_service_sas(r, "not base64!"), ri::Error);
}
