#include "core/units.hpp"

#include <catch2/catch.hpp>

using namespace ri;

TEST_CASE("ETA is worded as in the S3UI table") {
    CHECK(units::eta(0) == "A few seconds");
    CHECK(units::eta(4.9) == "A few seconds");
    CHECK(units::eta(5) == "~5 sec");
    CHECK(units::eta(28) == "~30 sec");
    CHECK(units::eta(59) == "~1 min");
    CHECK(units::eta(4 * 60 + 10) == "~4 min");
    CHECK(units::eta(2 * 3600 + 15 * 60) == "~2 hr 15 min");
    CHECK(units::eta(27 * 3600) == "~1 day 3 hr");
    CHECK(units::eta(-1) == "unknown");
}

TEST_CASE("sizes are printed in binary units") {
    CHECK(units::bytes(0) == "0 B");
    CHECK(units::bytes(1023) == "1023 B");
    CHECK(units::bytes(1536) == "1.50 KiB");
    CHECK(units::bytes(1ULL << 30) == "1.00 GiB");
    CHECK(units::bytes(300ULL << 20) == "300 MiB");
    CHECK(units::rate(0) == "0 B/s");
}

TEST_CASE("sizes are parsed with binary suffixes") {
    CHECK(units::parse_size("4096") == 4096u);
    CHECK(units::parse_size("16MiB") == (16u << 20));
    CHECK(units::parse_size("16m") == (16u << 20));
    CHECK(units::parse_size("1G") == (1ULL << 30));
    CHECK_FALSE(units::parse_size("").has_value());
    CHECK_FALSE(units::parse_size("12x").has_value());
    CHECK_FALSE(units::parse_size("-5").has_value());
    CHECK_FALSE(units::parse_size("99999999999999999999").has_value());
}
