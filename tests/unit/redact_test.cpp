#include "core/redact.hpp"

#include <catch2/catch.hpp>

using namespace ri;

TEST_CASE("registered secrets are replaced wherever they appear") {
    register_secret("s3cr3t-api-key-0123456789");
    std::string out = redact("calling with key s3cr3t-api-key-0123456789 now");
    CHECK(out.find("s3cr3t-api-key-0123456789") == std::string::npos);
    CHECK(out.find("[REDACTED]") != std::string::npos);
    CHECK(redact("nothing secret here") == "nothing secret here");
}

TEST_CASE("short values are not registered, so ordinary words survive") {
    register_secret("abc");
    CHECK(redact("abc def") == "abc def");
}

TEST_CASE("secret-shaped patterns are redacted without registration") {
    const char* sas =
        "https://acct.blob.core.windows.net/c/b?sv=2021-08-06&se=2030&sig=AbCdEf%2Bghij%3D&sp=r";
    std::string out = redact(sas);
    CHECK(out.find("AbCdEf") == std::string::npos);
    CHECK(out.find("sv=2021-08-06") != std::string::npos);  // the non-secret parts stay readable

    out = redact(
        "GET /b/k?X-Amz-Credential=AKIDEXAMPLE%2F2015&X-Amz-Signature=deadbeefcafe&X-Amz-Date=1");
    CHECK(out.find("deadbeefcafe") == std::string::npos);
    CHECK(out.find("AKIDEXAMPLE") == std::string::npos);

    out = redact(
        "Authorization: AWS4-HMAC-SHA256 Credential=AK/x, SignedHeaders=host, Signature=0123abcd");
    CHECK(out.find("0123abcd") == std::string::npos);
    CHECK(redact("Authorization: Token abcdef123456").find("abcdef123456") == std::string::npos);

    out =
        redact(R"({"accessKey":"AK","secretKey":"wJalrXUtnFEMI","sessionToken":"FwoGZXIvYXdzE"})");
    CHECK(out.find("wJalrXUtnFEMI") == std::string::npos);
    CHECK(out.find("FwoGZXIvYXdzE") == std::string::npos);

    CHECK(redact("apikey = 0123456789abcdef").find("0123456789abcdef") == std::string::npos);
    CHECK(redact("ri-encrypt decrypt x --key QUJDREVGR0g=").find("QUJDREVGR0g=") ==
          std::string::npos);
    CHECK(redact(R"({"encodedEncryptionKey":"c2VjcmV0c2VjcmV0"})").find("c2VjcmV0c2VjcmV0") ==
          std::string::npos);
}

TEST_CASE("masking shows at most the ends of a long secret") {
    CHECK(mask_secret("") == "");
    CHECK(mask_secret("short") == "****");
    CHECK(mask_secret("0123456789abcdefXYZW") == "0123****XYZW");
}

#include <fstream>

#include "core/log.hpp"
#include "test_support.hpp"

TEST_CASE("the log rotates at its size limit and keeps a fixed number of files, redacted") {
    test::TempDir dir;
    log::init("ri-test", {dir.path(), 4096, 3, log::Level::debug});
    register_secret("rotation-secret-0123456789");
    for (int i = 0; i < 400; ++i)
        log::info("line {} with rotation-secret-0123456789 and padding", i);
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) {
        if (e.path().filename().string().rfind("ri.log", 0) != 0) continue;
        ++files;
        CHECK(std::filesystem::file_size(e.path()) < 4096 + 200);
        std::ifstream f(e.path());
        std::string text((std::istreambuf_iterator<char>(f)), {});
        CHECK(text.find("rotation-secret") == std::string::npos);
        CHECK(text.find("[REDACTED]") != std::string::npos);
    }
    CHECK(files == 3);
    std::ifstream newest(dir / "ri.log");
    std::string last((std::istreambuf_iterator<char>(newest)), {});
    CHECK(last.find("line 399") != std::string::npos);
    log::init("ri-test",
              {dir.path() / "elsewhere", 5 << 20, 3, log::Level::debug});  // release the file
}
