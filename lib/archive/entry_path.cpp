#include "archive/entry_path.hpp"

#include <algorithm>

#include "core/strings.hpp"

namespace ri::archive {

std::optional<std::string> normalize_entry_path(std::string_view name) {
    if (name.find('\0') != std::string_view::npos) return std::nullopt;
    if (name.starts_with('/')) return std::nullopt;
    std::string out;
    for (const auto& comp : strings::split_list(name, "/", "")) {
        if (comp == ".") continue;
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
    for (const auto& comp : strings::split_list(target, "/", "")) {
        if (comp == ".") continue;
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
