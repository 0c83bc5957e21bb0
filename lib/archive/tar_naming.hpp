// Archive names and compressions. A run directory's archive is named from the last one or two
// components of its absolute path plus the FNV-32a hash of that whole path (Interlink's
// "readable tar naming"), so Project_A/Run_1 and Project_B/Run_1 never collide and a name says
// which run it holds: /data/Project_A/Run_1 -> Project_A_Run_1_1c2f3a4b.tar.zst.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace ri::archive {

enum class Compression { none, gzip, zstd };

// "none" | "gzip" | "zstd"; throws Error::usage otherwise.
Compression parse_compression(std::string_view text);
std::string_view compression_name(Compression c);
// ".tar", ".tar.gz", ".tar.zst"
std::string_view archive_extension(Compression c);

uint32_t fnv1a_32(std::string_view bytes);

// The path the name is derived from and hashed: absolute and lexically normal, without a
// trailing slash, symlinks not resolved (the path as the user named it, like Interlink).
std::filesystem::path naming_path(const std::filesystem::path& dir);

// "Parent_Base_xxxxxxxx" + extension for naming_path(dir). Components are shortened so the name
// stays within NAME_MAX.
std::string archive_file_name(const std::filesystem::path& dir, Compression c);

// True for names archive_file_name can produce: STEM_xxxxxxxx.tar, .tar.gz or .tar.zst with a
// non-empty STEM and eight lowercase hex digits. Used by the deletion guardrail.
bool is_ri_archive_name(std::string_view name);

}  // namespace ri::archive
