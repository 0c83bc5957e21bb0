// The debug log: one rotating file per user under $XDG_STATE_HOME/ri/logs/ (ri.log, ri.log.1,
// ri.log.2; 5 MB each), shared by every ri process. Every line passes through redact(), so no
// code path can write a secret there. Logging never fails a tool: if the directory cannot be
// written, lines are dropped.
#pragma once

#include <fmt/format.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace ri::log {

enum class Level { debug, info, warn, error };

struct Options {
    std::filesystem::path dir;             // empty: paths::log_dir()
    uint64_t max_bytes = 5 * 1024 * 1024;  // per file
    int files = 3;                         // ri.log + 2 rotated
    Level min_level = Level::debug;
};

// Called once by the tool runner; before that (and if it fails) log lines go nowhere.
void init(std::string tool_name, Options options = {});
void write(Level level, std::string_view message);
std::filesystem::path current_file();

// log::warn("{} failed", what): a formatted line at one level. Function objects, so that the
// four levels are one template; the format string is still checked at compile time.
template <Level L>
struct LevelWriter {
    template <typename... Args>
    void operator()(fmt::format_string<Args...> f, Args&&... args) const {
        write(L, fmt::format(f, std::forward<Args>(args)...));
    }
};
inline constexpr LevelWriter<Level::debug> debug;
inline constexpr LevelWriter<Level::info> info;
inline constexpr LevelWriter<Level::warn> warn;
inline constexpr LevelWriter<Level::error> error;

}  // namespace ri::log
