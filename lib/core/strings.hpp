// The string idioms every layer needs, once: ASCII case folding and comparison, trimming and
// splitting. ASCII only on purpose: header names, URL schemes, setting keys and status names are
// ASCII, and a locale must never change how ri parses them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ri::strings {

inline constexpr std::string_view kSpace = " \t\r\n";

std::string lower(std::string_view text);
std::string upper(std::string_view text);
bool iequals(std::string_view a, std::string_view b);
// True when needle occurs in haystack ignoring ASCII case; an empty needle is always found.
bool icontains(std::string_view haystack, std::string_view needle);
bool istarts_with(std::string_view text, std::string_view prefix);
std::string_view trim(std::string_view text, std::string_view chars = kSpace);
// The text inside one pair of double quotes ("\"abc\"" -> "abc"); anything else unchanged.
std::string unquote(std::string_view text);
// Every piece between separators, kept as it is ("a,,b" -> "a", "", "b").
std::vector<std::string> split(std::string_view text, char sep);
// A user's list ("a, b,,c "): split at any of seps, pieces trimmed of trim_chars, empty ones
// dropped. With trim_chars "" it splits a path into its components ("a//b/" -> "a", "b").
std::vector<std::string> split_list(std::string_view text, std::string_view seps = ",",
                                    std::string_view trim_chars = " \t");

}  // namespace ri::strings
