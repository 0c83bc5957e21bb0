#include "archive/archive_staging.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>

#include "core/error.hpp"
#include "test_support.hpp"

using namespace ri;
using namespace ri::archive;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text = "data") {
    std::ofstream(p) << text;
}

}  // namespace

TEST_CASE("a staging directory is private and named ri-tar-XXXXXX") {
    test::TempDir tmp;
    ArchiveStaging s = ArchiveStaging::create(tmp.path());
    struct stat st {};
    REQUIRE(::stat(s.dir().c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
    CHECK(s.dir().filename().string().starts_with("ri-tar-"));
    CHECK(s.dir().parent_path() == fs::canonical(tmp.path()));
    CHECK_THROWS_AS(ArchiveStaging::create(tmp / "missing/deeper"), Error);
}

TEST_CASE("ri's own archives in the staging directory are removed") {
    test::TempDir tmp;
    ArchiveStaging s = ArchiveStaging::create(tmp.path());
    for (const char* name :
         {"Proj_Run_1_0a1b2c3d.tar", "Run_2_0a1b2c3d.tar.gz", "Run_3_ffffffff.tar.zst"}) {
        write(s.dir() / name);
        CHECK_FALSE(s.removal_refusal(s.dir() / name).has_value());
        CHECK_FALSE(s.remove_archive(s.dir() / name).has_value());
        CHECK_FALSE(fs::exists(s.dir() / name));
    }
    // Through a symlinked path to the staging directory: the real path is what counts.
    fs::create_directory_symlink(s.dir(), tmp / "alias");
    write(s.dir() / "Run_4_01234567.tar");
    CHECK_FALSE(s.remove_archive(tmp / "alias" / "Run_4_01234567.tar").has_value());
    CHECK_FALSE(fs::exists(s.dir() / "Run_4_01234567.tar"));
    CHECK(s.remove_if_empty());
    CHECK_FALSE(fs::exists(s.dir()));
}

TEST_CASE("every guardrail refuses on its own") {
    test::TempDir tmp;
    ArchiveStaging s = ArchiveStaging::create(tmp.path());
    const std::string good = "Run_1_0a1b2c3d.tar";

    SECTION("1: outside the staging directory") {
        write(tmp / good);
        auto why = s.remove_archive(tmp / good);
        REQUIRE(why.has_value());
        CHECK(why->find("not directly inside") != std::string::npos);
        CHECK(fs::exists(tmp / good));
    }
    SECTION("1: in a subdirectory of the staging directory") {
        fs::create_directory(s.dir() / "sub");
        write(s.dir() / "sub" / good);
        CHECK(s.remove_archive(s.dir() / "sub" / good).has_value());
        CHECK(fs::exists(s.dir() / "sub" / good));
    }
    SECTION("1: climbing out with ..") {
        write(tmp / good);
        CHECK(s.remove_archive(s.dir() / ".." / good).has_value());
        CHECK(fs::exists(tmp / good));
    }
    SECTION("3: a symlink named like an archive, pointing at a user's file") {
        write(tmp / "precious.dat");
        fs::create_symlink(tmp / "precious.dat", s.dir() / good);
        auto why = s.remove_archive(s.dir() / good);
        REQUIRE(why.has_value());
        CHECK(why->find("not a regular file") != std::string::npos);
        CHECK(fs::exists(tmp / "precious.dat"));
        CHECK(fs::is_symlink(s.dir() / good));
    }
    SECTION("3: a directory named like an archive") {
        fs::create_directory(s.dir() / good);
        CHECK(s.remove_archive(s.dir() / good).has_value());
        CHECK(fs::is_directory(s.dir() / good));
    }
    SECTION("4: a file without an archive extension") {
        write(s.dir() / "Run_1_0a1b2c3d.dat");
        CHECK(s.remove_archive(s.dir() / "Run_1_0a1b2c3d.dat").has_value());
        CHECK(fs::exists(s.dir() / "Run_1_0a1b2c3d.dat"));
    }
    SECTION("5: an archive name without ri's FNV suffix") {
        write(s.dir() / "results.tar.gz");
        auto why = s.remove_archive(s.dir() / "results.tar.gz");
        REQUIRE(why.has_value());
        CHECK(why->find("not named like an ri archive") != std::string::npos);
        CHECK(fs::exists(s.dir() / "results.tar.gz"));
    }
    SECTION("3: a file owned by another user") {
        write(s.dir() / good);
        if (::geteuid() == 0) {
            REQUIRE(::chown((s.dir() / good).c_str(), 65534, 65534) == 0);
            auto why = s.remove_archive(s.dir() / good);
            REQUIRE(why.has_value());
            CHECK(why->find("not owned by this user") != std::string::npos);
            CHECK(fs::exists(s.dir() / good));
        } else {
            WARN("ownership guardrail not exercised: giving a file away needs root");
            CHECK_FALSE(s.removal_refusal(s.dir() / good).has_value());
        }
    }
    SECTION("a missing file is refused, not an error") {
        CHECK(s.remove_archive(s.dir() / good).has_value());
    }
}

TEST_CASE("2: the staging directory must still be the one ri created") {
    test::TempDir tmp;
    ArchiveStaging s = ArchiveStaging::create(tmp.path());
    const std::string good = "Run_1_0a1b2c3d.tar";
    // Replaced by another directory of the same name (different inode).
    fs::path moved = tmp / "moved";
    fs::rename(s.dir(), moved);
    fs::create_directory(s.dir());
    fs::permissions(s.dir(), fs::perms::owner_all);
    write(s.dir() / good);
    auto why = s.remove_archive(s.dir() / good);
    REQUIRE(why.has_value());
    CHECK(why->find("no longer the staging directory") != std::string::npos);
    CHECK(fs::exists(s.dir() / good));
    CHECK_FALSE(s.remove_if_empty());
}

TEST_CASE("adopting a directory checks its name, owner and mode") {
    test::TempDir tmp;
    ArchiveStaging s = ArchiveStaging::create(tmp.path());
    ArchiveStaging again = ArchiveStaging::adopt(s.dir());
    write(s.dir() / "Run_1_0a1b2c3d.tar");
    CHECK_FALSE(again.remove_archive(s.dir() / "Run_1_0a1b2c3d.tar").has_value());

    fs::create_directory(tmp / "not-staging");
    CHECK_THROWS_AS(ArchiveStaging::adopt(tmp / "not-staging"), Error);
    fs::create_directory(tmp / "ri-tar-open");
    ::chmod((tmp / "ri-tar-open").c_str(), 0777);
    CHECK_THROWS_AS(ArchiveStaging::adopt(tmp / "ri-tar-open"), Error);
    CHECK_THROWS_AS(ArchiveStaging::adopt(tmp / "ri-tar-missing"), Error);
    // A staging directory opened up to other users after creation is refused too.
    ::chmod(s.dir().c_str(), 0777);
    write(s.dir() / "Run_2_0a1b2c3d.tar");
    auto why = s.remove_archive(s.dir() / "Run_2_0a1b2c3d.tar");
    REQUIRE(why.has_value());
    CHECK(why->find("writable by other users") != std::string::npos);
}
