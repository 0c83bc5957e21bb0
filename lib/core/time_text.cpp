#include "core/time_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <vector>

#include "core/strings.hpp"

namespace ri::time_text {
namespace {

using namespace std::chrono;

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

struct Civil {
    int year, month, day, hour, minute, second, millis, weekday;
};

Civil civil(SysTime t) {
    auto ms = time_point_cast<milliseconds>(t);
    auto day = floor<days>(ms);
    year_month_day ymd(day);
    hh_mm_ss<milliseconds> clock(ms - day);
    return {static_cast<int>(ymd.year()),
            static_cast<int>(static_cast<unsigned>(ymd.month())),
            static_cast<int>(static_cast<unsigned>(ymd.day())),
            static_cast<int>(clock.hours().count()),
            static_cast<int>(clock.minutes().count()),
            static_cast<int>(clock.seconds().count()),
            static_cast<int>(clock.subseconds().count()),
            static_cast<int>(weekday(day).c_encoding())};
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view s) {
    int v = 0;
    for (char c : s)
        v = v * 10 + (c - '0');
    return v;
}

int month_index(std::string_view name) {
    for (size_t i = 0; i < kMonths.size(); ++i)
        if (strings::iequals(name, kMonths[i])) return static_cast<int>(i) + 1;
    return -1;
}

bool is_day_name(std::string_view name) {
    static constexpr std::array<std::string_view, 7> long_names = {
        "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};
    for (auto n : kDays)
        if (strings::iequals(name, n)) return true;
    for (auto n : long_names)
        if (strings::iequals(name, n)) return true;
    return false;
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

std::optional<SysTime> from_utc(int year, int month, int day, int hour, int minute, int second) {
    year_month_day ymd{std::chrono::year(year), std::chrono::month(static_cast<unsigned>(month)),
                       std::chrono::day(static_cast<unsigned>(day))};
    if (!ymd.ok() || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
        second > 60)
        return std::nullopt;
    return sys_days(ymd) + hours(hour) + minutes(minute) + seconds(second);
}

std::string iso8601(SysTime t) {
    Civil c = civil(t);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", c.year, c.month, c.day, c.hour,
                       c.minute, c.second);
}

std::string iso8601_ms(SysTime t) {
    Civil c = civil(t);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", c.year, c.month, c.day, c.hour,
                       c.minute, c.second, c.millis);
}

std::string compact(SysTime t) {
    Civil c = civil(t);
    return fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", c.year, c.month, c.day, c.hour, c.minute,
                       c.second);
}

std::string http_date(SysTime t) {
    Civil c = civil(t);
    return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", kDays[c.weekday], c.day,
                       kMonths[c.month - 1], c.year, c.hour, c.minute, c.second);
}

std::string iso8601_from_epoch(int64_t seconds_since_epoch) {
    return iso8601(SysTime(seconds(seconds_since_epoch)));
}

std::optional<SysTime> parse_iso8601(std::string_view text) {
    std::string s(text);
    int y, mo, d, h, mi;
    double sec = 0;
    int consumed = 0;
    if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%lf%n", &y, &mo, &d, &h, &mi, &sec, &consumed) <
        6)
        return std::nullopt;
    auto base = from_utc(y, mo, d, h, mi, static_cast<int>(sec));
    if (!base) return std::nullopt;
    std::string_view zone = std::string_view(s).substr(static_cast<size_t>(consumed));
    long offset = 0;
    if (!zone.empty() && zone != "Z" && zone != "z") {
        int oh = 0, om = 0;
        char sign = zone[0];
        std::string z(zone.substr(1));
        if ((sign != '+' && sign != '-') || std::sscanf(z.c_str(), "%2d:%2d", &oh, &om) < 1)
            return std::nullopt;
        offset = (oh * 3600L + om * 60L) * (sign == '+' ? 1 : -1);
    }
    return *base - seconds(offset) +
           milliseconds(static_cast<int64_t>((sec - static_cast<int>(sec)) * 1000));
}

std::optional<SysTime> parse_http_date(std::string_view text) {
    auto parts = split_spaces(strings::trim(text));
    int year = -1, month = -1, day = -1, h = 0, m = 0, s = 0;
    if (parts.size() == 6 && parts[0].size() == 4 && parts[0][3] == ',' &&
        is_day_name(parts[0].substr(0, 3))) {
        // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        if (!all_digits(parts[1]) || parts[1].size() > 2 || !all_digits(parts[3]) ||
            parts[3].size() != 4 || !strings::iequals(parts[5], "GMT"))
            return std::nullopt;
        day = to_int(parts[1]);
        month = month_index(parts[2]);
        year = to_int(parts[3]);
        if (!parse_clock(parts[4], h, m, s)) return std::nullopt;
    } else if (parts.size() == 4 && !parts[0].empty() && parts[0].back() == ',' &&
               is_day_name(parts[0].substr(0, parts[0].size() - 1))) {
        // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
        auto d = parts[1];
        if (d.size() != 9 || d[2] != '-' || d[6] != '-' || !strings::iequals(parts[3], "GMT"))
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
    return from_utc(year, month, day, h, m, s);
}

}  // namespace ri::time_text
