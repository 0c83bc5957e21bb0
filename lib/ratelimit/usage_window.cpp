#include "ratelimit/usage_window.hpp"

#include <algorithm>
#include <chrono>

namespace ri::ratelimit {

namespace {
int64_t slot_of(Clock::time_point t) {
    return static_cast<int64_t>(Duration(t.time_since_epoch()).count() / UsageWindow::slot_seconds);
}
}  // namespace

void UsageWindow::advance(int64_t slot) {
    if (current_ < 0 || slot - current_ >= slots) {
        counts_.fill(0);
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

double UsageWindow::rate(Clock::time_point now) {
    advance(slot_of(now));
    double total = 0;
    for (double c : counts_)
        total += c;
    return total / (slots * slot_seconds);
}

}  // namespace ri::ratelimit
