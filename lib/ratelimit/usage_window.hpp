// Calls granted in the last few seconds, for the "running at N% of the limit" notice and the
// status view: counts in 250 ms slots over a 10 s window.
#pragma once

#include <array>
#include <cstdint>

#include "ratelimit/token_bucket.hpp"

namespace ri::ratelimit {

class UsageWindow {
  public:
    static constexpr int slots = 40;
    static constexpr double slot_seconds = 0.25;

    void add(Clock::time_point now, double count);
    // Calls per second over the window.
    double rate(Clock::time_point now);

  private:
    void advance(int64_t slot);
    std::array<double, slots> counts_{};
    int64_t current_ = -1;
};

}  // namespace ri::ratelimit
