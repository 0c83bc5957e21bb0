#include "core/input.hpp"

#include <catch2/catch.hpp>
#include <sstream>

#include "core/error.hpp"

using namespace ri;

TEST_CASE("stdin records: JSON objects and bare lines, blank lines skipped") {
    std::istringstream in("{\"kind\":\"file\",\"id\":\"abc\"}\n\nplain path.dat\r\n\"quoted\"\n");
    RecordReader r(in);
    auto a = r.next();
    REQUIRE(a);
    CHECK(a->line == 1);
    CHECK(a->record["id"] == "abc");
    auto b = r.next();
    REQUIRE(b);
    CHECK(b->line == 3);
    CHECK(b->record["path"] == "plain path.dat");
    auto c = r.next();
    REQUIRE(c);
    CHECK(c->record["path"] == "quoted");
    CHECK_FALSE(r.next());
}

TEST_CASE("a malformed line stops with bad data naming the line") {
    std::istringstream in("{\"path\":\"a\"}\n{\"path\":\n");
    RecordReader r(in);
    REQUIRE(r.next());
    try {
        r.next();
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::bad_data);
        CHECK(std::string(e.what()).find("line 2") != std::string::npos);
    }
    std::istringstream arr("[1,2]\n");
    RecordReader r2(arr);
    CHECK_THROWS_AS(r2.next(), Error);
}

TEST_CASE("batch outcome maps item failures to exit codes") {
    BatchOutcome all_ok;
    all_ok.success();
    CHECK(all_ok.exit_code() == ExitCode::ok);
    BatchOutcome one_missing;
    one_missing.failure(ExitCode::missing_input);
    CHECK(one_missing.exit_code() == ExitCode::missing_input);
    BatchOutcome partial;
    partial.success();
    partial.failure(ExitCode::missing_input);
    CHECK(partial.exit_code() == ExitCode::partial);
    BatchOutcome mixed;
    mixed.failure(ExitCode::missing_input);
    mixed.failure(ExitCode::bad_data);
    CHECK(mixed.exit_code() == ExitCode::partial);
}
