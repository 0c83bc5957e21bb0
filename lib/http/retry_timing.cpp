#include "http/retry_timing.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <ctime>
#include <random>
#include <string>
#include <vector>

namespace ri::http {
namespace {

double thread_random01() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
    });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
        s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
        s.remove_suffix(1);
    return s;
}

bool iequals(std::string_view a, std::string_view b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) ==
               std::tolower(static_cast<unsigned char>(y));
    });
}

int month_index(std::string_view name) {
    static constexpr std::array<std::string_view, 12> months = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    for (size_t i = 0; i < months.size(); ++i) {
        if (iequals(name, months[i])) return static_cast<int>(i);
    }
    return -1;
}

bool is_day_name(std::string_view name) {
    static constexpr std::array<std::string_view, 7> short_names = {"Mon", "Tue", "Wed", "Thu",
                                                                    "Fri", "Sat", "Sun"};
    static constexpr std::array<std::string_view, 7> long_names = {
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    for (auto n : short_names)
        if (iequals(name, n)) return true;
    for (auto n : long_names)
        if (iequals(name, n)) return true;
    return false;
}

int to_int(std::string_view s) {
    int v = 0;
    for (char c : s)
        v = v * 10 + (c - '0');
    return v;
}

// "HH:MM:SS"
bool parse_clock(std::string_view s, int& h, int& m, int& sec) {
    if (s.size() != 8 || s[2] != ':' || s[5] != ':') return false;
    if (!all_digits(s.substr(0, 2)) || !all_digits(s.substr(3, 2)) || !all_digits(s.substr(6, 2)))
        return false;
    h = to_int(s.substr(0, 2));
    m = to_int(s.substr(3, 2));
    sec = to_int(s.substr(6, 2));
    return h <= 23 && m <= 59 && sec <= 60;
}

std::vector<std::string_view> split_spaces(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && s[i] == ' ')
            ++i;
        size_t b = i;
        while (i < s.size() && s[i] != ' ')
            ++i;
        if (i > b) out.push_back(s.substr(b, i - b));
    }
    return out;
}

}  // namespace

std::chrono::milliseconds compute_backoff(std::chrono::milliseconds base_delay,
                                          std::chrono::milliseconds max_delay, int attempt,
                                          std::optional<std::chrono::milliseconds> retry_after,
                                          std::optional<double> random01) {
    using std::chrono::milliseconds;
    if (retry_after) {
        milliseconds cap = max_delay * 4;
        return std::clamp(*retry_after, milliseconds(0), std::max(cap, milliseconds(0)));
    }
    // base * 2^(attempt-1), without overflowing for large attempt numbers.
    double ceiling = static_cast<double>(std::max<int64_t>(base_delay.count(), 0));
    const double limit = static_cast<double>(std::max<int64_t>(max_delay.count(), 0));
    for (int i = 1; i < attempt && ceiling < limit; ++i)
        ceiling *= 2;
    ceiling = std::min(ceiling, limit);
    double r = random01 ? std::clamp(*random01, 0.0, 1.0) : thread_random01();
    return milliseconds(static_cast<int64_t>(ceiling * r));
}

std::optional<int64_t> parse_http_date(std::string_view text) {
    auto parts = split_spaces(trim(text));
    std::tm tm{};
    int year = -1, month = -1, day = -1, h = 0, m = 0, s = 0;
    if (parts.size() == 6 && parts[0].size() == 4 && parts[0][3] == ',' &&
        is_day_name(parts[0].substr(0, 3))) {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        if (!all_digits(parts[1]) || parts[1].size() > 2 || !all_digits(parts[3]) ||
            parts[3].size() != 4 || !iequals(parts[5], "GMT"))
            return std::nullopt;
        day = to_int(parts[1]);
        month = month_index(parts[2]);
        year = to_int(parts[3]);
        if (!parse_clock(parts[4], h, m, s)) return std::nullopt;
    } else if (parts.size() == 4 && !parts[0].empty() && parts[0].back() == ',' &&
               is_day_name(parts[0].substr(0, parts[0].size() - 1))) {
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        auto d = parts[1];
        if (d.size() != 9 || d[2] != '-' || d[6] != '-' || !iequals(parts[3], "GMT"))
            return std::nullopt;
        if (!all_digits(d.substr(0, 2)) || !all_digits(d.substr(7, 2))) return std::nullopt;
        day = to_int(d.substr(0, 2));
        month = month_index(d.substr(3, 3));
        int yy = to_int(d.substr(7, 2));
        year = yy < 70 ? 2000 + yy : 1900 + yy;  // RFC 9110: two-digit years of the past century
        if (!parse_clock(parts[2], h, m, s)) return std::nullopt;
    } else if (parts.size() == 5 && is_day_name(parts[0])) {
        // asctime: Sun Nov  6 08:49:37 1994
        month = month_index(parts[1]);
        if (!all_digits(parts[2]) || parts[2].size() > 2 || !all_digits(parts[4]) ||
            parts[4].size() != 4)
            return std::nullopt;
        day = to_int(parts[2]);
        year = to_int(parts[4]);
        if (!parse_clock(parts[3], h, m, s)) return std::nullopt;
    } else {
        return std::nullopt;
    }
    if (month < 0 || day < 1 || day > 31 || year < 1970) return std::nullopt;
    tm.tm_year = year - 1900;
    tm.tm_mon = month;
    tm.tm_mday = day;
    tm.tm_hour = h;
    tm.tm_min = m;
    tm.tm_sec = s;
    time_t t = ::timegm(&tm);
    if (t == static_cast<time_t>(-1)) return std::nullopt;
    return static_cast<int64_t>(t);
}

std::optional<std::chrono::milliseconds> parse_retry_after_value(
    std::string_view value, std::chrono::system_clock::time_point now) {
    using namespace std::chrono;
    value = trim(value);
    if (all_digits(value)) {
        // Absurdly long values are capped, not overflowed (HttpClient caps the wait anyway).
        if (value.size() > 9) return milliseconds(int64_t{999999999} * 1000);
        return milliseconds(int64_t{to_int(value)} * 1000);
    }
    auto when = parse_http_date(value);
    if (!when) return std::nullopt;
    auto target = system_clock::time_point(seconds(*when));
    auto delta = duration_cast<milliseconds>(target - now);
    return std::max(delta, milliseconds(0));
}

}  // namespace ri::http
