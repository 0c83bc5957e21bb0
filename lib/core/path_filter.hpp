// Which files of a tree a tool takes (ri-tar into an archive, ri-upload and ri-download across a
// prefix): --include / --exclude globs (fnmatch
// syntax: * ? [...]). A pattern without '/' is matched against the entry's name, like
// Interlink's include/exclude patterns; a pattern with '/' against its path relative to the
// archived directory ('*' then stops at '/'). A directory matching an exclude pattern is left out
// with everything below it. When include patterns are given, only files (and symlinks) matching
// one of them are stored; directories are always walked.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ri {

class PathFilter {
  public:
    PathFilter() = default;
    // Each value may itself be a ';'-separated list (the PUR config's form); blanks are dropped.
    PathFilter(const std::vector<std::string>& includes, const std::vector<std::string>& excludes);

    // "a;b; c" -> {"a", "b", "c"}
    static std::vector<std::string> split_patterns(std::string_view list);

    bool empty() const { return includes_.empty() && excludes_.empty(); }
    const std::vector<std::string>& includes() const { return includes_; }
    const std::vector<std::string>& excludes() const { return excludes_; }

    // rel_path: relative to the archived directory, '/'-separated, no leading "./".
    bool keeps_directory(std::string_view rel_path) const;
    bool keeps_file(std::string_view rel_path) const;

  private:
    static bool matches(const std::string& pattern, std::string_view rel_path);

    std::vector<std::string> includes_;
    std::vector<std::string> excludes_;
};

}  // namespace ri
