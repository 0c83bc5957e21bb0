#include "archive/archive_extractor.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "archive/archive_listing.hpp"
#include "archive/directory_packer.hpp"
#include "core/error.hpp"
#include "test_support.hpp"

using namespace ri;
using namespace ri::archive;
namespace fs = std::filesystem;

namespace {

struct Item {
    std::string name;
    char type = 'f';  // f file, d dir, l symlink, h hard link
    std::string data_or_target;
};

// A tar archive written straight with libarchive, so it can hold what no tree would produce.
void make_tar(const fs::path& path, const std::vector<Item>& items) {
    struct archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    REQUIRE(archive_write_open_filename(a, path.c_str()) == ARCHIVE_OK);
    for (const auto& it : items) {
        archive_entry* e = archive_entry_new();
        archive_entry_set_pathname(e, it.name.c_str());
        archive_entry_set_perm(e, it.type == 'd' ? 0755 : 0644);
        switch (it.type) {
            case 'd':
                archive_entry_set_filetype(e, AE_IFDIR);
                break;
            case 'l':
                archive_entry_set_filetype(e, AE_IFLNK);
                archive_entry_set_symlink(e, it.data_or_target.c_str());
                break;
            case 'h':
                archive_entry_set_filetype(e, AE_IFREG);
                archive_entry_set_hardlink(e, it.data_or_target.c_str());
                break;
            default:
                archive_entry_set_filetype(e, AE_IFREG);
                archive_entry_set_size(e, static_cast<la_int64_t>(it.data_or_target.size()));
        }
        REQUIRE(archive_write_header(a, e) == ARCHIVE_OK);
        if (it.type == 'f')
            archive_write_data(a, it.data_or_target.data(), it.data_or_target.size());
        archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
}

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

const WarnFn quiet = [](std::string_view) {};

// Every entry below root, as "path" lines (symlinks with their target), sorted.
std::vector<std::string> tree(const fs::path& root) {
    std::vector<std::string> out;
    for (auto& e : fs::recursive_directory_iterator(root)) {
        std::string rel = fs::relative(e.path(), root).string();
        if (e.is_symlink()) rel += " -> " + fs::read_symlink(e.path()).string();
        out.push_back(rel);
    }
    std::sort(out.begin(), out.end());
    return out;
}

// Extracts into T/dest (T also holding the archive and a canary), expecting a refusal.
void expect_refused(const std::vector<Item>& items, const std::string& why_part) {
    test::TempDir t;
    fs::create_directory(t / "dest");
    std::ofstream(t / "dest" / "keep.txt") << "mine";
    std::ofstream(t / "canary") << "untouched";
    make_tar(t / "evil.tar", items);
    Progress progress;
    try {
        extract_archive((t / "evil.tar").string(), t / "dest", progress, quiet);
        FAIL("the archive was extracted");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::bad_data);
        INFO(e.message());
        CHECK(e.message().find(why_part) != std::string::npos);
    }
    // Nothing outside DIR changed, and nothing extracted stayed inside it.
    CHECK(slurp(t / "canary") == "untouched");
    CHECK_FALSE(fs::exists(t / "x"));
    CHECK_FALSE(fs::exists(t.path().parent_path() / "ri-evil"));
    CHECK(tree(t / "dest") == std::vector<std::string>{"keep.txt"});
    CHECK(slurp(t / "dest" / "keep.txt") == "mine");
}

}  // namespace

TEST_CASE("malicious archives are refused and leave nothing behind") {
    SECTION("absolute path") {
        expect_refused({{"ok.txt", 'f', "fine"}, {"/tmp/ri-evil", 'f', "x"}}, "absolute path");
    }
    SECTION("dot-dot") {
        expect_refused({{"a/ok.txt", 'f', "fine"}, {"a/../../x", 'f', "x"}}, "'..' in its path");
    }
    SECTION("symlink pointing out") {
        expect_refused({{"ok.txt", 'f', "fine"}, {"link", 'l', "../x"}}, "outside the target");
    }
    SECTION("absolute symlink") {
        expect_refused({{"link", 'l', "/etc"}}, "outside the target");
    }
    SECTION("write through a symlink") {
        // The link itself stays inside, but nothing may be written through any link.
        expect_refused({{"sub", 'd', ""}, {"link", 'l', "sub"}, {"link/x", 'f', "x"}},
                       "through the symlink");
    }
    SECTION("symlink escape through another symlink") {
        // q -> "." is harmless and p -> "q/.." looks like ".", but on disk p is DIR/..
        expect_refused({{"q", 'l', "."}, {"p", 'l', "q/.."}}, "through other symlinks");
    }
    SECTION("hard link out of the tree") {
        expect_refused({{"ok.txt", 'f', "fine"}, {"h", 'h', "../canary"}}, "hard link");
    }
    SECTION("hard link to something not in the archive") {
        expect_refused({{"h", 'h', "keep.txt"}}, "not a file extracted earlier");
    }
    SECTION("hard link to a symlink that was a file first") {
        expect_refused({{"a/f", 'f', "x"}, {"a/f", 'l', "../y"}, {"g", 'h', "a/f"}},
                       "not a file extracted earlier");
    }
}

TEST_CASE("a symlink already in the target directory is never written through") {
    test::TempDir t;
    fs::create_directories(t / "dest");
    fs::create_directories(t / "elsewhere");
    fs::create_directory_symlink(t / "elsewhere", t / "dest" / "results");
    make_tar(t / "a.tar", {{"results/out.dat", 'f', "x"}});
    Progress progress;
    CHECK_THROWS_AS(extract_archive((t / "a.tar").string(), t / "dest", progress, quiet), Error);
    CHECK(fs::is_empty(t / "elsewhere"));
}

