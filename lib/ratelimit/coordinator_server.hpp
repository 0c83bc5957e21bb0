// ri-ratelimitd's engine: an ipc::Server (one thread, poll() over the socket and its clients;
// docs/ipc.md) answering the coordinator's JSON lines (coordinator_protocol.hpp) from a
// BucketStore. Acquire never blocks the daemon: it returns the wait the client then sleeps. One
// daemon per socket: the first to take an exclusive flock on SOCKET.lock serves; a racing second
// one sees the lock and leaves quietly.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>

#include "ratelimit/bucket_store.hpp"

namespace ri::ipc {
class Server;
}

namespace ri::ratelimit {

struct ServerOptions {
    std::filesystem::path socket;
    // Exit after this long with no client connected and no request.
    std::chrono::seconds idle_exit{300};
    // Called once the socket is listening (the tool prints its ready line here).
    std::function<void()> on_ready;
};

class CoordinatorServer {
  public:
    CoordinatorServer(ServerOptions options, std::unique_ptr<BucketStore> store);
    ~CoordinatorServer();

    // Serves until idle, a shutdown request, or SIGINT/SIGTERM (ri::cancel). Returns false when
    // another daemon already holds the socket (nothing was started).
    bool run();
    // Handles one request line (exposed for tests and fuzzing): the reply line, without '\n'.
    std::string handle(std::string_view line, bool& shutdown);

  private:
    ServerOptions options_;
    std::unique_ptr<BucketStore> store_;
    std::chrono::steady_clock::time_point started_;
    const ipc::Server* server_ = nullptr;  // while run() serves: its sessions are the clients
};

}  // namespace ri::ratelimit
