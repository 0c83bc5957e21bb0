// What to do when the destination already exists (--if-exists): skip (the default, reported),
// overwrite, or rename the new copy "name (1).ext", "name (2).ext"... as a file manager does.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace ri::transfer {

enum class IfExists { skip, overwrite, rename };

IfExists parse_if_exists(std::string_view text);  // throws usage
std::string_view to_string(IfExists policy);

// "dir/report.pdf", 2 -> "dir/report (2).pdf"; no extension -> "dir/data (2)"; a leading dot
// file keeps its name whole: ".bashrc (2)".
std::string numbered_name(std::string_view path, int n);
// The first numbered_name(path, n), n = 1, 2, ..., for which exists() is false.
std::string first_free_name(std::string_view path,
                            const std::function<bool(const std::string&)>& exists);

}  // namespace ri::transfer
