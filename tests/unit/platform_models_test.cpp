#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "core/redact.hpp"
#include "core/time_text.hpp"
#include "platform_fakes.hpp"

using namespace ri;
using namespace ri::platform;
using ri::test::FakePlatform;
using std::chrono::minutes;
using std::chrono::seconds;

namespace {

const char* kS3Me = R"({"email":"u@x","defaultStorage":{"id":"pCTMk","storageType":"S3Storage",
  "encryptionType":"default","connectionSettings":{"region":"eu-west-1","container":"prod-files",
  "pathBase":"user/user_abc/","pathPartsBase":"user/user_abc"}}})";

}  // namespace

TEST_CASE("platform models: a file record from the reference fixture") {
    auto j = Json::parse(
        R"({"pathParts":{"path":"user/user_EUuNk/testdoc_api-5cbab800.txt","container":"prod-rescale-platform"},
      "typeId":1,"name":"testdoc_api.txt","dateUploaded":"2019-01-28T21:34:04.447607Z","relativePath":"testdoc_api.txt",
      "storage":{"storageType":"S3Storage","id":"pCTMk","connectionSettings":{"region":"us-east-1"},"encryptionType":"default"},
      "decryptedSize":151,"encodedEncryptionKey":"c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXk=","owner":"o",
      "isUploaded":true,"id":"PCJNzf","isDeleted":false,"md5":"20ae7043ab52c870a79ab94e59a82309",
      "fileChecksums":[{"hashFunction":"SHA-512","fileHash":"ABCDEF"}],"userTags":["a",{"name":"b"}]})");
    auto f = CloudFile::from_json(j);
    CHECK(f.id == "PCJNzf");
    CHECK(f.decrypted_size == 151);
    CHECK(f.type_id == 1);
    CHECK(f.is_uploaded);
    CHECK(f.sha512 == "abcdef");
    CHECK(f.path_parts.container == "prod-rescale-platform");
    CHECK(f.storage.is_s3());
    CHECK(f.tags == std::vector<std::string>{"a", "b"});
    CHECK(f.raw["md5"] == "20ae7043ab52c870a79ab94e59a82309");
    // The file's encryption key is a secret in logs.
    CHECK(redact("k=c2VjcmV0LWtleS1zZWNyZXQta2V5LXNlY3JldC1rZXk=").find("c2VjcmV0") ==
          std::string::npos);

    auto folder = FolderItem::from_json(Json::parse(
        R"({"type":"folder","item":{"id":"d1","name":"runs","dateCreated":"2026-01-01"}})"));
    CHECK(folder.type == FolderItem::Type::folder);
    CHECK(folder.name() == "runs");
    auto link = FolderItem::from_json(
        Json::parse(R"({"type":"filesymlink","item":{"id":"f9","name":"a"}})"));
    CHECK(link.type == FolderItem::Type::file);
    CHECK(link.id() == "f9");
    // Nulls and odd types never throw.
    auto odd = CloudFile::from_json(
        Json::parse(R"({"id":12,"name":null,"decryptedSize":"42","pathParts":null})"));
    CHECK(odd.id == "12");
    CHECK(odd.decrypted_size == 42);
}

TEST_CASE("platform models: readable DRF error bodies") {
    CHECK(readable_error_body(R"({"detail":"Not found."})") == "Not found.");
    CHECK(readable_error_body(R"({"name":["This field is required."],"typeId":["Bad."]})") ==
          "name: This field is required.; typeId: Bad.");
    CHECK(readable_error_body(R"({"non_field_errors":["Nope."]})") == "Nope.");
    CHECK(readable_error_body(R"(["a","b"])") == "a b");
    CHECK(readable_error_body("<html>") == "");
    CHECK(readable_error_body("") == "");
}

