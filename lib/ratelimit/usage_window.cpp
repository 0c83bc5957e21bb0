#include "ratelimit/usage_window.hpp"

#include <algorithm>
#include <chrono>

namespace ri::ratelimit {

UsageWindow::UsageWindow(double window_seconds)
    : slot_seconds_(window_seconds / slots), counts_(slots, 0.0) {}

int64_t UsageWindow::slot_of(Clock::time_point t) const {
    return static_cast<int64_t>(Duration(t.time_since_epoch()).count() / slot_seconds_);
}

void UsageWindow::advance(int64_t slot) {
    if (current_ < 0 || slot - current_ >= slots) {
        std::fill(counts_.begin(), counts_.end(), 0.0);
    } else {
        for (int64_t s = current_ + 1; s <= slot; ++s)
            counts_[static_cast<size_t>(s % slots)] = 0;
    }
    current_ = std::max(current_, slot);
}

void UsageWindow::add(Clock::time_point now, double count) {
    advance(slot_of(now));
    counts_[static_cast<size_t>(current_ % slots)] += count;
}

double UsageWindow::total(Clock::time_point now) {
    advance(slot_of(now));
    double sum = 0;
    for (double c : counts_)
        sum += c;
    return sum;
}

double UsageWindow::rate(Clock::time_point now) {
    return total(now) / window_seconds();
}

}  // namespace ri::ratelimit
