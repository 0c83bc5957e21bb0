#include "core/config.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "core/error.hpp"
#include "test_support.hpp"

using namespace ri;

namespace {
void write(const std::filesystem::path& p, const std::string& text, mode_t mode = 0600) {
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    ::chmod(p.c_str(), mode);
}
}  // namespace

TEST_CASE("precedence is flags > environment > apiconfig > token > config.csv > defaults") {
    test::IsolatedHome home;
    auto dir = home.dir.path() / ".config/rescale";
    CHECK(Config::load().get_or("api_url", "") == "https://platform.rescale.com");
    CHECK(Config::load().lookup("api_url")->source == "default");

    write(dir / "config.csv", "key,value\napi_base_url,https://csv.example\nupload_workers,7\n");
    CHECK(Config::load().get_or("api_url", "") == "https://csv.example");
    CHECK(Config::load().get_or("upload_workers", "") == "7");

    write(dir / "token", "token-key-0123456789\n");
    CHECK(Config::load().lookup("api_key")->value == "token-key-0123456789");
    CHECK(Config::load().lookup("api_key")->source == "token");

    write(dir / "apiconfig",
          "[default]\napibaseurl = https://ini.example\napikey = ini-key-0123456789\n");
    CHECK(Config::load().get_or("api_url", "") == "https://ini.example");
    CHECK(Config::load().lookup("api_key")->value == "ini-key-0123456789");

    home.env.set("RESCALE_API_KEY", "env-key-0123456789");
    CHECK(Config::load().lookup("api_key")->value == "env-key-0123456789");
    CHECK(Config::load().lookup("api_key")->source == "env RESCALE_API_KEY");

    auto flagged = Config::load("", {{"api_key", "flag-key-0123456789"}});
    CHECK(flagged.lookup("api_key")->value == "flag-key-0123456789");
    CHECK(flagged.lookup("api_key")->source == "flag");
}

TEST_CASE("the [rescale] section and profiles are read as rescale-cli and the service write them") {
    test::IsolatedHome home;
    auto dir = home.dir.path() / ".config/rescale";
    write(dir / "apiconfig",
          "[rescale]\nplatform_url = https://kr.rescale.com\napi_key = svc-key-0123456789\n"
          "[interlink.autoDownload]\nenabled = true\ndefault_download_folder = /data/dl\n"
          "[prod]\napibaseurl = https://eu.rescale.com\napikey = prod-key-0123456789\n");
    auto c = Config::load();
    CHECK(c.get_or("api_url", "") == "https://kr.rescale.com");
    CHECK(c.get_or("auto_download.enabled", "") == "true");
    CHECK(c.get_or("auto_download.default_download_folder", "") == "/data/dl");
    CHECK(c.get_or("auto_download.correctness_tag", "") == "isCorrect:true");
    auto prod = Config::load("prod");
    CHECK(prod.get_or("api_url", "") == "https://eu.rescale.com");
    CHECK(prod.get_or("api_key", "") == "prod-key-0123456789");
    CHECK_THROWS_AS(Config::load("missing"), Error);

    home.env.set("RESCALE_CONFIG_FILE", (home.dir.path() / "other.ini").string());
    write(home.dir.path() / "other.ini", "[default]\napikey = other-key-0123456789\n");
    CHECK(Config::load().get_or("api_key", "") == "other-key-0123456789");
}

TEST_CASE("a token file readable by others gives the seed's warning") {
    test::IsolatedHome home;
    auto token = home.dir.path() / ".config/rescale/token";
    write(token, "k-0123456789abcdef\n", 0644);
    auto c = Config::load();
    REQUIRE(c.warnings().size() == 1);
    CHECK(c.warnings()[0] == "Warning: Token file " + token.string() +
                                 " has insecure permissions 0644. Consider using 'chmod 600 " +
                                 token.string() + "'");
    ::chmod(token.c_str(), 0600);
    CHECK(Config::load().warnings().empty());
}

TEST_CASE("store writes secrets to apiconfig with mode 0600, never to config.csv") {
    test::IsolatedHome home;
    Config::store("", "api_key", "stored-key-0123456789");
    Config::store("", "upload_workers", "8");
    Config::store("", "auto_download.lookback_days", "3");
    auto files = ConfigFiles::discover();
    struct stat st {};
    REQUIRE(::stat(files.apiconfig.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    std::ifstream csv(files.config_csv);
    std::string csv_text((std::istreambuf_iterator<char>(csv)), {});
    CHECK(csv_text.find("stored-key") == std::string::npos);
    CHECK(csv_text.find("upload_workers,8") != std::string::npos);
    auto c = Config::load();
    CHECK(c.get_or("api_key", "") == "stored-key-0123456789");
    CHECK(c.get_or("auto_download.lookback_days", "") == "3");
    CHECK(Config::unset("", "upload_workers"));
    CHECK(Config::load().lookup("upload_workers")->source == "default");
}

TEST_CASE("secrets found in config.csv are ignored with a warning") {
    test::IsolatedHome home;
    write(home.dir.path() / ".config/rescale/config.csv", "key,value\napi_key,leaked-0123456789\n");
    auto c = Config::load();
    CHECK_FALSE(c.lookup("api_key").has_value());
    CHECK(c.warnings().size() == 1);
}

TEST_CASE("values are validated before they are stored") {
    test::IsolatedHome home;
    CHECK_THROWS_AS(Config::store("", "upload_workers", "many"), Error);
    CHECK_THROWS_AS(Config::store("", "proxy_mode", "magic"), Error);
    CHECK_THROWS_AS(Config::store("", "api_url", "http://platform.rescale.com"), Error);
    CHECK_THROWS_AS(Config::store("", "no_such_key", "1"), Error);
    CHECK_NOTHROW(Config::store("", "api_url", "http://127.0.0.1:8080"));
    CHECK_NOTHROW(Config::store("", "api_url", "https://platform.rescale.jp"));
    CHECK_FALSE(std::filesystem::exists(ConfigFiles::discover().config_csv));
}

TEST_CASE("config.csv rows follow RFC 4180 quoting") {
    auto rows = parse_key_value_csv(
        "key,value\nexclude_pattern,\"*.tmp;*.log\"\nproxy_host,\"a,b\"\"c\"\n\n");
    CHECK(rows.at("exclude_pattern") == "*.tmp;*.log");
    CHECK(rows.at("proxy_host") == "a,b\"c");
    CHECK(rows.size() == 2);
}
