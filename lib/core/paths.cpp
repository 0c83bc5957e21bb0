#include "core/paths.hpp"

#include <cstdlib>

#include "core/error.hpp"

namespace ri::paths {
namespace fs = std::filesystem;

namespace {
std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}
}  // namespace

// The account's home from the OS, when HOME is not set (paths_posix.cpp).
fs::path home_of_account();
// Where sockets go without XDG_RUNTIME_DIR (paths_posix.cpp).
fs::path default_runtime_dir();

fs::path home() {
    if (auto h = env_or_empty("HOME"); !h.empty()) return h;
    return home_of_account();
}

fs::path config_dir() {
    if (auto x = env_or_empty("XDG_CONFIG_HOME"); !x.empty()) return fs::path(x) / "rescale";
    return home() / ".config" / "rescale";
}

fs::path state_dir() {
    if (auto x = env_or_empty("XDG_STATE_HOME"); !x.empty()) return fs::path(x) / "ri";
    return home() / ".local" / "state" / "ri";
}

fs::path log_dir() {
    return state_dir() / "logs";
}

fs::path runtime_dir() {
    if (auto x = env_or_empty("XDG_RUNTIME_DIR"); !x.empty()) return fs::path(x) / "ri";
    return default_runtime_dir();
}

fs::path expand_user(const std::string& path) {
    if (path == "~") return home();
    if (path.starts_with("~/")) return home() / path.substr(2);
    return path;
}

}  // namespace ri::paths
