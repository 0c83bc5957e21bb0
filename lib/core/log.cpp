#include "core/log.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <mutex>

#include "core/paths.hpp"
#include "core/redact.hpp"

namespace ri::log {
namespace fs = std::filesystem;

namespace {

struct State {
    std::mutex mutex;
    std::string tool = "ri";
    Options options;
    fs::path file;
    int fd = -1;
};

State& state() {
    static State s;
    return s;
}

const char* level_name(Level l) {
    switch (l) {
        case Level::debug:
            return "DEBUG";
        case Level::info:
            return "INFO";
        case Level::warn:
            return "WARN";
        case Level::error:
            return "ERROR";
    }
    return "?";
}

int open_log(const fs::path& file) {
    return ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

// Several processes share the file: rotation happens under an flock on a lock file, and each
// process re-checks the size by path so that only one of them rotates.
void rotate_if_needed(State& s) {
    struct stat st {};
    if (::fstat(s.fd, &st) != 0 || static_cast<uint64_t>(st.st_size) < s.options.max_bytes) return;
    fs::path lock_path = s.options.dir / ".rotate.lock";
    int lock = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock < 0) return;
    if (::flock(lock, LOCK_EX) == 0) {
        struct stat by_path {};
        if (::stat(s.file.c_str(), &by_path) == 0 &&
            static_cast<uint64_t>(by_path.st_size) >= s.options.max_bytes) {
            for (int i = s.options.files - 1; i >= 1; --i) {
                fs::path from =
                    i == 1 ? s.file : fs::path(s.file.string() + "." + std::to_string(i - 1));
                fs::path to = s.file.string() + "." + std::to_string(i);
                ::rename(from.c_str(), to.c_str());
            }
        }
        ::flock(lock, LOCK_UN);
    }
    ::close(lock);
    ::close(s.fd);
    s.fd = open_log(s.file);
}

std::string timestamp() {
    auto now = std::chrono::system_clock::now();
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", tm.tm_year + 1900,
                       tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms.count());
}

}  // namespace

void init(std::string tool_name, Options options) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    s.tool = std::move(tool_name);
    s.options = std::move(options);
    if (s.fd >= 0) {
        ::close(s.fd);
        s.fd = -1;
    }
    try {
        if (s.options.dir.empty()) s.options.dir = paths::log_dir();
        paths::ensure_private_dir(s.options.dir);
        s.file = s.options.dir / "ri.log";
        s.fd = open_log(s.file);
    } catch (...) {
        s.fd = -1;  // no log is better than a tool that fails because of its log
    }
}

void write(Level level, std::string_view message) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    if (s.fd < 0 || level < s.options.min_level) return;
    rotate_if_needed(s);
    if (s.fd < 0) return;
    std::string line = fmt::format("{} {} pid={} {}: {}", timestamp(), level_name(level),
                                   ::getpid(), s.tool, redact(message));
    for (auto& c : line) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    line += '\n';
    // One write() per line with O_APPEND keeps lines from different processes whole.
    (void)!::write(s.fd, line.data(), line.size());
}

fs::path current_file() {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    return s.file;
}

}  // namespace ri::log
