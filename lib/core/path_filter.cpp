#include "core/path_filter.hpp"

#include <fnmatch.h>

namespace ri {

std::vector<std::string> PathFilter::split_patterns(std::string_view list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
        size_t end = list.find(';', start);
        if (end == std::string_view::npos) end = list.size();
        std::string_view item = list.substr(start, end - start);
        size_t b = item.find_first_not_of(" \t");
        size_t e = item.find_last_not_of(" \t");
        if (b != std::string_view::npos) out.emplace_back(item.substr(b, e - b + 1));
        start = end + 1;
    }
    return out;
}

PathFilter::PathFilter(const std::vector<std::string>& includes,
                       const std::vector<std::string>& excludes) {
    for (const auto& v : includes)
        for (auto& p : split_patterns(v))
            includes_.push_back(std::move(p));
    for (const auto& v : excludes)
        for (auto& p : split_patterns(v))
            excludes_.push_back(std::move(p));
}

bool PathFilter::matches(const std::string& pattern, std::string_view rel_path) {
    std::string subject;
    if (pattern.find('/') == std::string::npos) {
        size_t slash = rel_path.rfind('/');
        subject = rel_path.substr(slash == std::string_view::npos ? 0 : slash + 1);
        return ::fnmatch(pattern.c_str(), subject.c_str(), 0) == 0;
    }
    subject = rel_path;
    std::string_view pat = pattern;
    if (pat.starts_with("./")) pat.remove_prefix(2);
    return ::fnmatch(std::string(pat).c_str(), subject.c_str(), FNM_PATHNAME) == 0;
}

bool PathFilter::keeps_directory(std::string_view rel_path) const {
    for (const auto& p : excludes_)
        if (matches(p, rel_path)) return false;
    return true;
}

bool PathFilter::keeps_file(std::string_view rel_path) const {
    for (const auto& p : excludes_)
        if (matches(p, rel_path)) return false;
    if (includes_.empty()) return true;
    for (const auto& p : includes_)
        if (matches(p, rel_path)) return true;
    return false;
}

}  // namespace ri
