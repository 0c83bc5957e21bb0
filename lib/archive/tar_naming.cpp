#include "archive/tar_naming.hpp"

#include <fmt/format.h>

#include "core/enum_names.hpp"
#include "core/error.hpp"

namespace ri::archive {

constexpr std::array<NamedValue<Compression>, 3> kCompressionNames{
    {{Compression::none, "none"}, {Compression::gzip, "gzip"}, {Compression::zstd, "zstd"}}};
constexpr std::array<NamedValue<Compression>, 3> kExtensions{
    {{Compression::none, ".tar"}, {Compression::gzip, ".tar.gz"}, {Compression::zstd, ".tar.zst"}}};

Compression parse_compression(std::string_view text) {
    if (auto c = parse_in(kCompressionNames, text)) return *c;
    throw Error::usage(
        fmt::format("Unknown compression '{}': use {}.", text, names_of(kCompressionNames)));
}

std::string_view compression_name(Compression c) {
    return name_in(kCompressionNames, c, "none");
}

std::string_view archive_extension(Compression c) {
    return name_in(kExtensions, c, ".tar");
}

uint32_t fnv1a_32(std::string_view bytes) {
    uint32_t h = 2166136261u;
    for (char ch : bytes) {
        h ^= static_cast<unsigned char>(ch);
        h *= 16777619u;
    }
    return h;
}

std::filesystem::path naming_path(const std::filesystem::path& dir) {
    std::filesystem::path p = std::filesystem::absolute(dir).lexically_normal();
    std::string s = p.string();
    while (s.size() > 1 && s.back() == '/')
        s.pop_back();
    return s;
}

namespace {

// At most max bytes, never cutting a UTF-8 sequence in half.
std::string shorten(std::string s, size_t max) {
    if (s.size() <= max) return s;
    size_t cut = max;
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80)
        --cut;
    s.resize(cut);
    return s;
}

}  // namespace

std::string archive_file_name(const std::filesystem::path& dir, Compression c) {
    std::filesystem::path abs = naming_path(dir);
    // 2 x 100 + "_" + "_xxxxxxxx" + ".tar.zst" stays well under NAME_MAX (255).
    std::string base = shorten(abs.filename().string(), 100);
    std::string parent = shorten(abs.parent_path().filename().string(), 100);
    if (base.empty()) base = "root";  // the archive of "/"
    std::string stem = parent.empty() ? base : parent + "_" + base;
    return fmt::format("{}_{:08x}{}", stem, fnv1a_32(abs.string()), archive_extension(c));
}

bool is_ri_archive_name(std::string_view name) {
    if (name.find('/') != std::string_view::npos) return false;
    std::string_view rest;
    for (auto c : {Compression::gzip, Compression::zstd, Compression::none}) {
        std::string_view ext = archive_extension(c);
        if (name.size() > ext.size() && name.ends_with(ext)) {
            rest = name.substr(0, name.size() - ext.size());
            break;
        }
    }
    // STEM "_" 8 hex digits, STEM non-empty.
    if (rest.size() < 10 || rest[rest.size() - 9] != '_') return false;
    for (char ch : rest.substr(rest.size() - 8)) {
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
    }
    return true;
}

}  // namespace ri::archive
