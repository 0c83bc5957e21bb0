// Framing for the ipc layer's JSON lines: bytes in as they arrive, whole lines out. A line ends
// at '\n' (a '\r' before it is dropped). At most max_bytes of a line are ever held: a longer
// one, finished or not, puts the reader in the overflowed state, where it stays (the connection
// is then answered with an error and closed), so a peer that never sends '\n' cannot grow our
// memory.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace ri::ipc {

class LineReader {
  public:
    explicit LineReader(size_t max_bytes) : max_bytes_(max_bytes) {}

    // Appends bytes just read. Keep chunks small (a read buffer's worth): what is held is at
    // most max_bytes plus one chunk until next() has run.
    void feed(std::string_view bytes);
    // The next whole line, without its end; nullopt when none is complete yet or after an
    // over-long line.
    std::optional<std::string> next();
    bool overflowed() const { return overflowed_; }
    size_t max_bytes() const { return max_bytes_; }
    size_t buffered() const { return buffer_.size() - start_; }

  private:
    size_t max_bytes_;
    std::string buffer_;
    size_t start_ = 0;  // where the unread part of buffer_ begins
    bool overflowed_ = false;
};

}  // namespace ri::ipc
