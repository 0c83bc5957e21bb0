#include "core/paths.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
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

fs::path home() {
    if (auto h = env_or_empty("HOME"); !h.empty()) return h;
    if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) return pw->pw_dir;
    throw Error::config("Cannot find your home directory: HOME is not set.");
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
    return fs::path("/tmp") / ("ri-" + std::to_string(getuid()));
}

fs::path expand_user(const std::string& path) {
    if (path == "~") return home();
    if (path.starts_with("~/")) return home() / path.substr(2);
    return path;
}

void ensure_private_dir(const fs::path& dir) {
    if (dir.empty() || fs::is_directory(dir)) return;
    ensure_private_dir(dir.parent_path());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        throw file_error(FileRole::output, dir.string(), errno, "creating directory");
    }
}

}  // namespace ri::paths
