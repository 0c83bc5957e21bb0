#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "core/error.hpp"
#include "core/redact.hpp"
#include "storage/object_url.hpp"
#include "storage/storage_profile.hpp"
#include "test_support.hpp"

using namespace ri;
using namespace ri::storage;

namespace {

ExitCode error_code_of(std::string_view text) {
    try {
        parse_object_url(text);
    } catch (const Error& e) {
        return e.code();
    }
    return ExitCode::ok;
}

void clear_storage_env(test::ScopedEnv& env) {
    for (const char* v :
         {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL",
          "AWS_ENDPOINT_URL_S3", "AWS_REGION", "AWS_DEFAULT_REGION", "AZURE_STORAGE_ACCOUNT",
          "AZURE_STORAGE_KEY", "AZURE_STORAGE_SAS_TOKEN", "AZURE_STORAGE_ENDPOINT",
          "RI_STORAGE_PROFILE"})
        env.unset(v);
}

void write_apiconfig(const test::IsolatedHome& home, const std::string& text) {
    auto path = home.dir.path() / ".config/rescale/apiconfig";
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
    ::chmod(path.c_str(), 0600);
}

}  // namespace

TEST_CASE("object URLs: s3://bucket/key and az://account/container/key") {
    auto u = parse_object_url("s3://my-bucket.data/runs/2024/out.tar");
    REQUIRE(u);
    CHECK(u->scheme == "s3");
    CHECK(u->account.empty());
    CHECK(u->bucket == "my-bucket.data");
    CHECK(u->key == "runs/2024/out.tar");
    CHECK_FALSE(u->is_prefix());
    CHECK(u->to_string() == "s3://my-bucket.data/runs/2024/out.tar");

    u = parse_object_url("s3://bucket");
    REQUIRE(u);
    CHECK(u->key.empty());
    CHECK(u->is_prefix());
    CHECK(u->to_string() == "s3://bucket/");
    CHECK(parse_object_url("s3://bucket/")->key.empty());
    CHECK(parse_object_url("s3://bucket/dir/")->is_prefix());
    CHECK(parse_object_url("S3://bucket/K")->scheme == "s3");
    CHECK(parse_object_url("s3://bucket/a b/ü?x#y")->key == "a b/ü?x#y");  // keys are literal

    u = parse_object_url("az://devstoreaccount1/results/job 1/out.dat");
    REQUIRE(u);
    CHECK(u->scheme == "az");
    CHECK(u->account == "devstoreaccount1");
    CHECK(u->bucket == "results");
    CHECK(u->key == "job 1/out.dat");
    CHECK(u->to_string() == "az://devstoreaccount1/results/job 1/out.dat");
    CHECK(parse_object_url("az://acct/cont")->is_prefix());
    CHECK(parse_object_url("AZ://acct/$root/x")->bucket == "$root");
    CHECK(parse_object_url("az://acct/cont/")->to_string() == "az://acct/cont/");
}

TEST_CASE("object URLs: other text is not one; malformed ones are usage errors") {
    for (std::string_view other : {"", "file.txt", "/abs/path", "s3:/bucket", "https://x/y",
                                   "gs://bucket/k", "s3", "./s3://bucket"}) {
        INFO(other);
        CHECK_FALSE(looks_like_object_url(other));
        CHECK_FALSE(parse_object_url(other));
    }
    CHECK(looks_like_object_url("s3://"));
    CHECK(looks_like_object_url("Az://x"));

    for (std::string_view bad :
         {"s3://",
          "s3:///key",
          "s3://ab/k",
          "s3://Bucket/k",
          "s3://bucket_name/k",
          "s3://-bucket/k",
          "s3://bucket-/k",
          "s3://my..bucket/k",
          "s3://my.-bucket/k",
          "s3://192.168.5.4/k",
          "s3://xn--bucket/k",
          "s3://bucket-s3alias/k",
          "s3://sthree-bucket/k",
          "s3://bucket--ol-s3/k",
          "s3://a123456789a123456789a123456789a123456789a123456789a123456789abcd/k",
          "az://",
          "az://account",
          "az://account/",
          "az://Account/c/k",
          "az://ab/cont/k",
          "az://acct-1/cont/k",
          "az://acct/Cont/k",
          "az://acct/co/k",
          "az://acct/-cont/k",
          "az://acct/co--nt/k",
          "az://acct/cont-/k"}) {
        INFO(bad);
        CHECK(error_code_of(bad) == ExitCode::usage);
    }
    try {
        parse_object_url("s3://My_Bucket/x");
    } catch (const Error& e) {
        CHECK_THAT(e.message(), Catch::Contains("My_Bucket"));
        CHECK_THAT(e.message(), Catch::Contains("lower-case"));
    }
    CHECK(parse_object_url("s3://abc/" + std::string(1024, 'k')));
    CHECK(error_code_of("s3://abc/" + std::string(1025, 'k')) == ExitCode::usage);
    CHECK(
        parse_object_url("s3://a23456789a123456789a123456789a123456789a123456789a123456789abc/k"));
}