TEST_CASE("platform: credentials are cached and refreshed 5 minutes before 15-minute expiry") {
    FakePlatform p;
    int calls = 0;
    p.server->handler = [&](const ApiRequest& r) {
        http::Response resp;
        resp.status = 201;
        REQUIRE(r.url.ends_with("/api/v3/credentials/"));
        resp.body = fmt::format(
            R"({{"storageType":"S3Storage","accessKey":"AKIA{}","secretKey":"s3cr3t-value-{}","sessionToken":"tok-{}"}})",
            calls, calls, calls);
        ++calls;
        return resp;
    };
    CHECK(p->credentials().access_key == "AKIA0");
    p.now += minutes(9);
    CHECK(p->credentials().access_key == "AKIA0");
    CHECK(calls == 1);
    p.now += seconds(61);  // 10 min 1 s: inside the 5-minute margin of the 15-minute lifetime
    auto c = p->credentials();
    CHECK(c.access_key == "AKIA1");
    CHECK(c.expires_at == p.now + minutes(15));
    CHECK(calls == 2);
    CHECK(p->credentials(true).access_key == "AKIA2");  // forced
    CHECK(redact("s3cr3t-value-2 tok-2").find("s3cr3t") == std::string::npos);
    CHECK(p.server->requests[0].body.empty());  // default storage: no body
}

TEST_CASE("platform: Azure credentials honour their expiration") {
    CredentialCache cache([] { return *time_text::parse_iso8601("2026-01-01T00:00:00Z"); });
    TimePoint now = *time_text::parse_iso8601("2026-01-01T00:00:00Z");
    CredentialCache moving([&] { return now; });
    int fetches = 0;
    auto fetch = [&] {
        ++fetches;
        return StorageCredentials::from_json(Json::parse(
            R"({"storageType":"AzureStorage","sasToken":"?sv=2020&sig=abcdefgh","expiration":"2026-01-01T01:00:00.000Z"})"));
    };
    auto c = moving.get("k", fetch);
    CHECK(c.sas_token == "sv=2020&sig=abcdefgh");
    CHECK(c.expires_at == *time_text::parse_iso8601("2026-01-01T01:00:00Z"));
    now += minutes(50);
    moving.get("k", fetch);
    CHECK(fetches == 1);  // 10 minutes left: still good (a 15-minute guess would have refreshed)
    now += minutes(6);
    moving.get("k", fetch);
    CHECK(fetches == 2);
    CHECK(time_text::parse_iso8601("2026-01-01T02:00:00+02:00") ==
          time_text::parse_iso8601("2026-01-01T00:00:00Z"));
    CHECK_FALSE(time_text::parse_iso8601("yesterday"));
}

