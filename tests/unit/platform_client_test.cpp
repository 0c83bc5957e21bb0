#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "core/redact.hpp"
#include "platform_fakes.hpp"
#include "ratelimit/scope.hpp"

using namespace ri;
using namespace ri::platform;
using ri::ratelimit::Scope;
using ri::test::FakePlatform;
using ri::test::FakeReply;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

std::string header(const ApiRequest& r, const std::string& name) {
    for (const auto& [k, v] : r.headers)
        if (k == name) return v;
    return {};
}

template <typename E, typename F>
E expect_throw(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e;
    }
    FAIL("the expected exception was not thrown");
    throw std::logic_error("unreachable");
}

}  // namespace

TEST_CASE("platform: Token auth, JSON headers, and Bearer for JWT-shaped keys") {
    FakePlatform p("abcdef0123456789abcdef0123456789abcdef01");
    p.server->on("GET", "/api/v3/users/me/", {200, R"({"email":"a@b.c"})", {}});
    CHECK(p->me().email == "a@b.c");
    const auto& r = p.server->requests.at(0);
    CHECK(header(r, "Authorization") == "Token abcdef0123456789abcdef0123456789abcdef01");
    CHECK(header(r, "Accept") == "application/json");
    CHECK(header(r, "Content-Type") == "application/json");
    CHECK(r.url == "http://127.0.0.1:1/api/v3/users/me/");

    CHECK(authorization_value("eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl") ==
          "Bearer eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl");
    CHECK(authorization_value("ey.only-two") == "Token ey.only-two");
    CHECK(authorization_value("abc.def.ghi") == "Token abc.def.ghi");
    CHECK(authorization_value("eyA.b.c.d") == "Token eyA.b.c.d");
    CHECK(authorization_value("eyA..c") == "Token eyA..c");
    // The key is registered for redaction by the constructor.
    CHECK(redact("key abcdef0123456789abcdef0123456789abcdef01 here").find("abcdef0123456789") ==
          std::string::npos);
}

TEST_CASE("platform: base URL rules") {
    CHECK(parse_base_url("https://platform.rescale.com").url == "https://platform.rescale.com");
    CHECK(parse_base_url("https://platform.rescale.com/").known);
    CHECK(parse_base_url("https://itar.rescale-gov.com").itar);
    CHECK_FALSE(parse_base_url("https://eu.rescale.com").itar);
    auto other = parse_base_url("https://rescale.example.org:8443");
    CHECK_FALSE(other.known);
    CHECK(other.url == "https://rescale.example.org:8443");
    CHECK(parse_base_url("http://127.0.0.1:8123").url == "http://127.0.0.1:8123");
    CHECK(parse_base_url("http://localhost:9").loopback);
    CHECK(parse_base_url("http://[::1]:9").url == "http://[::1]:9");
    for (const char* bad :
         {"http://platform.rescale.com", "http://10.0.0.5:80", "ftp://x", "platform.rescale.com",
          "https://platform.rescale.com/api/", "https://user:pw@platform.rescale.com", "",
          "https://platform.rescale.com:8443"}) {
        auto e = expect_throw<Error>([&] { parse_base_url(bad); });
        CHECK(e.code() == ExitCode::config);
        if (*bad) CHECK(e.message().find(bad) != std::string::npos);
    }
    auto e = expect_throw<Error>([] { FakePlatform p("k0123456789", "http://example.com"); });
    CHECK(e.code() == ExitCode::config);
    CHECK(expect_throw<Error>([] { FakePlatform p(""); }).code() == ExitCode::config);
}

TEST_CASE("platform: pagination follows absolute next URLs and keeps page_size") {
    FakePlatform p;
    p.server->on(
        "GET", "/api/v3/files/?ordering=-dateUploaded&page_size=1000",
        {200,
         R"({"count":3,"next":"http://127.0.0.1:1/api/v3/files/?page=2&page_size=25","previous":null,
                      "results":[{"id":"a","name":"a.dat","decryptedSize":1}]})",
         {}});
    p.server->on("GET", "/api/v3/files/?page=2&page_size=1000",
                 {200,
                  R"({"count":3,"next":"https://proxy.example/api/v3/files/?page=3","previous":"x",
                      "results":[{"id":"b","name":"b.dat"}]})",
                  {}});
    p.server->on("GET", "/api/v3/files/?page=3&page_size=1000",
                 {200, R"({"count":3,"next":null,"results":[{"id":"c","name":"c.dat"}]})", {}});
    auto files = p->list_files(FileQuery{});
    REQUIRE(files.size() == 3);
    CHECK(files[0].id == "a");
    CHECK(files[0].decrypted_size == 1);
    CHECK(files[2].name == "c.dat");
    CHECK(p.server->requests.size() == 3);

    // A limit stops early and asks for no more than it needs.
    p.server->requests.clear();
    p.server->on("GET", "/api/v3/files/?ordering=-dateUploaded&page_size=2",
                 {200,
                  R"({"next":"http://127.0.0.1:1/api/v3/files/?page=2&page_size=2",
                      "results":[{"id":"a"},{"id":"b"}]})",
                  {}});
    FileQuery q;
    q.limit = 2;
    CHECK(p->list_files(q).size() == 2);
    CHECK(p.server->requests.size() == 1);

    // An early stop from the callback.
    p.server->requests.clear();
    size_t seen = p->list_files(FileQuery{}, [](const CloudFile& f) { return f.id != "a"; });
    CHECK(seen == 1);
    CHECK(p.server->requests.size() == 1);
}

