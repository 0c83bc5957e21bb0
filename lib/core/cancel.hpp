// Cooperative cancellation. SIGINT/SIGTERM set a flag that long loops poll; work stops at the
// next safe point, saves what resume needs and exits 130. A second Ctrl+C exits at once.
#pragma once

#include <functional>
#include <thread>

namespace ri::cancel {

void install_signal_handlers();
bool requested();
// Throws Error::interrupted if a stop was requested.
void check();
// For tests and for programmatic stops (a watcher shutting down).
void request();
void reset();

// Starts a worker thread with SIGINT/SIGTERM blocked, so the signals always reach the main
// thread: a main thread blocked in read() on a pipe then wakes with EINTR and stops, instead of
// the signal landing in a worker that is merely waiting on a condition variable.
std::thread spawn(std::function<void()> fn);

}  // namespace ri::cancel
