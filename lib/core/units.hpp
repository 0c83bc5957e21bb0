// Human units: sizes, rates, durations, and the ETA wording of seed 004's table.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ri::units {

// 0 B, 512 B, 1.5 KiB, 12.3 MiB, 4.00 GiB (binary units, three significant digits).
std::string bytes(uint64_t n);
// "123 MiB/s"
std::string rate(double bytes_per_second);
// Seed 004: <5 s "A few seconds"; 5-60 s "~30 sec" (nearest 5); 1-60 min "~4 min";
// 1-24 h "~2 hr 15 min"; >24 h "~1 day 3 hr".
std::string eta(double seconds);
// A wait or a timeout in messages: "2 s", "1.5 s" (a whole number of seconds has no decimal).
std::string seconds(std::chrono::milliseconds d);
// "16MiB", "16M", "1g", "4096" -> bytes; nullopt on garbage or overflow.
std::optional<uint64_t> parse_size(std::string_view text);

}  // namespace ri::units
