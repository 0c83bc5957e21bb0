#include <sys/ioctl.h>
#include <unistd.h>

#include "core/terminal.hpp"

namespace ri::terminal {

bool stdin_is_terminal() {
    return ::isatty(STDIN_FILENO) != 0;
}

bool stdout_is_terminal() {
    return ::isatty(STDOUT_FILENO) != 0;
}

bool stderr_is_terminal() {
    return ::isatty(STDERR_FILENO) != 0;
}

int stderr_columns() {
    winsize ws{};
    if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

void write_stderr(std::string_view text) {
    while (!text.empty()) {
        ssize_t n = ::write(STDERR_FILENO, text.data(), text.size());
        if (n <= 0) return;
        text.remove_prefix(static_cast<size_t>(n));
    }
}

}  // namespace ri::terminal
