#include <pthread.h>

#include <atomic>
#include <csignal>

#include "core/cancel.hpp"

namespace ri::cancel {

extern std::atomic<int> g_signals;

namespace {

extern "C" void on_signal(int sig) {
    if (g_signals.fetch_add(1) >= 1) {
        // Second signal: the user insists. Restore the default action and re-raise.
        std::signal(sig, SIG_DFL);
        std::raise(sig);
    }
}

}  // namespace

void install_signal_handlers() {
    struct sigaction sa {};
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;  // no SA_RESTART: blocking reads return EINTR and the loop checks the flag
    sigaction(SIGINT, &sa, nullptr);
    sigaction(SIGTERM, &sa, nullptr);
    // A closed pipe (| head) must surface as EPIPE on write, not kill the process mid-update.
    std::signal(SIGPIPE, SIG_IGN);
}

std::thread spawn(std::function<void()> fn) {
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGINT);
    sigaddset(&block, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &block, &old);  // the new thread inherits this mask
    std::thread t(std::move(fn));
    pthread_sigmask(SIG_SETMASK, &old, nullptr);
    return t;
}

}  // namespace ri::cancel