TEST_CASE("platform: pagination stops at the page cap and on a self-referencing next") {
    FakePlatform p;
    int n = 0;
    p.server->handler = [&](const ApiRequest&) {
        http::Response r;
        r.status = 200;
        r.body = fmt::format(
            R"({{"next":"http://127.0.0.1:1/api/v3/analyses/?page={}","results":[{{"code":"x{}"}}]}})",
            ++n + 1, n);
        return r;
    };
    size_t got = p->paginate("/api/v3/analyses/", {"listing", "x"},
                             [](const Json&) { return true; }, {10, 0, 5});
    CHECK(got == 5);
    CHECK(p.server->requests.size() == 5);

    FakePlatform q;
    q.server->on(
        "GET", "/api/v3/analyses/?page_size=1000",
        {200,
         R"({"next":"http://127.0.0.1:1/api/v3/analyses/?page_size=1000","results":[{"code":"a"}]})",
         {}});
    CHECK(q->analyses().size() == 1);
    CHECK(q.server->requests.size() == 1);
}

TEST_CASE("platform: bare arrays are one page (tags, runs)") {
    FakePlatform p;
    p.server->on(
        "GET", "/api/v3/files/WvNKdb/tags/",
        {200, R"([{"name":"x","normalizedName":"x"},{"name":"Y","normalizedName":"y"}])", {}});
    auto tags = p->file_tags("WvNKdb");
    REQUIRE(tags.size() == 2);
    CHECK(tags[1].normalized_name == "y");
    p.server->on("GET", "/api/v2/jobs/j1/runs/?page_size=1000",
                 {200, R"([{"id":"1","dateStarted":"2026-01-01T00:00:00Z"}])", {}});
    CHECK(p->job_runs("j1").at(0).id == "1");
}

TEST_CASE("platform: error mapping per class") {
    FakePlatform p;
    p.server->on("GET", "/api/v3/users/me/", {401, R"({"detail":"Invalid token."})", {}});
    auto e401 = expect_throw<ApiError>([&] { p->me(); });
    CHECK(e401.code() == ExitCode::permission);
    CHECK(e401.message().find("API key was rejected") != std::string::npos);
    CHECK(e401.message().find("127.0.0.1") != std::string::npos);
    CHECK(e401.message().find("Invalid token.") != std::string::npos);

    p.server->on("GET", "/api/v3/users/me/folders/", {403, R"({"detail":"Forbidden"})", {}});
    CHECK(expect_throw<Error>([&] { p->my_folders(); }).code() == ExitCode::permission);

    p.server->on("GET", "/api/v3/files/WvNKdb/", {404, R"({"detail":"Not found."})", {}});
    auto e404 = expect_throw<NotFoundError>([&] { p->get_file("WvNKdb"); });
    CHECK(e404.message().starts_with("file WvNKdb not found"));
    CHECK(e404.code() == ExitCode::missing_input);

    p.server->on("POST", "/api/v3/folders/root/",
                 {400, R"({"name":["This field is required."]})", {}});
    auto e400 = expect_throw<ApiError>([&] { p->create_folder("root", ""); });
    CHECK(e400.code() == ExitCode::bad_data);
    CHECK(e400.message().find("name: This field is required.") != std::string::npos);
    bool conflict = false;
    try {
        p->create_folder("root", "");
    } catch (const ConflictError&) {
        conflict = true;
    } catch (const ApiError&) {
    }
    CHECK_FALSE(conflict);

    p.server->on(
        "POST", "/api/v3/jobs/",
        {400, R"({"jobanalyses":[{"hardware":{"coreType":["Unknown core type."]}}]})", {}});
    auto nested = expect_throw<ApiError>([&] { p->create_job(Json{{"name", "j"}}); });
    CHECK(nested.message().find("jobanalyses[0].hardware.coreType: Unknown core type.") !=
          std::string::npos);

    // Not JSON at all: the status, no HTML in the message.
    p.server->on("GET", "/api/v3/jobs/x/", {418, "<html>teapot</html>", {}});
    auto odd = expect_throw<ApiError>([&] { p->get_job("x"); });
    CHECK(odd.message().find("<html>") == std::string::npos);
    CHECK(odd.message().find("HTTP 418") != std::string::npos);
}