TEST_CASE("platform: storage targets for S3 and Azure, with and without an endpoint") {
    auto me = UserProfile::from_json(Json::parse(kS3Me));
    StorageCredentials s3c;
    s3c.storage_type = "S3Storage";
    s3c.access_key = "AK";
    s3c.secret_key = "SK";
    s3c.session_token = "ST";
    auto t =
        storage_target(me.default_storage, s3c, parse_base_url("https://platform.rescale.com"));
    CHECK(t.scheme == "s3");
    CHECK(t.bucket == "prod-files");
    CHECK(t.key_prefix == "user/user_abc");
    CHECK(t.upload_key("in.tar-x") == "user/user_abc/in.tar-x");
    CHECK(t.profile.s3.endpoint.empty());  // the S3 backend's AWS default for the region
    CHECK(t.profile.s3.region == "eu-west-1");
    CHECK(t.profile.s3.session_token == "ST");
    CHECK(t.object_url("k").to_string() == "s3://prod-files/k");
    auto itar = storage_target(me.default_storage, s3c, parse_base_url("https://itar.rescale.com"));
    CHECK(itar.profile.s3.endpoint == "https://s3-fips.eu-west-1.amazonaws.com");

    auto sandbox = Storage::from_json(Json::parse(R"({"id":"s1","storageType":"S3Storage",
      "connectionSettings":{"region":"us-east-1","container":"sbx","pathBase":"u/1",
      "endpoint":"http://127.0.0.1:7480","pathStyle":true}})"));
    auto st = storage_target(sandbox, s3c, parse_base_url("http://127.0.0.1:9000"));
    CHECK(st.profile.s3.endpoint == "http://127.0.0.1:7480");
    CHECK(st.profile.s3.path_style);

    auto az = Storage::from_json(Json::parse(R"({"id":"a1","storageType":"AzureStorage",
      "connectionSettings":{"container":"rescale-files","accountName":"acct","pathBase":"user/abc",
      "pathPartsBase":""}})"));
    StorageCredentials azc = StorageCredentials::from_json(Json::parse(
        R"({"storageType":"AzureStorage","sasToken":"sv=1&sig=container","paths":[{"path":"user/abc/out/r.dat",
          "pathParts":{"container":"rescale-files","path":"user/abc/out/r.dat"},"sasToken":"sv=1&sig=blob"}]})"));
    auto at = storage_target(az, azc, parse_base_url("https://platform.rescale.com"));
    CHECK(at.scheme == "az");
    CHECK(at.account == "acct");
    CHECK(at.profile.azure.endpoint == "https://acct.blob.core.windows.net");
    CHECK(at.profile.azure.sas_token == "sv=1&sig=container");
    CHECK(at.key_prefix.empty());  // pathPartsBase "" wins over pathBase for Azure
    CHECK(at.object_url("k").to_string() == "az://acct/rescale-files/k");

    auto azurite = Storage::from_json(Json::parse(R"({"id":"a2","storageType":"AzureStorage",
      "connectionSettings":{"container":"c","accountName":"devstoreaccount1",
      "endpoint":"http://127.0.0.1:10000/devstoreaccount1/","pathPartsBase":"u/2"}})"));
    auto zt = storage_target(azurite, azc, parse_base_url("http://127.0.0.1:9000"));
    CHECK(zt.profile.azure.endpoint == "http://127.0.0.1:10000/devstoreaccount1");
    CHECK(zt.key_prefix == "u/2");

    // A file's own location, with the per-blob SAS when it matches.
    CloudFile f;
    f.storage = az;
    f.path_parts = {"rescale-files", "user/abc/out/r.dat"};
    auto ft = file_storage_target(f, az, azc, parse_base_url("https://platform.rescale.com"));
    CHECK(ft.profile.azure.sas_token == "sv=1&sig=blob");
    CHECK(ft.bucket == "rescale-files");

    auto broken = Storage::from_json(
        Json::parse(R"({"id":"b","storageType":"S3Storage","connectionSettings":{}})"));
    CHECK_THROWS_AS(storage_target(broken, s3c, parse_base_url("https://platform.rescale.com")),
                    Error);
}

TEST_CASE("platform: upload_target asks users/me once and credentials once") {
    FakePlatform p;
    p.server->on("GET", "/api/v3/users/me/", {200, kS3Me, {}});
    p.server->on(
        "POST", "/api/v3/credentials/",
        {201, R"({"storageType":"S3Storage","accessKey":"A","secretKey":"S0123456789"})", {}});
    auto t1 = p->upload_target();
    auto t2 = p->upload_target();
    CHECK(t1.bucket == "prod-files");
    CHECK(t2.profile.s3.access_key == "A");
    CHECK(p.server->requests.size() == 2);

    // Per-file credentials name the storage and the path.
    CloudFile f = CloudFile::from_json(Json::parse(
        R"({"id":"f","storage":{"id":"other","storageType":"S3Storage"},"pathParts":{"container":"b2","path":"k/x"}})"));
    p->file_target(f);
    auto body = Json::parse(p.server->requests.back().body);
    CHECK(body["storage"]["id"] == "other");
    CHECK(body["paths"][0]["pathParts"]["path"] == "k/x");
}
