// Time as text, once for every layer: ISO 8601 in UTC (records, state, Azure SAS), the compact
// form of SigV4 (20261203T081927Z), HTTP dates (RFC 9110: Azure's x-ms-date, Retry-After), and
// their parsers. Built on <chrono> civil-time arithmetic, not timegm/gmtime_r, so it is the
// same on every OS.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ri::time_text {

using SysTime = std::chrono::system_clock::time_point;

// 2026-12-03T08:19:27Z
std::string iso8601(SysTime t);
// 2026-12-03T08:19:27.123Z
std::string iso8601_ms(SysTime t);
// 20261203T081927Z
std::string compact(SysTime t);
// Thu, 03 Dec 2026 08:19:27 GMT (IMF-fixdate)
std::string http_date(SysTime t);
// Seconds since the epoch as ISO 8601 (archive entry times).
std::string iso8601_from_epoch(int64_t seconds);

// "2026-01-01T02:00:00+02:00", "...Z", fractional seconds: the instant, or nullopt.
std::optional<SysTime> parse_iso8601(std::string_view text);
// An HTTP-date in any of RFC 9110's three forms (IMF-fixdate, RFC 850, asctime), or nullopt.
std::optional<SysTime> parse_http_date(std::string_view text);
// The instant of a UTC calendar date and clock time; nullopt when a field is out of range.
std::optional<SysTime> from_utc(int year, int month, int day, int hour, int minute, int second);

}  // namespace ri::time_text
