// One table per small enum names its values: the name printed, the word parsed and the list in a
// usage error come from the same place, so no value is spelled two ways (the review found five
// hand-written switch/if chains that could drift apart).
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ri {

template <class E>
struct NamedValue {
    E value;
    std::string_view name;
};

// The name of `value`, or `fallback` for a value the table lacks (a cast from an int).
template <class E, size_t N>
constexpr std::string_view name_in(const std::array<NamedValue<E>, N>& table, E value,
                                   std::string_view fallback = "?") {
    for (const auto& entry : table)
        if (entry.value == value) return entry.name;
    return fallback;
}

template <class E, size_t N>
constexpr std::optional<E> parse_in(const std::array<NamedValue<E>, N>& table,
                                    std::string_view name) {
    for (const auto& entry : table)
        if (entry.name == name) return entry.value;
    return std::nullopt;
}

// "none, gzip or zstd": the choices for a usage error.
template <class E, size_t N>
std::string names_of(const std::array<NamedValue<E>, N>& table) {
    std::string out;
    for (size_t i = 0; i < N; ++i) {
        if (i > 0) out += i + 1 == N ? " or " : ", ";
        out += table[i].name;
    }
    return out;
}

}  // namespace ri
