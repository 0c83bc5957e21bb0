// The server side of the ipc layer: a local JSON-lines server for one user (docs/ipc.md).
// One thread, poll() over the listening endpoint and every connection: each request line goes
// to the handler, whose return is the reply line; a handler may subscribe its session to a
// topic, and publish() (from any thread) sends an event line to every session subscribed to it.
// The endpoint is private to the user: its directory is 0700 and must be ours, the socket 0600,
// and a peer that is not the same user is refused. One server per endpoint: the first to lock
// ENDPOINT.lock serves, a racing second one's run() returns false at once, and a stale endpoint
// left by a server that died is replaced. run() returns after idle_exit with no session, on
// stop(), or on SIGINT/SIGTERM (ri::cancel).
//
// server_posix.cpp implements it on a Unix-domain socket; a Windows port adds server_win32.cpp
// (a named pipe whose DACL admits only the user) behind these same declarations.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <string_view>

namespace ri::ipc {

// Who is at the other end of a connection, as the OS vouches for it (SO_PEERCRED on Linux).
struct PeerCredentials {
    int pid = -1;
    std::string user;        // the uid in decimal (a SID on Windows)
    bool same_user = false;  // the user this server runs as
};

// {"ok":false,"error":WHAT}: the reply for a request that cannot be served (the layer's own
// replies to an over-long line use it too).
std::string error_reply(std::string_view what);

// One connection as the handler sees it.
class Session {
  public:
    virtual ~Session() = default;

    uint64_t id() const { return id_; }
    const PeerCredentials& peer() const { return peer_; }
    // Events published on a topic this session subscribed to are sent to it after the reply
    // of the request being handled.
    void subscribe(std::string topic) { topics_.insert(std::move(topic)); }
    void unsubscribe(std::string_view topic);
    bool subscribed(std::string_view topic) const;
    // Queues one line (without its '\n') for this session alone.
    void send(std::string_view line);

  protected:
    Session(uint64_t id, PeerCredentials peer) : id_(id), peer_(std::move(peer)) {}

    uint64_t id_;
    PeerCredentials peer_;
    std::set<std::string, std::less<>> topics_;
    std::string out_;  // lines not yet written to the connection
};

struct ServerOptions {
    // The socket (POSIX) or the path a pipe name is made from (Windows).
    std::filesystem::path endpoint;
    // Names the endpoint in errors: "the rate-limit socket directory ... belongs to another user".
    std::string what = "ipc socket";
    // run() returns after this long with no session connected and no request.
    std::chrono::milliseconds idle_exit{std::chrono::minutes(5)};
    // A longer request line gets error_reply("line longer than 64 KiB") and the session closes.
    size_t max_line_bytes = 64 * 1024;
    // A session whose unsent replies and events grow past this is dropped (it stopped reading).
    // 0: four lines' worth.
    size_t max_queued_bytes = 0;
    // Whether to serve a peer; default: only the same user.
    std::function<bool(const PeerCredentials&)> allow_peer;
    // Called once the endpoint is listening.
    std::function<void()> on_ready;
};

class Server {
  public:
    // The reply to one request line ("" for none). It runs on the server's thread; an exception
    // becomes an error reply.
    using Handler = std::function<std::string(std::string_view line, Session& session)>;

    Server(ServerOptions options, Handler handler);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Serves until idle, stop() or SIGINT/SIGTERM; true then. False when another server holds
    // the endpoint (nothing was started). Throws Error for an unsafe directory or a failed bind.
    bool run();
    // Thread-safe (a handler may call it): run() returns after writing the replies queued.
    void stop();
    // Thread-safe: sends line to every session subscribed to topic.
    void publish(std::string_view topic, std::string_view line);
    // Sessions connected now. Thread-safe.
    size_t session_count() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ri::ipc