TEST_CASE("platform: conflicts are a distinct error the caller can catch") {
    CHECK(is_conflict(409, ""));
    CHECK(is_conflict(400, R"({"name":["A file with this name already exists."]})"));
    CHECK(is_conflict(400, R"({"detail":"Duplicate entry"})"));
    CHECK(is_conflict(400, "Conflict"));
    CHECK_FALSE(is_conflict(400, R"({"name":["This field is required."]})"));
    CHECK_FALSE(is_conflict(500, "already exists"));

    FakePlatform p;
    p.server->on(
        "POST", "/api/v3/files/",
        {400, R"({"name":["A file named input.tar already exists in this folder."]})", {}});
    RegisterFileRequest r;
    r.name = "input.tar";
    auto e = expect_throw<ConflictError>([&] { p->register_file(r); });
    CHECK(e.message().find("already exists") != std::string::npos);
    p.server->on("POST", "/api/v3/folders/root/", {409, R"({"detail":"Folder exists."})", {}});
    CHECK_THROWS_AS(p->create_folder("root", "x"), ConflictError);
}

TEST_CASE("platform: 429 cools the scope down with Retry-After and retries") {
    FakePlatform p;
    p.server->on("GET", "/api/v3/users/me/",
                 {429,
                  R"({"detail":"Request was throttled. Expected available in 3 seconds."})",
                  {{"retry-after", "3"}}});
    p.server->on("GET", "/api/v3/users/me/", {200, R"({"email":"x@y"})", {}});
    CHECK(p->me().email == "x@y");
    CHECK(p.server->requests.size() == 2);
    REQUIRE(p.limiter->throttles.size() == 1);
    CHECK(p.limiter->throttles[0].first == Scope::user);
    CHECK(p.limiter->throttles[0].second == seconds(3));
    CHECK(p.sleeps == std::vector<milliseconds>{seconds(3)});
    CHECK(p.limiter->acquired.size() == 2);  // each attempt spends a token

    // Without Retry-After: a 1-30 s backoff; after max_retries it is 75.
    FakePlatform q;
    q.server->on("POST", "/api/v2/jobs/j1/submit/", {429, "", {}});
    auto e = expect_throw<Error>([&] { q->submit_job("j1"); });
    CHECK(e.code() == ExitCode::temporary);
    CHECK(q.server->requests.size() == 11);  // 1 + 10 retries
    for (auto d : q.sleeps) {
        CHECK(d >= seconds(1));
        CHECK(d <= seconds(30));
    }
    CHECK(q.limiter->throttles.size() == 10);
    CHECK(q.limiter->throttles[0].first == Scope::job_submission);

    // A Retry-After far beyond reason fails at once.
    FakePlatform r;
    r.server->on("GET", "/api/v3/users/me/", {429, "", {{"retry-after", "86400"}}});
    CHECK(expect_throw<Error>([&] { r->me(); }).code() == ExitCode::temporary);
    CHECK(r.server->requests.size() == 1);
}

