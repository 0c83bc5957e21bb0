#include <catch2/catch.hpp>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/redact.hpp"
#include "http/proxy.hpp"
#include "http/url_parts.hpp"
#include "test_support.hpp"

using namespace ri;
using namespace ri::http;

namespace {

void clear_proxy_env(test::ScopedEnv& env) {
    for (const char* v : {"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                          "ALL_PROXY", "no_proxy", "NO_PROXY"})
        env.unset(v);
}

}  // namespace

TEST_CASE("NO_PROXY entries match host names, suffixes, wildcards, addresses and ports") {
    struct Row {
        std::vector<std::string> entries;
        std::string host;
        int port;
        bool bypass;
    };
    const std::vector<Row> rows = {
        // exact names and domain suffixes, case-insensitive, trailing dots ignored
        {{"example.com"}, "example.com", 443, true},
        {{"example.com"}, "s3.example.com", 443, true},
        {{"example.com"}, "EXAMPLE.COM", 443, true},
        {{"Example.Com."}, "a.example.com.", 80, true},
        {{"example.com"}, "badexample.com", 443, false},
        {{"example.com"}, "example.com.evil.org", 443, false},
        {{".example.com"}, "example.com", 443, true},
        {{".example.com"}, "deep.sub.example.com", 443, true},
        {{".example.com"}, "notexample.com", 443, false},
        // wildcards
        {{"*"}, "anything.at.all", 8080, true},
        {{"*.example.com"}, "a.example.com", 443, true},
        {{"*.example.com"}, "a.b.example.com", 443, true},
        {{"*.example.com"}, "example.com", 443, false},
        {{"*.example.com"}, "a.example.org", 443, false},
        {{"s3.*.amazonaws.com"}, "s3.eu-west-1.amazonaws.com", 443, true},
        {{"s3.*.amazonaws.com"}, "ec2.eu-west-1.amazonaws.com", 443, false},
        // IPv4 literals and CIDR blocks
        {{"10.1.2.3"}, "10.1.2.3", 80, true},
        {{"10.1.2.3"}, "10.1.2.4", 80, false},
        {{"10.0.0.0/8"}, "10.200.3.4", 80, true},
        {{"10.0.0.0/8"}, "11.0.0.1", 80, false},
        {{"192.168.1.0/24"}, "192.168.1.255", 80, true},
        {{"192.168.1.0/24"}, "192.168.2.1", 80, false},
        {{"172.16.0.0/12"}, "172.31.255.1", 80, true},
        {{"172.16.0.0/12"}, "172.32.0.1", 80, false},
        {{"0.0.0.0/0"}, "8.8.8.8", 80, true},
        {{"10.0.0.0/8"}, "ten.example.com", 80, false},
        // IPv6 literals and CIDR blocks, bracketed or not
        {{"::1"}, "[::1]", 80, true},
        {{"::1"}, "::1", 80, true},
        {{"fd00::/8"}, "fd12:3456::1", 443, true},
        {{"fd00::/8"}, "fe80::1", 443, false},
        {{"[fd00::]/8"}, "[fdff::2]", 443, true},
        {{"2001:db8::/32"}, "2001:DB8:0:1::5", 443, true},
        {{"2001:db8::/32"}, "2001:db9::5", 443, false},
        {{"10.0.0.0/8"}, "::ffff:0a00:0001", 443, false},  // families never mix
        // ports
        {{"example.com:8443"}, "example.com", 8443, true},
        {{"example.com:8443"}, "example.com", 443, false},
        {{"10.0.0.0/8:9000"}, "10.1.1.1", 9000, true},
        {{"10.0.0.0/8:9000"}, "10.1.1.1", 9001, false},
        {{"[::1]:8080"}, "::1", 8080, true},
        {{"[::1]:8080"}, "::1", 8081, false},
        {{"*.example.com:80"}, "x.example.com", 80, true},
        {{"*.example.com:80"}, "x.example.com", 443, false},
        // lists, blanks, schemes people write, and junk that must not match everything
        {{"", " ", "other.org", "example.com"}, "example.com", 443, true},
        {{"https://example.com/"}, "example.com", 443, true},
        {{"10.0.0.0/99"}, "10.0.0.1", 80, false},
        {{"example.com:port"}, "example.com", 80, false},
        {{}, "example.com", 443, false},
    };
    for (const auto& row : rows) {
        INFO("entries: " << (row.entries.empty() ? std::string("(none)") : row.entries.back())
                         << " host: " << row.host << " port: " << row.port);
        CHECK(no_proxy_matches(row.entries, row.host, row.port) == row.bypass);
    }
}

TEST_CASE("choose_proxy: none, basic, ntlm and NO_PROXY per URL") {
    ProxySettings none;
    CHECK_FALSE(choose_proxy(none, "https://s3.amazonaws.com/b/k"));

    ProxySettings basic;
    basic.mode = ProxyMode::basic;
    basic.url = "http://proxy.corp:3128";
    basic.http_url = basic.url;
    basic.user = "alice";
    basic.password = "s3cret-password";
    basic.no_proxy = {"*.internal.corp", "10.0.0.0/8", "localhost"};
    auto c = choose_proxy(basic, "https://s3.amazonaws.com/b/k?x=1");
    REQUIRE(c);
    CHECK(c->url == "http://proxy.corp:3128");
    CHECK(c->user == "alice");
    CHECK(c->password == "s3cret-password");
    CHECK_FALSE(c->ntlm);
    CHECK(choose_proxy(basic, "http://plain.example.com/")->url == "http://proxy.corp:3128");
    CHECK_FALSE(choose_proxy(basic, "https://minio.internal.corp:9000/b"));
    CHECK_FALSE(choose_proxy(basic, "http://10.2.3.4:7480/"));
    CHECK_FALSE(choose_proxy(basic, "http://localhost:8080/"));
    CHECK_FALSE(choose_proxy(basic, "http://user:pw@localhost/"));

    ProxySettings ntlm = basic;
    ntlm.mode = ProxyMode::ntlm;
    REQUIRE(choose_proxy(ntlm, "https://a.blob.core.windows.net/c"));
    CHECK(choose_proxy(ntlm, "https://a.blob.core.windows.net/c")->ntlm);
}

TEST_CASE("choose_proxy: system mode picks the proxy by scheme and takes credentials out of it") {
    ProxySettings s;
    s.mode = ProxyMode::system;
    s.url = "http://bob:p%40ss-word-1@secure-proxy:8443";
    s.http_url = "http://plain-proxy:3128";
    s.no_proxy = {".local"};
    auto https = choose_proxy(s, "https://bucket.s3.amazonaws.com/");
    REQUIRE(https);
    CHECK(https->url == "http://secure-proxy:8443");
    CHECK(https->user == "bob");
    CHECK(https->password == "p@ss-word-1");
    auto http = choose_proxy(s, "http://example.com/");
    REQUIRE(http);
    CHECK(http->url == "http://plain-proxy:3128");
    CHECK(http->user.empty());
    CHECK_FALSE(choose_proxy(s, "https://nas.local/"));

    s.http_url.clear();  // HTTPS_PROXY only: http:// goes direct
    CHECK_FALSE(choose_proxy(s, "http://example.com/"));
}

TEST_CASE("proxy settings from the environment: either case, ALL_PROXY as fallback") {
    test::ScopedEnv env;
    clear_proxy_env(env);
    CHECK(proxy_settings_from_environment().mode == ProxyMode::none);

    env.set("HTTPS_PROXY", "proxy.corp:3128");
    env.set("no_proxy", "localhost,127.0.0.1, .corp ,10.0.0.0/8");
    auto s = proxy_settings_from_environment();
    CHECK(s.mode == ProxyMode::system);
    CHECK(s.url == "http://proxy.corp:3128");
    CHECK(s.http_url.empty());
    CHECK(s.no_proxy == std::vector<std::string>{"localhost", "127.0.0.1", ".corp", "10.0.0.0/8"});

    env.set("https_proxy", "http://lower:1111");  // lower case wins, as in libcurl
    env.set("ALL_PROXY", "http://all:2222");
    s = proxy_settings_from_environment();
    CHECK(s.url == "http://lower:1111");
    CHECK(s.http_url == "http://all:2222");

    env.set("http_proxy", "http://carol:env-proxy-secret-42@web:3128");
    s = proxy_settings_from_environment();
    CHECK(s.http_url == "http://carol:env-proxy-secret-42@web:3128");
    CHECK(redact("pw env-proxy-secret-42") == "pw [REDACTED]");
}

TEST_CASE("proxy settings from ri's settings, with the password registered as a secret") {
    test::IsolatedHome home;
    clear_proxy_env(home.env);
    auto dir = home.dir.path() / ".config/rescale";
    std::filesystem::create_directories(dir);
    auto write_csv = [&](const std::string& text) {
        write_file_atomic(dir / "config.csv", "key,value\n" + text, 0600);
    };

    CHECK(proxy_settings_from(Config::load()).mode == ProxyMode::none);

    write_csv(
        "proxy_mode,basic\nproxy_host,proxy.corp\nproxy_port,3128\nproxy_user,dave\n"
        "no_proxy,*.corp;10.0.0.0/8\n");
    home.env.set("RESCALE_PROXY_PASSWORD", "cfg-proxy-password-77");
    auto s = proxy_settings_from(Config::load());
    CHECK(s.mode == ProxyMode::basic);
    CHECK(s.url == "http://proxy.corp:3128");
    CHECK(s.user == "dave");
    CHECK(s.password == "cfg-proxy-password-77");
    CHECK(s.no_proxy == std::vector<std::string>{"*.corp", "10.0.0.0/8"});
    CHECK(redact("cfg-proxy-password-77") == "[REDACTED]");

    write_csv("proxy_mode,ntlm\nproxy_host,http://[fd00::5]\nproxy_port,8080\n");
    s = proxy_settings_from(Config::load());
    CHECK(s.mode == ProxyMode::ntlm);
    CHECK(s.url == "http://[fd00::5]:8080");

    write_csv("proxy_mode,basic\nproxy_port,3128\n");
    CHECK_THROWS_AS(proxy_settings_from(Config::load()), Error);
    write_csv("proxy_mode,basic\nproxy_host,proxy.corp\n");
    try {
        proxy_settings_from(Config::load());
        FAIL("a basic proxy without a port was accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::config);
        CHECK_THAT(e.message(), Catch::Contains("proxy_port"));
    }

    write_csv("proxy_mode,system\nno_proxy,extra.host\n");
    home.env.set("HTTPS_PROXY", "http://sys:3128");
    home.env.set("NO_PROXY", "localhost");
    s = proxy_settings_from(Config::load());
    CHECK(s.mode == ProxyMode::system);
    CHECK(s.url == "http://sys:3128");
    CHECK(s.no_proxy == std::vector<std::string>{"localhost", "extra.host"});
}

TEST_CASE("URL parts for proxy choice") {
    auto p = parse_url("HTTPS://User:Pa%3Ass@[FD00::1]:9000/b/k?x=1");
    REQUIRE(p);
    CHECK(p->scheme == "https");
    CHECK(p->host == "fd00::1");
    CHECK(p->port == 9000);
    CHECK(p->has_port);
    CHECK(p->user == "User");
    CHECK(percent_decode(p->password) == "Pa:ss");
    CHECK(p->path_and_query == "/b/k?x=1");
    CHECK(parse_url("http://example.com")->port == 80);
    CHECK(parse_url("https://example.com?x")->port == 443);
    CHECK_FALSE(parse_url("example.com"));
    CHECK_FALSE(parse_url("http://:80/"));
    CHECK_FALSE(parse_url("http://host:99999/"));
    CHECK_FALSE(parse_url("http://host:12ab/"));
    CHECK(bracket_host("fd00::1") == "[fd00::1]");
    CHECK(bracket_host("10.0.0.1") == "10.0.0.1");
}
