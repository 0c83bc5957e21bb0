#include "transfer/conflict.hpp"

#include <fmt/format.h>

#include "core/enum_names.hpp"
#include "core/error.hpp"

namespace ri::transfer {

constexpr std::array<NamedValue<IfExists>, 3> kPolicyNames{
    {{IfExists::skip, "skip"}, {IfExists::overwrite, "overwrite"}, {IfExists::rename, "rename"}}};

IfExists parse_if_exists(std::string_view text) {
    if (auto policy = parse_in(kPolicyNames, text)) return *policy;
    throw Error::usage(fmt::format("--if-exists '{}': use {}.", text, names_of(kPolicyNames)));
}

std::string_view to_string(IfExists policy) {
    return name_in(kPolicyNames, policy, "skip");
}

std::string numbered_name(std::string_view path, int n) {
    size_t slash = path.find_last_of('/');
    size_t name_start = slash == std::string_view::npos ? 0 : slash + 1;
    size_t dot = path.find_last_of('.');
    if (dot == std::string_view::npos || dot <= name_start)
        dot = path.size();  // no extension, or .dotfile
    return fmt::format("{} ({}){}", path.substr(0, dot), n, path.substr(dot));
}

std::string first_free_name(std::string_view path,
                            const std::function<bool(const std::string&)>& exists) {
    for (int n = 1; n < 100000; ++n) {
        std::string candidate = numbered_name(path, n);
        if (!exists(candidate)) return candidate;
    }
    throw Error::cannot_create(
        fmt::format("No free name like '{}' after 99,999 tries.", numbered_name(path, 1)));
}

}  // namespace ri::transfer
