#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "core/error.hpp"
#include "core/paths.hpp"

namespace ri::paths {
namespace fs = std::filesystem;

fs::path home_of_account() {
    if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) return pw->pw_dir;
    throw Error::config("Cannot find your home directory: HOME is not set.");
}

fs::path default_runtime_dir() {
    return fs::path("/tmp") / ("ri-" + std::to_string(getuid()));
}

void ensure_private_dir(const fs::path& dir) {
    if (dir.empty() || fs::is_directory(dir)) return;
    ensure_private_dir(dir.parent_path());
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        throw file_error(FileRole::output, dir.string(), errno, "creating directory");
    }
}

void require_private_dir(const fs::path& dir, std::string_view what) {
    ensure_private_dir(dir);
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0)
        throw Error::config("cannot use the " + std::string(what) + " directory " + dir.string());
    if (st.st_uid != ::getuid())
        throw Error::config("the " + std::string(what) + " directory " + dir.string() +
                            " belongs to another user");
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        throw Error::config("the " + std::string(what) + " directory " + dir.string() +
                            " is writable by others; run chmod 700 on it");
}

}  // namespace ri::paths
