// The terminal, the OS seam for knowing where output goes: whether each standard stream is a
// terminal (human output and bars there, JSON lines and plain progress elsewhere), its width,
// and one unbuffered write to stderr that never interleaves inside a line. terminal_posix.cpp
// implements it; a Windows port adds terminal_win32.cpp (GetConsoleMode, WriteConsoleW).
#pragma once

#include <string_view>

namespace ri::terminal {

bool stdin_is_terminal();
bool stdout_is_terminal();
bool stderr_is_terminal();
// Columns of the terminal on stderr; 80 when it is not one or does not say.
int stderr_columns();
// Writes all of text to stderr in one call where possible; errors are ignored (stderr is the
// place errors would be reported).
void write_stderr(std::string_view text);

}  // namespace ri::terminal
