#include "core/units.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <limits>

#include "core/strings.hpp"

namespace ri::units {

std::string bytes(uint64_t n) {
    static const char* const kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (n < 1024) return fmt::format("{} B", n);
    double v = static_cast<double>(n);
    int u = 0;
    while (v >= 1024.0 && u < 6) {
        v /= 1024.0;
        ++u;
    }
    if (v >= 100) return fmt::format("{:.0f} {}", v, kUnits[u]);
    if (v >= 10) return fmt::format("{:.1f} {}", v, kUnits[u]);
    return fmt::format("{:.2f} {}", v, kUnits[u]);
}

std::string seconds(std::chrono::milliseconds d) {
    double s = static_cast<double>(d.count()) / 1000.0;
    return s == std::floor(s) ? fmt::format("{:.0f} s", s) : fmt::format("{:.1f} s", s);
}

std::string rate(double bytes_per_second) {
    if (!(bytes_per_second > 0)) return "0 B/s";
    return bytes(static_cast<uint64_t>(bytes_per_second)) + "/s";
}

std::string eta(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0) return "unknown";
    if (seconds < 5) return "A few seconds";
    if (seconds < 60) {
        long s = std::lround(seconds / 5.0) * 5;
        if (s >= 60) return "~1 min";
        return fmt::format("~{} sec", s);
    }
    if (seconds < 3600) {
        long m = std::lround(seconds / 60.0);
        if (m >= 60) return "~1 hr 0 min";
        return fmt::format("~{} min", m);
    }
    if (seconds < 86400) {
        long total_min = std::lround(seconds / 60.0);
        long h = total_min / 60, m = total_min % 60;
        if (h >= 24) return "~1 day 0 hr";
        return fmt::format("~{} hr {} min", h, m);
    }
    long total_h = std::lround(seconds / 3600.0);
    return fmt::format("~{} day {} hr", total_h / 24, total_h % 24);
}

std::optional<uint64_t> parse_size(std::string_view text) {
    size_t i = 0;
    uint64_t value = 0;
    if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0]))) return std::nullopt;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
        uint64_t digit = static_cast<uint64_t>(text[i] - '0');
        if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) return std::nullopt;
        value = value * 10 + digit;
        ++i;
    }
    std::string suffix = strings::lower(text.substr(i));
    uint64_t mult = 1;
    if (suffix.empty() || suffix == "b")
        mult = 1;
    else if (suffix == "k" || suffix == "kib" || suffix == "kb")
        mult = 1ULL << 10;
    else if (suffix == "m" || suffix == "mib" || suffix == "mb")
        mult = 1ULL << 20;
    else if (suffix == "g" || suffix == "gib" || suffix == "gb")
        mult = 1ULL << 30;
    else if (suffix == "t" || suffix == "tib" || suffix == "tb")
        mult = 1ULL << 40;
    else
        return std::nullopt;
    if (value > std::numeric_limits<uint64_t>::max() / mult) return std::nullopt;
    return value * mult;
}

}  // namespace ri::units
