#include "core/cancel.hpp"

#include <atomic>

#include "core/error.hpp"

namespace ri::cancel {

// Set by the signal handlers of cancel_posix.cpp (a console control handler on Windows): how
// many stop requests arrived.
std::atomic<int> g_signals{0};

bool requested() {
    return g_signals.load(std::memory_order_relaxed) > 0;
}

void check() {
    if (requested()) throw Error::interrupted("Interrupted.");
}

void sleep_for(std::chrono::nanoseconds d) {
    auto until = std::chrono::steady_clock::now() + d;
    for (;;) {
        check();
        auto now = std::chrono::steady_clock::now();
        if (now >= until) return;
        std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(
            until - now, std::chrono::milliseconds(100)));
    }
}

void request() {
    g_signals.store(1);
}

void reset() {
    g_signals.store(0);
}

}  // namespace ri::cancel
