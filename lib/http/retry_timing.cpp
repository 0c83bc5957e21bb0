#include "http/retry_timing.hpp"

#include <algorithm>
#include <random>
#include <string>

#include "core/strings.hpp"
#include "core/time_text.hpp"

namespace ri::http {
namespace {

double thread_random01() {
    thread_local std::mt19937_64 engine{std::random_device{}()};
    return std::uniform_real_distribution<double>(0.0, 1.0)(engine);
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
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

std::optional<std::chrono::milliseconds> parse_retry_after_value(
    std::string_view value, std::chrono::system_clock::time_point now) {
    using namespace std::chrono;
    value = strings::trim(value);
    if (all_digits(value)) {
        // Absurdly long values are capped, not overflowed (HttpClient caps the wait anyway).
        if (value.size() > 9) return milliseconds(int64_t{999999999} * 1000);
        return milliseconds(std::stoll(std::string(value)) * 1000);
    }
    auto when = time_text::parse_http_date(value);
    if (!when) return std::nullopt;
    auto delta = duration_cast<milliseconds>(*when - now);
    return std::max(delta, milliseconds(0));
}

}  // namespace ri::http
