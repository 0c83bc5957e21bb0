#include "ratelimit/coordinator_protocol.hpp"

#include <cstdlib>

#include "core/error.hpp"
#include "core/paths.hpp"

namespace ri::ratelimit {

std::filesystem::path default_socket_path() {
    if (const char* s = std::getenv("RI_RATELIMITD_SOCKET"); s && *s) return s;
    return paths::runtime_dir() / "ratelimitd.sock";
}

std::filesystem::path default_bucket_state_path(const std::filesystem::path& socket) {
    if (const char* s = std::getenv("RI_RATELIMITD_SOCKET"); s && *s)
        return socket.parent_path() / (socket.filename().string() + ".buckets.json");
    return paths::state_dir() / "ratelimitd-buckets.json";
}

void ensure_socket_dir(const std::filesystem::path& socket) {
    auto dir = socket.parent_path();
    if (dir.empty()) dir = ".";
    paths::require_private_dir(dir, "rate-limit socket");
}

}  // namespace ri::ratelimit
