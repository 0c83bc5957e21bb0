// The arithmetic of waiting between attempts, apart from HttpClient so it is tested with a
// fixed clock and a seeded generator.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ri::http {

// Full jitter (uniform in [0, min(max_delay, base_delay * 2^(attempt-1))]), or the server's
// Retry-After capped at max_delay x 4. `random01` is a draw in [0, 1); without it a
// thread-local generator is used.
std::chrono::milliseconds compute_backoff(std::chrono::milliseconds base_delay,
                                          std::chrono::milliseconds max_delay, int attempt,
                                          std::optional<std::chrono::milliseconds> retry_after,
                                          std::optional<double> random01 = std::nullopt);

// Retry-After as delta-seconds ("120") or an HTTP-date in any of the three forms of RFC 9110
// (IMF-fixdate, RFC 850, asctime), relative to `now`; a date in the past is a zero delay.
// Anything else is nullopt.
std::optional<std::chrono::milliseconds> parse_retry_after_value(
    std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace ri::http