TEST_CASE("a packed tree extracts back identically") {
    test::TempDir t;
    fs::create_directories(t / "Proj" / "Run_1" / "sub" / "empty");
    std::ofstream(t / "Proj" / "Run_1" / "a.txt") << "alpha";
    std::ofstream(t / "Proj" / "Run_1" / "sub" / "b.dat") << std::string(100000, 'b');
    std::ofstream(t / "Proj" / "Run_1" / "run.sh") << "#!/bin/sh\n";
    ::chmod((t / "Proj" / "Run_1" / "run.sh").c_str(), 0750);
    fs::create_symlink("../a.txt", t / "Proj" / "Run_1" / "sub" / "link");

    for (auto c : {Compression::none, Compression::gzip, Compression::zstd}) {
        PackOptions o;
        o.output_dir = t / "out";
        o.format.compression = c;
        Progress progress;
        PackResult r = pack_directory((t / "Proj" / "Run_1").string(), o, progress, quiet);
        CHECK(r.files == 3);
        CHECK(r.directories == 3);
        CHECK(r.symlinks == 1);
        CHECK(r.bytes == 5 + 100000 + 10);
        CHECK(fs::file_size(r.archive) == r.size);
        CHECK_FALSE(fs::exists(r.archive + ".ri-partial"));

        std::vector<std::string> names;
        list_archive(r.archive, [&](const ListedEntry& e) { names.push_back(e.path); });
        CHECK(names == std::vector<std::string>{"Run_1/", "Run_1/a.txt", "Run_1/run.sh",
                                                "Run_1/sub/", "Run_1/sub/b.dat", "Run_1/sub/empty/",
                                                "Run_1/sub/link"});

        fs::path dest = t / ("x" + std::string(compression_name(c)));
        ExtractResult x = extract_archive(r.archive, dest, progress, quiet);
        CHECK(x.files == 3);
        CHECK(x.symlinks == 1);
        CHECK(x.bytes == r.bytes);
        CHECK(tree(dest / "Run_1") == tree(t / "Proj" / "Run_1"));
        CHECK(slurp(dest / "Run_1" / "sub" / "b.dat") == std::string(100000, 'b'));
        struct stat st {};
        REQUIRE(::stat((dest / "Run_1" / "run.sh").c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0750);
    }
}

TEST_CASE("--flatten stores bare names and refuses collisions") {
    test::TempDir t;
    fs::create_directories(t / "Run" / "a");
    fs::create_directories(t / "Run" / "b");
    std::ofstream(t / "Run" / "a" / "x.dat") << "1";
    std::ofstream(t / "Run" / "b" / "y.dat") << "2";
    PackOptions o;
    o.output_dir = t / "out";
    o.flatten = true;
    Progress progress;
    PackResult r = pack_directory((t / "Run").string(), o, progress, quiet);
    std::vector<std::string> names;
    list_archive(r.archive, [&](const ListedEntry& e) { names.push_back(e.path); });
    CHECK(names == std::vector<std::string>{"x.dat", "y.dat"});

    std::ofstream(t / "Run" / "b" / "x.dat") << "3";
    fs::remove(r.archive);
    try {
        pack_directory((t / "Run").string(), o, progress, quiet);
        FAIL("a collision was stored");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::bad_data);
        CHECK(e.message().find("a/x.dat") != std::string::npos);
        CHECK(e.message().find("b/x.dat") != std::string::npos);
    }
    CHECK(fs::is_empty(t / "out"));
}

TEST_CASE("--subpath archives a subdirectory and refuses ways out") {
    test::TempDir t;
    fs::create_directories(t / "Run_1" / "results" / "final");
    fs::create_directories(t / "outside");
    std::ofstream(t / "Run_1" / "results" / "final" / "r.dat") << "r";
    fs::create_directory_symlink("../../outside", t / "Run_1" / "results" / "out");
    fs::create_directory_symlink("final", t / "Run_1" / "results" / "alias");
    PackOptions o;
    o.output_dir = t / "out";
    Progress progress;
    o.subpath = "results/final";
    PackResult r = pack_directory((t / "Run_1").string(), o, progress, quiet);
    CHECK(fs::path(r.archive).filename().string().starts_with("results_final_"));
    std::vector<std::string> names;
    list_archive(r.archive, [&](const ListedEntry& e) { names.push_back(e.path); });
    CHECK(names == std::vector<std::string>{"final/", "final/r.dat"});

    o.subpath = "results/alias";  // a symlink that stays inside is fine
    CHECK_NOTHROW(pack_directory((t / "Run_1").string(), o, progress, quiet));
    for (const char* bad : {"../outside", "/etc", "results/../.."}) {
        o.subpath = bad;
        try {
            pack_directory((t / "Run_1").string(), o, progress, quiet);
            FAIL("subpath accepted");
        } catch (const Error& e) {
            CHECK(e.code() == ExitCode::usage);
        }
    }
    o.subpath = "results/out";
    try {
        pack_directory((t / "Run_1").string(), o, progress, quiet);
        FAIL("subpath through an outward symlink accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::bad_data);
    }
    o.subpath = "missing";
    try {
        pack_directory((t / "Run_1").string(), o, progress, quiet);
        FAIL("missing subpath accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::missing_input);
    }
}
