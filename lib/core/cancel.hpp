// Cooperative cancellation. SIGINT/SIGTERM set a flag that long loops poll; work stops at the
// next safe point, saves what resume needs and exits 130. A second Ctrl+C exits at once.
#pragma once

namespace ri::cancel {

void install_signal_handlers();
bool requested();
// Throws Error::interrupted if a stop was requested.
void check();
// For tests and for programmatic stops (a watcher shutting down).
void request();
void reset();

}  // namespace ri::cancel
