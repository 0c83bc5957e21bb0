#include "core/state_store.hpp"

#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "core/error.hpp"
#include "test_support.hpp"

using namespace ri;

TEST_CASE("the state database is WAL, private, and migrated once") {
    test::TempDir dir;
    auto path = dir / "sub/state.db";
    std::vector<Migration> migrations = {
        {1, "one", "CREATE TABLE a (x INTEGER);"},
        {2, "two", "ALTER TABLE a ADD COLUMN y TEXT;"},
    };
    {
        auto db = StateStore::open(path, migrations);
        CHECK(db.schema_version() == 2);
        CHECK(db.journal_mode() == "wal");
        db.prepare("INSERT INTO a (x, y) VALUES (?, ?)").bind(1, int64_t{7}).bind(2, "seven").run();
    }
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    // Reopening applies nothing twice, and data survives.
    auto db = StateStore::open(path, migrations);
    auto q = db.prepare("SELECT x, y FROM a");
    REQUIRE(q.step());
    CHECK(q.column_int(0) == 7);
    CHECK(q.column_text(1) == "seven");
    CHECK_FALSE(q.step());
}

TEST_CASE("a failed transaction leaves nothing behind") {
    test::TempDir dir;
    auto db = StateStore::open(dir / "s.db", {{1, "t", "CREATE TABLE t (v INTEGER);"}});
    CHECK_THROWS(db.transaction([&] {
        db.exec("INSERT INTO t VALUES (1);");
        throw Error::io("boom");
    }));
    auto q = db.prepare("SELECT COUNT(*) FROM t");
    REQUIRE(q.step());
    CHECK(q.column_int(0) == 0);
}

TEST_CASE("a database from a newer ri is refused, not damaged") {
    test::TempDir dir;
    { auto db = StateStore::open(dir / "s.db", {{1, "a", "SELECT 1;"}, {2, "b", "SELECT 1;"}}); }
    try {
        StateStore::open(dir / "s.db", {{1, "a", "SELECT 1;"}});
        FAIL("opened a newer schema");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::config);
    }
}
