#include <catch2/catch.hpp>

#include "archive/entry_path.hpp"

using namespace ri::archive;

TEST_CASE("entry names are normalized or refused") {
    CHECK(normalize_entry_path("a/b") == std::optional<std::string>("a/b"));
    CHECK(normalize_entry_path("./a//b/") == std::optional<std::string>("a/b"));
    CHECK(normalize_entry_path("Run_1/") == std::optional<std::string>("Run_1"));
    CHECK(normalize_entry_path(".") == std::optional<std::string>(""));
    CHECK(normalize_entry_path("./") == std::optional<std::string>(""));
    CHECK(normalize_entry_path("a/..b/c..") == std::optional<std::string>("a/..b/c.."));
    CHECK_FALSE(normalize_entry_path("/etc/passwd").has_value());
    CHECK_FALSE(normalize_entry_path("//etc/passwd").has_value());
    CHECK_FALSE(normalize_entry_path("../x").has_value());
    CHECK_FALSE(normalize_entry_path("a/../../x").has_value());
    CHECK_FALSE(normalize_entry_path("a/../b").has_value());  // no ".." at all, even harmless
    CHECK_FALSE(normalize_entry_path("a/..").has_value());
    CHECK_FALSE(normalize_entry_path(std::string_view("a\0b", 3)).has_value());
}

TEST_CASE("symlink targets that leave the root are recognised") {
    CHECK_FALSE(link_target_escapes("Run_1/link", "a.txt"));
    CHECK_FALSE(link_target_escapes("Run_1/sub/link", "../a.txt"));
    CHECK_FALSE(link_target_escapes("Run_1/sub/link", "../../x"));  // DIR/x
    CHECK(link_target_escapes("Run_1/sub/link", "../../../x"));
    CHECK(link_target_escapes("link", ".."));
    CHECK_FALSE(link_target_escapes("link", "."));
    CHECK(link_target_escapes("link", "/etc/passwd"));
    CHECK(link_target_escapes("a/link", "b/../../.."));
    CHECK_FALSE(link_target_escapes("a/link", "b/../../c"));
    CHECK(link_target_escapes("a/link", ""));
    CHECK_FALSE(link_target_escapes("a/link", "./b//c/"));
}

TEST_CASE("parent and name of entry paths") {
    CHECK(parent_of("a/b/c") == "a/b");
    CHECK(parent_of("c").empty());
    CHECK(name_of("a/b/c") == "c");
    CHECK(name_of("c") == "c");
}