TEST_CASE("platform: 5xx retried for reads, never for create, register or submit") {
    FakePlatform p;
    p.server->on("GET", "/api/v3/jobs/j1/", {503, "", {}});
    p.server->on("GET", "/api/v3/jobs/j1/", {200, R"({"id":"j1","name":"n"})", {}});
    CHECK(p->get_job("j1").name == "n");
    CHECK(p.server->requests.size() == 2);

    auto once = [](auto&& call, const std::string& method, const std::string& path) {
        FakePlatform q;
        q.server->on(method, path, {502, "", {}});
        auto e = expect_throw<Error>([&] { call(*q); });
        CHECK(e.code() == ExitCode::unavailable);
        CHECK(e.message().find("check before running it again") != std::string::npos);
        CHECK(q.server->requests.size() == 1);
        CHECK(q.sleeps.empty());
    };
    once([](PlatformClient& c) { c.create_job(Json{{"name", "j"}}); }, "POST", "/api/v3/jobs/");
    once(
        [](PlatformClient& c) {
            c.create_job(Json{{"name", "j"}}, ApiVersion::v2);
        },
        "POST", "/api/v2/jobs/");
    once([](PlatformClient& c) { c.submit_job("j1"); }, "POST", "/api/v2/jobs/j1/submit/");
    once([](PlatformClient& c) { c.register_file(RegisterFileRequest{}); }, "POST",
         "/api/v3/files/");
    once([](PlatformClient& c) { c.create_folder("root", "x"); }, "POST", "/api/v3/folders/root/");

    // 5xx after all retries: 69.
    FakePlatform r;
    r.server->on("GET", "/api/v3/coretypes/?isActive=true&page_size=1000", {500, "", {}});
    CHECK(expect_throw<Error>([&] { r->coretypes(); }).code() == ExitCode::unavailable);
    CHECK(r.server->requests.size() == 11);

    // A create whose connection failed before sending is safe to retry.
    FakePlatform s;
    s.server->fail_connect("POST", "/api/v3/jobs/", 2);
    s.server->on("POST", "/api/v3/jobs/", {201, R"({"id":"new"})", {}});
    CHECK(s->create_job(Json{{"name", "j"}}).id == "new");
    CHECK(s.server->requests.size() == 3);
}

TEST_CASE("platform: every call spends the token of its scope") {
    FakePlatform p;
    p.server->on("POST", "/api/v2/jobs/j1/submit/", {200, "{}", {}});
    p.server->on("GET", "/api/v2/jobs/j1/files/?page_size=1000", {200, R"({"results":[]})", {}});
    p.server->on("GET", "/api/v2/jobs/j1/statuses/?page_size=1000", {200, R"({"results":[]})", {}});
    p.server->on("POST", "/api/v3/jobs/", {201, R"({"id":"j1"})", {}});
    p.server->on("POST", "/api/v3/credentials/", {201, R"({"storageType":"S3Storage"})", {}});
    p->submit_job("j1");
    p->job_files("j1");
    p->job_statuses("j1");
    p->create_job(Json{{"name", "x"}});
    p->credentials();
    CHECK(p.limiter->acquired == std::vector<Scope>{Scope::job_submission, Scope::jobs_usage,
                                                    Scope::jobs_usage, Scope::user, Scope::user});
}

TEST_CASE("platform: job list filters and calls hit the documented paths") {
    FakePlatform p;
    JobQuery q;
    q.tag = "nightly";
    p.server->on(
        "GET", "/api/v3/jobs/?q=%23nightly&ordering=-dateInserted&page_size=1000",
        {200,
         R"({"results":[{"id":"j","name":"n","jobStatus":{"content":"Completed","statusReason":"ok"}}]})",
         {}});
    auto jobs = p->list_jobs(q);
    REQUIRE(jobs.size() == 1);
    CHECK(jobs[0].status == "Completed");
    JobQuery v2;
    v2.state = "completed";
    v2.job_status = "EXECUTING";
    p.server->on(
        "GET",
        "/api/v2/jobs/?state=completed&job_status=EXECUTING&ordering=-dateInserted&page_size=1000",
        {200, R"({"results":[]})", {}});
    CHECK(p->list_jobs(v2).empty());
    p.server->on("GET", "/api/v2/jobs/j/runs/1/tail/out/process_output.log?lines=5",
                 {200, R"({"lines":["a","b"]})", {}});
    CHECK(p->tail("j", "1", "out/process_output.log", 5) == std::vector<std::string>{"a", "b"});
    p.server->on("DELETE", "/api/v3/files/f1/tags/", {204, "", {}});
    p->remove_file_tag("f1", "x");
    CHECK(p.server->requests.back().body == R"({"name":"x"})");
    p.server->on("PATCH", "/api/v3/files/f1/",
                 {200, R"({"id":"f1","name":"a","currentFolderId":"F2"})", {}});
    CHECK(p->move_file("f1", "F2").folder_id == "F2");
    CHECK(p.server->requests.back().body == R"({"currentFolderId":"F2"})");
    p.server->on("POST", "/api/v3/users/me/folders/trash-bin/recover/", {201, "", {}});
    p->recover_from_trash({"f1"}, {"d1"});
    CHECK(p.server->requests.back().body == R"({"filesymlink_ids":["f1"],"folderIds":["d1"]})");
    // Ids cannot walk out of their path segment.
    CHECK_THROWS_AS(p->get_job("../x"), NotFoundError);
    CHECK(p.server->paths().back() == "GET /api/v3/jobs/..%2Fx/");
}
