// The path rules of archive entries, kept pure so they are tested on their own. Extraction
// trusts nothing in an archive: a name is accepted only as a relative path of plain components,
// and a link target only if it stays inside the directory being extracted into.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace ri::archive {

// "./a//b/" -> "a/b"; "." and "./" -> "" (the extraction root itself). nullopt for names that
// could leave the root: absolute ("/etc/x"), with a ".." component, or containing NUL.
std::optional<std::string> normalize_entry_path(std::string_view name);

// True when a symlink stored at link_path (a normalized entry path) with this target points
// outside the root, judged on the text alone: an absolute target, or ".." components that climb
// above the root from the link's directory. (Physical resolution through other symlinks is
// checked after extraction, see ArchiveExtractor.)
bool link_target_escapes(std::string_view link_path, std::string_view target);

// "a/b/c" -> "a/b"; "c" -> "".
std::string_view parent_of(std::string_view path);
// "a/b/c" -> "c".
std::string_view name_of(std::string_view path);

}  // namespace ri::archive
