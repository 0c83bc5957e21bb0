// ri-sandbox's pure parts: the page envelope with absolute next/previous URLs, ordering, the
// --rate-limits values, ids and timestamps.
#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "sandbox/sandbox_impl.hpp"

using namespace ri::sandbox;

namespace {

struct FakeCall {
    httplib::Request req;
    httplib::Response res;
    User user;
    FakeCall(std::string path, std::multimap<std::string, std::string> params) {
        req.path = std::move(path);
        req.params = {params.begin(), params.end()};
        req.set_header("Host", "127.0.0.1:4242");
    }
    Ctx ctx() { return Ctx{req, res, user}; }
};

std::vector<Json> numbers(int n) {
    std::vector<Json> out;
    for (int i = 1; i <= n; ++i)
        out.push_back(Json{{"n", i}});
    return out;
}

}  // namespace

TEST_CASE("sandbox paging: default page size 25, absolute next", "[sandbox]") {
    FakeCall call("/api/v3/files/", {{"search", "a b"}});
    Json page = paginate(call.ctx(), numbers(30));
    CHECK(page["count"] == 30);
    CHECK(page["results"].size() == 25);
    CHECK(page["previous"].is_null());
    CHECK(page["next"] == "http://127.0.0.1:4242/api/v3/files/?search=a%20b&page=2&page_size=25");
    std::vector<std::string> keys;
    for (auto& [k, v] : page.items())
        keys.push_back(k);
    CHECK(keys == std::vector<std::string>{"count", "next", "previous", "results"});
}

TEST_CASE("sandbox paging: last page, page_size capped at 1000, bad pages", "[sandbox]") {
    FakeCall last("/api/v2/jobs/", {{"page", "2"}, {"page_size", "20"}});
    Json page = paginate(last.ctx(), numbers(30));
    CHECK(page["results"].size() == 10);
    CHECK(page["results"][0]["n"] == 21);
    CHECK(page["next"].is_null());
    CHECK(page["previous"] == "http://127.0.0.1:4242/api/v2/jobs/?page=1&page_size=20");

    FakeCall big("/x/", {{"page_size", "5000"}});
    CHECK(paginate(big.ctx(), numbers(1500))["results"].size() == 1000);

    FakeCall past("/x/", {{"page", "3"}});
    CHECK_THROWS_AS(paginate(past.ctx(), numbers(30)), HttpError);
    FakeCall junk("/x/", {{"page", "abc"}});
    CHECK_THROWS_AS(paginate(junk.ctx(), numbers(3)), HttpError);
    FakeCall empty("/x/", {});
    Json none = paginate(empty.ctx(), {});
    CHECK(none["count"] == 0);
    CHECK(none["results"].empty());
}

TEST_CASE("sandbox ordering: fields, descending, ties keep order", "[sandbox]") {
    std::vector<Json> items = {Json{{"name", "b"}, {"d", 2}}, Json{{"name", "a"}, {"d", 2}},
                               Json{{"name", "c"}, {"d", 1}}};
    order_by(items, "-d,name");
    CHECK(items[0]["name"] == "a");
    CHECK(items[1]["name"] == "b");
    CHECK(items[2]["name"] == "c");
    order_by(items, "d");
    CHECK(items[0]["name"] == "c");
}

TEST_CASE("sandbox --rate-limits values", "[sandbox]") {
    CHECK(parse_rate_factor("real") == 1);
    CHECK(parse_rate_factor("off") == 0);
    CHECK(parse_rate_factor("x10") == 10);
    CHECK(parse_rate_factor("x0.5") == 0.5);
    CHECK_THROWS_AS(parse_rate_factor("x0"), ri::Error);
    CHECK_THROWS_AS(parse_rate_factor("10"), ri::Error);
    CHECK_THROWS_AS(parse_rate_factor("x2y"), ri::Error);
}

TEST_CASE("sandbox ids and timestamps", "[sandbox]") {
    std::string id = random_id(6);
    CHECK(id.size() == 6);
    CHECK(id.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") ==
          std::string::npos);
    CHECK(random_id(6) != id);
    CHECK(iso_from_epoch(1548711244.447607) == "2019-01-28T21:34:04.447607Z");
    CHECK(find_core_type("emerald") != nullptr);
    CHECK(find_core_type("nope") == nullptr);
    CHECK(find_analysis("user_included") != nullptr);
}
