// One end of a local connection of the ipc layer: a byte stream owned for its lifetime, always
// non-blocking, with waits that take a timeout. stream_posix.cpp implements it on a Unix-domain
// socket; a Windows port adds stream_win32.cpp on a named pipe (overlapped I/O), behind the
// same declarations. No OS header here: the handle is an opaque integer.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string_view>

namespace ri::ipc {

enum class IoStatus {
    done,         // some bytes moved (see the count)
    would_block,  // nothing now; wait and try again
    closed,       // the peer is gone (end of stream, reset, broken pipe)
};

class Stream {
  public:
    Stream() = default;
    // Takes ownership of a connected handle (the server's accepted connections).
    explicit Stream(intptr_t handle);
    Stream(Stream&& other) noexcept;
    Stream& operator=(Stream&& other) noexcept;
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    ~Stream();

    // One attempt to connect to a server listening at endpoint; nullopt when none does (no
    // endpoint, nobody listening, or its backlog full).
    static std::optional<Stream> connect(const std::filesystem::path& endpoint);

    bool valid() const { return handle_ >= 0; }
    intptr_t handle() const { return handle_; }
    void close();

    // Without blocking: reads into buffer / writes from bytes, setting `count` to what moved.
    IoStatus read_some(std::span<char> buffer, size_t& count);
    IoStatus write_some(std::string_view bytes, size_t& count);
    // Waits until reading (or writing) would not block, or the timeout passes: false then.
    // An interrupted wait returns true early (the caller's next read says what happened).
    bool wait_readable(std::chrono::milliseconds timeout);
    bool wait_writable(std::chrono::milliseconds timeout);

  private:
    intptr_t handle_ = -1;
};

}  // namespace ri::ipc
