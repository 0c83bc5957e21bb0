#include "archive/entry_path.hpp"

#include <algorithm>

namespace ri::archive {

std::optional<std::string> normalize_entry_path(std::string_view name) {
    if (name.find('\0') != std::string_view::npos) return std::nullopt;
    if (name.starts_with('/')) return std::nullopt;
    std::string out;
    size_t start = 0;
    while (start <= name.size()) {
        size_t end = name.find('/', start);
        if (end == std::string_view::npos) end = name.size();
        std::string_view comp = name.substr(start, end - start);
        start = end + 1;
        if (comp.empty() || comp == ".") continue;
        if (comp == "..") return std::nullopt;
        if (!out.empty()) out += '/';
        out += comp;
    }
    return out;
}

bool link_target_escapes(std::string_view link_path, std::string_view target) {
    if (target.empty() || target.starts_with('/')) return true;
    // Depth of the link's directory below the root, then walk the target's components.
    long depth = 0;
    std::string_view dir = parent_of(link_path);
    if (!dir.empty()) depth = 1 + static_cast<long>(std::count(dir.begin(), dir.end(), '/'));
    size_t start = 0;
    while (start <= target.size()) {
        size_t end = target.find('/', start);
        if (end == std::string_view::npos) end = target.size();
        std::string_view comp = target.substr(start, end - start);
        start = end + 1;
        if (comp.empty() || comp == ".") continue;
        if (comp == "..") {
            if (--depth < 0) return true;
        } else {
            ++depth;
        }
    }
    return false;
}

std::string_view parent_of(std::string_view path) {
    size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string_view{} : path.substr(0, slash);
}

std::string_view name_of(std::string_view path) {
    size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace ri::archive
