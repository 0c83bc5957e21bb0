// The client side of the ipc layer: connect to a local server (docs/ipc.md), send JSON request
// lines and read their replies, or subscribe and read a stream of event lines. Every wait has a
// deadline: a server that hangs counts as unreachable, never as a hung client. Not thread-safe:
// one connection per thread, or a lock around it (CoordinatedLimiter holds one).
#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "ipc/line_reader.hpp"
#include "ipc/stream.hpp"

namespace ri::ipc {

class Client {
  public:
    // Lines from the server longer than this end the connection (a status reply is a few KiB).
    static constexpr size_t default_max_line_bytes = 1024 * 1024;

    // Connects to the server at endpoint, trying again every 20 ms for up to `wait` while none
    // listens yet (one that is being started). nullopt when none answered in time.
    static std::optional<Client> connect(const std::filesystem::path& endpoint,
                                         std::chrono::milliseconds wait = {},
                                         size_t max_line_bytes = default_max_line_bytes);

    // Sends one request line and returns the reply line, parsed. nullopt when the connection
    // fails or closes, no whole reply comes within timeout, or the reply is not JSON; the
    // connection is then closed (connected() is false).
    std::optional<nlohmann::json> request(
        const nlohmann::json& request, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // Sends a subscribe request (whatever the server's handler calls one) and returns its reply,
    // as request() does; the events that follow are read with next_event(). A subscribed
    // connection carries events only: requests go on another connection.
    std::optional<nlohmann::json> subscribe(
        const nlohmann::json& request, std::chrono::milliseconds timeout = std::chrono::seconds(5));
    // The next event line, parsed: nullopt on timeout (still connected) or when the connection
    // is gone (connected() is false then).
    std::optional<nlohmann::json> next_event(std::chrono::milliseconds timeout);

    // Raw access, for a peer that speaks lines that are not JSON (and for tests): sends bytes
    // as they are; reads one line. Both close the connection on failure.
    bool send_raw(std::string_view bytes, std::chrono::milliseconds timeout);
    std::optional<std::string> read_line(std::chrono::milliseconds timeout);

    bool connected() const { return stream_.valid(); }
    void close() { stream_.close(); }

  private:
    Client(Stream stream, size_t max_line_bytes)
        : stream_(std::move(stream)), reader_(max_line_bytes) {}

    Stream stream_;
    LineReader reader_;
};

}  // namespace ri::ipc
