#include "ratelimit/coordinator_protocol.hpp"

#include <sys/stat.h>
#include <unistd.h>

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
    paths::ensure_private_dir(dir);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
        throw Error::config("cannot use the rate-limit socket directory " + dir.string());
    if (st.st_uid != ::getuid())
        throw Error::config("the rate-limit socket directory " + dir.string() +
                            " belongs to another user; set RI_RATELIMITD_SOCKET to a private path");
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        throw Error::config("the rate-limit socket directory " + dir.string() +
                            " is writable by others; run chmod 700 on it");
}

}  // namespace ri::ratelimit
