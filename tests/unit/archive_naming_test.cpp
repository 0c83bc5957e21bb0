#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "archive/tar_naming.hpp"
#include "core/error.hpp"
#include "core/path_filter.hpp"

using namespace ri;
using namespace ri::archive;

TEST_CASE("FNV-32a matches the reference vectors") {
    CHECK(fnv1a_32("") == 0x811c9dc5u);
    CHECK(fnv1a_32("a") == 0xe40c292cu);
    CHECK(fnv1a_32("foobar") == 0xbf9cf968u);
}

TEST_CASE("archive names: last two components plus the hash of the absolute path") {
    CHECK(archive_file_name("/data/Project_A/Run_1", Compression::none) ==
          "Project_A_Run_1_05392806.tar");
    CHECK(archive_file_name("/data/Project_B/Run_1", Compression::gzip) ==
          "Project_B_Run_1_43e546d3.tar.gz");
    CHECK(archive_file_name("/data/Project_A/Run_1/", Compression::zstd) ==
          "Project_A_Run_1_05392806.tar.zst");
    CHECK(archive_file_name("/data/Project_A/./x/../Run_1", Compression::none) ==
          "Project_A_Run_1_05392806.tar");
    // One component: no parent part. The root itself still gets a name.
    CHECK(archive_file_name("/Run_9", Compression::none) ==
          fmt::format("Run_9_{:08x}.tar", fnv1a_32("/Run_9")));
    CHECK(archive_file_name("/", Compression::none) ==
          fmt::format("root_{:08x}.tar", fnv1a_32("/")));
}

TEST_CASE("relative directories are named from their absolute path") {
    std::string abs = (std::filesystem::current_path() / "Run_3").lexically_normal().string();
    CHECK(naming_path("Run_3").string() == abs);
    CHECK(archive_file_name("Run_3", Compression::none)
              .ends_with(fmt::format("_Run_3_{:08x}.tar", fnv1a_32(abs))));
}

TEST_CASE("long components are shortened to keep the name under NAME_MAX") {
    std::string big(300, 'x');
    std::string name = archive_file_name("/" + big + "/" + big, Compression::zstd);
    CHECK(name.size() <= 255);
    CHECK(is_ri_archive_name(name));
    // Never cut inside a UTF-8 sequence.
    std::string base = "a";
    for (int i = 0; i < 120; ++i)
        base += "\xc3\xa9";  // é: a cut at byte 100 would split the 50th one
    std::string n2 = archive_file_name("/p/" + base, Compression::none);
    std::string stem = n2.substr(2, n2.size() - 2 - 13);  // drop "p_" and "_xxxxxxxx.tar"
    CHECK(stem == base.substr(0, 99));
}

TEST_CASE("ri archive names are recognised, others are not") {
    CHECK(is_ri_archive_name("Project_A_Run_1_05392806.tar"));
    CHECK(is_ri_archive_name("Run_1_05392806.tar.gz"));
    CHECK(is_ri_archive_name("x_0123abcd.tar.zst"));
    CHECK_FALSE(is_ri_archive_name("_0123abcd.tar"));           // empty stem
    CHECK_FALSE(is_ri_archive_name("Run_1_0539280.tar"));       // seven digits
    CHECK_FALSE(is_ri_archive_name("Run_1_0539280G.tar"));      // not hex
    CHECK_FALSE(is_ri_archive_name("Run_1_0539280A.tar"));      // upper case
    CHECK_FALSE(is_ri_archive_name("Run_1_05392806.tar.bz2"));  // other extension
    CHECK_FALSE(is_ri_archive_name("Run_1_05392806"));
    CHECK_FALSE(is_ri_archive_name("results.tar"));
    CHECK_FALSE(is_ri_archive_name("a/Run_1_05392806.tar"));
    CHECK_FALSE(is_ri_archive_name("Run_1_05392806.tar.ri-partial"));
}

TEST_CASE("compressions parse and name their extensions") {
    CHECK(parse_compression("zstd") == Compression::zstd);
    CHECK(archive_extension(parse_compression("gzip")) == ".tar.gz");
    CHECK(compression_name(Compression::none) == "none");
    CHECK_THROWS_AS(parse_compression("bzip2"), Error);
}

TEST_CASE("include and exclude globs") {
    CHECK(PathFilter::split_patterns("*.log; *.tmp ;;core.*") ==
          std::vector<std::string>{"*.log", "*.tmp", "core.*"});
    CHECK(PathFilter::split_patterns("").empty());

    PathFilter none;
    CHECK(none.empty());
    CHECK(none.keeps_file("a/b.dat"));

    PathFilter ex({}, {"*.log;scratch", "out/*.tmp"});
    CHECK(ex.keeps_file("run.dat"));
    CHECK_FALSE(ex.keeps_file("run.log"));
    CHECK_FALSE(ex.keeps_file("deep/er/run.log"));  // name patterns match at any depth
    CHECK_FALSE(ex.keeps_directory("scratch"));
    CHECK_FALSE(ex.keeps_directory("a/scratch"));
    CHECK(ex.keeps_directory("scratchpad"));
    CHECK_FALSE(ex.keeps_file("out/x.tmp"));  // path patterns: relative to the root
    CHECK(ex.keeps_file("other/out/x.tmp"));
    CHECK(ex.keeps_file("x.tmp"));

    PathFilter in({"*.inp", "mesh/*"}, {"bad.inp"});
    CHECK(in.keeps_file("case.inp"));
    CHECK(in.keeps_file("sub/case.inp"));
    CHECK(in.keeps_file("mesh/a.msh"));
    CHECK_FALSE(in.keeps_file("mesh/deeper/a.msh"));  // '*' stops at '/'
    CHECK_FALSE(in.keeps_file("notes.txt"));
    CHECK_FALSE(in.keeps_file("bad.inp"));  // exclude wins
    CHECK(in.keeps_directory("anything"));  // includes never prune directories
}
