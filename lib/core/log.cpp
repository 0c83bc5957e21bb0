#include "core/log.hpp"

#include <chrono>
#include <mutex>
#include <optional>

#include "core/enum_names.hpp"
#include "core/file.hpp"
#include "core/file_lock.hpp"
#include "core/paths.hpp"
#include "core/process.hpp"
#include "core/redact.hpp"
#include "core/time_text.hpp"

namespace ri::log {
namespace fs = std::filesystem;

namespace {

struct State {
    std::mutex mutex;
    std::string tool = "ri";
    Options options;
    fs::path file;
    std::optional<File> out;
};

State& state() {
    static State s;
    return s;
}

constexpr std::array<NamedValue<Level>, 4> kLevelNames{{{Level::debug, "DEBUG"},
                                                        {Level::info, "INFO"},
                                                        {Level::warn, "WARN"},
                                                        {Level::error, "ERROR"}}};

std::string_view level_name(Level l) {
    return name_in(kLevelNames, l);
}

std::optional<File> open_log(const fs::path& file) {
    try {
        return File::open_append(file.string());
    } catch (const Error&) {
        return std::nullopt;  // no log is better than a tool that fails because of its log
    }
}

// Several processes share the file: rotation happens under a lock file, and each process
// re-checks the size by path so that only one of them rotates.
void rotate_if_needed(State& s) {
    try {
        if (s.out->size() < s.options.max_bytes) return;
        auto lock = FileLock::acquire((s.options.dir / ".rotate.lock").string());
        if (file_status(s.file.string()).size >= s.options.max_bytes) {
            for (int i = s.options.files - 1; i >= 1; --i) {
                fs::path from =
                    i == 1 ? s.file : fs::path(s.file.string() + "." + std::to_string(i - 1));
                std::error_code ec;
                fs::rename(from, s.file.string() + "." + std::to_string(i), ec);
            }
        }
    } catch (const Error&) {
        return;
    }
    s.out = open_log(s.file);
}

std::string timestamp() {
    return time_text::iso8601_ms(std::chrono::system_clock::now());
}

}  // namespace

void init(std::string tool_name, Options options) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    s.tool = std::move(tool_name);
    s.options = std::move(options);
    s.out.reset();
    try {
        if (s.options.dir.empty()) s.options.dir = paths::log_dir();
        paths::ensure_private_dir(s.options.dir);
        s.file = s.options.dir / "ri.log";
        s.out = open_log(s.file);
    } catch (...) {
        s.out.reset();  // no log is better than a tool that fails because of its log
    }
}

void write(Level level, std::string_view message) {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    if (!s.out || level < s.options.min_level) return;
    rotate_if_needed(s);
    if (!s.out) return;
    std::string line = fmt::format("{} {} pid={} {}: {}", timestamp(), level_name(level),
                                   process::current_pid(), s.tool, redact(message));
    for (auto& c : line) {
        if (c == '\n' || c == '\r') c = ' ';
    }
    line += '\n';
    // One write per line in append mode keeps lines from different processes whole.
    try {
        s.out->write_all(std::as_bytes(std::span(line.data(), line.size())));
    } catch (const Error&) {
        // A full disk must not stop the tool; the line is dropped.
    }
}

fs::path current_file() {
    auto& s = state();
    std::lock_guard lock(s.mutex);
    return s.file;
}

}  // namespace ri::log
