// Calls asked for over a scope's window, for the "running at N% of the limit" notice and the
// status view: counts in 60 slots of window/60 seconds. The window is the scope's
// ScopeLimit::usage_window_seconds() (60 s at least, longer where the burst takes longer to
// refill), so a few calls of a command that just started never read as heavy use.
#pragma once

#include <cstdint>
#include <vector>

#include "ratelimit/token_bucket.hpp"

namespace ri::ratelimit {

class UsageWindow {
  public:
    static constexpr int slots = 60;

    explicit UsageWindow(double window_seconds = 60);

    void add(Clock::time_point now, double count);
    // Calls counted in the window ending now.
    double total(Clock::time_point now);
    // Calls per second over the whole window (the window's length, however recent the first
    // call): total / window.
    double rate(Clock::time_point now);
    double window_seconds() const { return slot_seconds_ * slots; }

  private:
    void advance(int64_t slot);
    int64_t slot_of(Clock::time_point t) const;
    double slot_seconds_;
    std::vector<double> counts_;
    int64_t current_ = -1;
};

}  // namespace ri::ratelimit