TEST_CASE("storage profile: flags > environment > [storage.NAME] > defaults") {
    test::IsolatedHome home;
    clear_storage_env(home.env);

    auto p = load_storage_profile("", {});
    CHECK(p.s3.endpoint.empty());
    CHECK(p.s3.region == "us-east-1");
    CHECK_FALSE(p.s3.path_style);
    CHECK(p.s3.access_key.empty());
    CHECK(p.azure.account.empty());

    write_apiconfig(home,
                    "[default]\napikey = platform-key-000000\n"
                    "[storage.lab]\nendpoint = http://127.0.0.1:7480\nregion = eu-west-1\n"
                    "path_style = true\naccess_key = PROFILEACCESS\n"
                    "secret_key = profile-secret-key-111\nsession_token = profile-token-222\n"
                    "azure_account = labaccount\naccount_key = cHJvZmlsZS1henVyZS1rZXk=\n"
                    "sas_token = ?sv=2022&sig=profile-sas-333\n"
                    "[storage.default]\nregion = ap-south-1\n");

    // No name: [storage.default] if there is one.
    CHECK(load_storage_profile("", {}).s3.region == "ap-south-1");

    p = load_storage_profile("lab", {});
    CHECK(p.s3.endpoint == "http://127.0.0.1:7480");
    CHECK(p.s3.region == "eu-west-1");
    CHECK(p.s3.path_style);
    CHECK(p.s3.access_key == "PROFILEACCESS");
    CHECK(p.s3.secret_key == "profile-secret-key-111");
    CHECK(p.s3.session_token == "profile-token-222");
    CHECK(p.azure.account == "labaccount");
    CHECK(p.azure.account_key == "cHJvZmlsZS1henVyZS1rZXk=");
    CHECK(p.azure.sas_token == "sv=2022&sig=profile-sas-333");
    // Every secret was registered when read.
    CHECK(redact("a profile-secret-key-111 b") == "a [REDACTED] b");
    CHECK(redact("profile-token-222") == "[REDACTED]");
    CHECK(redact("cHJvZmlsZS1henVyZS1rZXk=") == "[REDACTED]");
    CHECK(redact("PROFILEACCESS") == "PROFILEACCESS");  // an access key id is not a secret

    // RI_STORAGE_PROFILE names the profile when no flag does.
    home.env.set("RI_STORAGE_PROFILE", "lab");
    CHECK(load_storage_profile("", {}).s3.region == "eu-west-1");

    // The environment beats the profile; credentials come as a unit.
    home.env.set("AWS_REGION", "us-west-2");
    home.env.set("AWS_ENDPOINT_URL", "http://env-endpoint:9000");
    home.env.set("AWS_ACCESS_KEY_ID", "ENVACCESS");
    home.env.set("AWS_SECRET_ACCESS_KEY", "env-secret-key-444");
    home.env.set("AZURE_STORAGE_ACCOUNT", "envaccount");
    home.env.set("AZURE_STORAGE_SAS_TOKEN", "sv=2022&sig=env-sas-555");
    p = load_storage_profile("lab", {});
    CHECK(p.s3.region == "us-west-2");
    CHECK(p.s3.endpoint == "http://env-endpoint:9000");
    CHECK(p.s3.path_style);  // not in the environment: still the profile's
    CHECK(p.s3.access_key == "ENVACCESS");
    CHECK(p.s3.secret_key == "env-secret-key-444");
    CHECK(p.s3.session_token.empty());  // not the profile's token with the environment's keys
    CHECK(p.azure.account == "envaccount");
    CHECK(p.azure.sas_token == "sv=2022&sig=env-sas-555");
    CHECK(p.azure.account_key.empty());
    CHECK(redact("env-secret-key-444") == "[REDACTED]");
    home.env.unset("AWS_REGION");
    home.env.set("AWS_DEFAULT_REGION", "ca-central-1");
    CHECK(load_storage_profile("lab", {}).s3.region == "ca-central-1");

    // Flags beat both.
    p = load_storage_profile("lab", {{"s3.region", "sa-east-1"},
                                     {"s3.path_style", "false"},
                                     {"s3.access_key", "FLAGACCESS"},
                                     {"s3.secret_key", "flag-secret-key-666"},
                                     {"s3.endpoint", ""},  // empty means unset
                                     {"az.key", "ZmxhZy1henVyZS1rZXk="},
                                     {"az.account", "flagaccount"},
                                     {"az.endpoint", "http://127.0.0.1:10000/flagaccount"}});
    CHECK(p.s3.region == "sa-east-1");
    CHECK_FALSE(p.s3.path_style);
    CHECK(p.s3.endpoint == "http://env-endpoint:9000");
    CHECK(p.s3.access_key == "FLAGACCESS");
    CHECK(p.s3.secret_key == "flag-secret-key-666");
    CHECK(p.s3.session_token.empty());
    CHECK(p.azure.account == "flagaccount");
    CHECK(p.azure.account_key == "ZmxhZy1henVyZS1rZXk=");
    CHECK(p.azure.sas_token.empty());
    CHECK(p.azure.endpoint == "http://127.0.0.1:10000/flagaccount");
    CHECK(redact("flag-secret-key-666") == "[REDACTED]");
}

TEST_CASE("storage profile: a missing named profile and bad values are configuration errors") {
    test::IsolatedHome home;
    clear_storage_env(home.env);
    write_apiconfig(home, "[storage.ok]\npath_style = maybe\n");
    try {
        load_storage_profile("nope", {});
        FAIL("a missing profile was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::config);
        CHECK_THAT(e.message(), Catch::Contains("[storage.nope]"));
    }
    home.env.set("RI_STORAGE_PROFILE", "gone");
    CHECK_THROWS_AS(load_storage_profile("", {}), Error);
    home.env.unset("RI_STORAGE_PROFILE");
    try {
        load_storage_profile("ok", {});
        FAIL("path_style = maybe was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::config);
    }
    CHECK_FALSE(load_storage_profile("ok", {{"s3.path_style", "no"}}).s3.path_style);
    CHECK(load_storage_profile("ok", {{"s3.path_style", "1"}}).s3.path_style);
}
