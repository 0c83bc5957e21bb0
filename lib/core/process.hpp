// Processes, the OS seam for running other programs: this process's id, whether another is
// alive, a detached daemon (ri-ratelimitd, started by the first API call of any tool), and a
// child whose stdout and stderr a supervisor reads line by line (ri-pur, ri-watch and ri-dash
// run ri tools with --progress json). process_posix.cpp implements it (fork/exec); a Windows
// port adds process_win32.cpp (CreateProcessW).
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ri::process {

int current_pid();
// True while a process of that id exists (it may belong to another user).
bool alive(int pid);

// Starts argv[0] with argv detached from us: its own session, no terminal, stdio on the null
// device, never our zombie. argv[0] is a path, or a name looked up on PATH. False when it could
// not be started.
bool spawn_detached(const std::vector<std::string>& argv);

struct ChildOptions {
    std::filesystem::path cwd;               // empty: ours
    std::map<std::string, std::string> env;  // added to (or replacing in) our environment
    bool capture_stdout = true;
    bool capture_stderr = true;
    bool stdin_null = true;  // else inherits ours
};

// A running child with pipes for its output. Reading is by whole lines, with a timeout, so one
// thread can serve a child's two streams and still notice a stop request.
class Child {
  public:
    static Child start(const std::vector<std::string>& argv, const ChildOptions& options = {});
    Child(Child&&) noexcept;
    Child& operator=(Child&&) noexcept;
    ~Child();  // a child still running is killed and reaped

    int pid() const;
    enum class Stream { out, err };
    struct Line {
        Stream stream;
        std::string text;  // without the newline
    };
    // The next whole line from either stream, waiting at most `timeout`; nullopt on timeout or
    // when both streams are closed (check finished()).
    std::optional<Line> read_line(std::chrono::milliseconds timeout);
    bool finished();  // both streams at EOF
    // Waits for the exit; returns the exit code, or 128 + signal for a child killed by one.
    int wait();
    void terminate();  // SIGTERM (a polite stop: the child saves its state)
    void kill();       // SIGKILL

  private:
    struct Impl;
    explicit Child(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

}  // namespace ri::process
