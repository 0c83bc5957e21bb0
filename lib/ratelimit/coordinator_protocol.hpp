// The coordinator's wire protocol: JSON lines over a Unix-domain socket in the user's runtime
// directory (mode 0600 in a 0700 directory; the daemon also checks the peer's uid).
//
//   -> {"op":"acquire","account":"<hash>","scope":"user","count":1}
//   <- {"ok":true,"wait_ms":588,"utilization":0.61}            (+ "degraded":"why" on fallback)
//      (+ "notice":true on the one grant, of all clients', that starts a busy episode: that
//      client tells its user calls are being paced; utilization is over the scope's window)
//   -> {"op":"ready","account":"<hash>","scope":"user"}   after sleeping a granted wait
//   <- {"ok":true,"wait_ms":2100}    the rest of a cool-down that began meanwhile (0: go)
//   -> {"op":"throttled","account":"<hash>","scope":"user","retry_after_ms":5000}
//   <- {"ok":true}
//   -> {"op":"status"}
//   <- {"ok":true,"pid":N,"backend":"memory","clients":3,"uptime_s":12.5,"scopes":[...]}
//      (each scope with its window_s: the seconds recent_rate and utilization are over)
//   -> {"op":"ping"}            <- {"ok":true,"pid":N}
//   -> {"op":"shutdown"}        <- {"ok":true}   (then the daemon saves its buckets and exits)
//   anything else               <- {"ok":false,"error":"..."}
//
// A line longer than max_line_bytes gets an error reply and the connection is closed.
#pragma once

#include <cstddef>
#include <filesystem>

namespace ri::ratelimit {

inline constexpr size_t max_line_bytes = 64 * 1024;

// RI_RATELIMITD_SOCKET, else <runtime dir>/ratelimitd.sock ($XDG_RUNTIME_DIR/ri or /tmp/ri-UID).
std::filesystem::path default_socket_path();
// Where a cleanly exiting daemon saves its buckets: <state dir>/ratelimitd-buckets.json, or
// beside an overridden socket.
std::filesystem::path default_bucket_state_path(const std::filesystem::path& socket);

// Creates the socket's directory (0700) and refuses one that another user owns or that others
// can write to: a socket there could be someone else's. Throws Error::config.
void ensure_socket_dir(const std::filesystem::path& socket);

}  // namespace ri::ratelimit
