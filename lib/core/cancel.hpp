// Cooperative cancellation. SIGINT/SIGTERM set a flag that long loops poll; work stops at the
// next safe point, saves what resume needs and exits 130. A second Ctrl+C exits at once. The
// signal side is the OS seam (cancel_posix.cpp; a console control handler on Windows).
#pragma once

#include <chrono>
#include <functional>
#include <thread>

namespace ri::cancel {

void install_signal_handlers();
bool requested();
// Throws Error::interrupted if a stop was requested.
void check();
// Sleeps for d in short slices, so a stop request ends the wait at once (Error::interrupted);
// also checks before returning. Every wait of ri that a user might sit through goes through here.
void sleep_for(std::chrono::nanoseconds d);
// For tests and for programmatic stops (a watcher shutting down).
void request();
void reset();

// Starts a worker thread with SIGINT/SIGTERM blocked, so the signals always reach the main
// thread: a main thread blocked in read() on a pipe then wakes with EINTR and stops, instead of
// the signal landing in a worker that is merely waiting on a condition variable.
std::thread spawn(std::function<void()> fn);

}  // namespace ri::cancel
