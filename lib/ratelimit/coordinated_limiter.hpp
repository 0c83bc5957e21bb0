// The Limiter every ri process uses by default: it asks the user's ri-ratelimitd for each
// token, so all processes of one API key share one budget (and, with a Redis backend, all
// hosts). The daemon is started on first need (never for --help or --version: nothing connects
// before the first API call). When it cannot be reached, the process falls back to Interlink's
// emergency cap (a quarter of the limit, halved, burst 1), says so once on stderr, and tries the
// daemon again every few seconds.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "ratelimit/limiter.hpp"

namespace ri::ratelimit {

struct CoordinatorClientOptions {
    std::filesystem::path socket;  // default_socket_path() when empty
    std::string account;           // account_id(base_url, api_key)
    // The daemon to start when none answers: ri-ratelimitd beside this executable, else $PATH.
    // Empty disables starting one.
    std::string daemon_program;
    std::string backend;  // --backend for a daemon this client starts ("" = memory)
    // One-line notices for the user (fallback, reconnect, >60% of the limit). Default: stderr.
    std::function<void(const std::string&)> notice;
    // How to wait (tests pass a fake).
    std::function<void(Duration)> sleep;
    std::chrono::milliseconds reconnect_every{3000};
};

class CoordinatedLimiter : public Limiter {
  public:
    explicit CoordinatedLimiter(CoordinatorClientOptions options);
    ~CoordinatedLimiter() override;

    void acquire(Scope scope, int count = 1) override;
    void throttled(Scope scope, std::chrono::milliseconds retry_after) override;

    bool degraded();  // true while running on the emergency cap

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// Path of ri-ratelimitd: $RI_RATELIMITD, else beside /proc/self/exe, else "ri-ratelimitd".
std::string find_daemon_program();

// Starts `program serve --socket S [--backend B]` detached (its own session, no terminal, not
// our child once running). Returns false if it could not be executed.
bool spawn_daemon(const std::string& program, const std::filesystem::path& socket,
                  const std::string& backend);

}  // namespace ri::ratelimit
