#include "core/ini.hpp"

#include <catch2/catch.hpp>

using namespace ri;

TEST_CASE("INI values are read by section with case-insensitive keys") {
    auto doc = IniDocument::parse(
        "# comment\n[default]\napibaseurl = https://platform.rescale.com\nAPIKEY=abc\n"
        "[interlink.autoDownload]\nenabled = true\nquoted = \"a b\"\n");
    CHECK(doc.get("default", "apibaseurl") == "https://platform.rescale.com");
    CHECK(doc.get("default", "apikey") == "abc");
    CHECK(doc.get("interlink.autoDownload", "enabled") == "true");
    CHECK(doc.get("interlink.autoDownload", "quoted") == "a b");
    CHECK_FALSE(doc.get("other", "apikey").has_value());
    CHECK(doc.has_section("default"));
}

TEST_CASE("setting a key keeps every other line, comment and section") {
    std::string text =
        "; written by hand\n[default]\napikey = old # not a comment in INI "
        "values\n\n[prod]\napikey = p\n";
    auto doc = IniDocument::parse(text);
    doc.set("default", "apikey", "new");
    doc.set("default", "apibaseurl", "https://eu.rescale.com");
    doc.set("interlink.autoDownload", "enabled", "true");
    std::string out = doc.to_string();
    CHECK(out.find("; written by hand") == 0);
    CHECK(out.find("apikey = new") != std::string::npos);
    CHECK(out.find("old") == std::string::npos);
    CHECK(out.find("[prod]\napikey = p") != std::string::npos);
    // The new key lands inside [default], before [prod].
    CHECK(out.find("apibaseurl") < out.find("[prod]"));
    auto again = IniDocument::parse(out);
    CHECK(again.get("default", "apibaseurl") == "https://eu.rescale.com");
    CHECK(again.get("interlink.autoDownload", "enabled") == "true");
    CHECK(again.get("prod", "apikey") == "p");
    CHECK(again.remove("default", "apikey"));
    CHECK_FALSE(again.get("default", "apikey").has_value());
}
