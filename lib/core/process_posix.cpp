#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include "core/error.hpp"
#include "core/process.hpp"

extern char** environ;

namespace ri::process {
namespace {

// argv as exec wants it, prepared before fork: after fork only async-signal-safe calls.
struct Argv {
    std::vector<std::string> storage;
    std::vector<char*> pointers;
    explicit Argv(const std::vector<std::string>& args) : storage(args) {
        for (auto& a : storage)
            pointers.push_back(a.data());
        pointers.push_back(nullptr);
    }
    char** get() { return pointers.data(); }
};

[[noreturn]] void exec_child(char** argv, char** envp) {
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    if (std::strchr(argv[0], '/'))
        ::execve(argv[0], argv, envp);
    else
        ::execvpe(argv[0], argv, envp);
    ::_exit(127);
}

// Our environment with `changes` applied, as "K=V" strings.
std::vector<std::string> environment_with(const std::map<std::string, std::string>& changes) {
    std::vector<std::string> out;
    for (char** e = environ; e && *e; ++e) {
        std::string entry(*e);
        std::string key = entry.substr(0, entry.find('='));
        if (!changes.count(key)) out.push_back(std::move(entry));
    }
    for (const auto& [k, v] : changes)
        out.push_back(k + "=" + v);
    return out;
}

}  // namespace

int current_pid() {
    return static_cast<int>(::getpid());
}

bool alive(int pid) {
    return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM);
}

bool spawn_detached(const std::vector<std::string>& args) {
    if (args.empty()) return false;
    Argv argv(args);
    int devnull = ::open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_t child = ::fork();
    if (child < 0) {
        if (devnull >= 0) ::close(devnull);
        return false;
    }
    if (child == 0) {
        // Double fork: the daemon is re-parented to init and never becomes our zombie.
        ::setsid();
        if (::fork() != 0) ::_exit(0);
        if (devnull >= 0) {
            ::dup2(devnull, 0);
            ::dup2(devnull, 1);
            ::dup2(devnull, 2);
        }
        exec_child(argv.get(), environ);
    }
    if (devnull >= 0) ::close(devnull);
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return true;
}

struct Child::Impl {
    pid_t pid = -1;
    int fds[2] = {-1, -1};  // stdout, stderr read ends (-1 when closed or not captured)
    std::string pending[2];
    bool reaped = false;
    int status = 0;

    ~Impl() {
        for (int& fd : fds)
            if (fd >= 0) ::close(fd);
        if (pid > 0 && !reaped) {
            ::kill(pid, SIGKILL);
            while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
            }
        }
    }

    std::optional<Line> take_line(int i) {
        auto nl = pending[i].find('\n');
        if (nl == std::string::npos) return std::nullopt;
        Line line{i == 0 ? Stream::out : Stream::err, pending[i].substr(0, nl)};
        pending[i].erase(0, nl + 1);
        return line;
    }

    // A stream at EOF hands over its unterminated last line, then counts as closed.
    std::optional<Line> close_stream(int i) {
        ::close(fds[i]);
        fds[i] = -1;
        if (pending[i].empty()) return std::nullopt;
        Line line{i == 0 ? Stream::out : Stream::err, std::move(pending[i])};
        pending[i].clear();
        return line;
    }
};

Child::Child(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Child::Child(Child&&) noexcept = default;
Child& Child::operator=(Child&&) noexcept = default;
Child::~Child() = default;

Child Child::start(const std::vector<std::string>& args, const ChildOptions& options) {
    if (args.empty()) throw Error::internal("Child::start without a program");
    Argv argv(args);
    std::vector<std::string> env_strings = environment_with(options.env);
    Argv envp(env_strings);
    int out[2] = {-1, -1}, err[2] = {-1, -1};
    auto make_pipe = [](int p[2]) {
        if (::pipe2(p, O_CLOEXEC) != 0)
            throw Error::io("Could not create a pipe for a child process.", std::strerror(errno));
    };
    if (options.capture_stdout) make_pipe(out);
    if (options.capture_stderr) make_pipe(err);
    int devnull = options.stdin_null ? ::open("/dev/null", O_RDONLY | O_CLOEXEC) : -1;
    std::string cwd = options.cwd.string();
    pid_t pid = ::fork();
    if (pid < 0) throw Error::io("Could not start a child process.", std::strerror(errno));
    if (pid == 0) {
        if (devnull >= 0) ::dup2(devnull, 0);
        if (out[1] >= 0) ::dup2(out[1], 1);
        if (err[1] >= 0) ::dup2(err[1], 2);
        if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(127);
        exec_child(argv.get(), envp.get());
    }
    if (devnull >= 0) ::close(devnull);
    auto impl = std::make_unique<Impl>();
    impl->pid = pid;
    if (out[1] >= 0) ::close(out[1]);
    if (err[1] >= 0) ::close(err[1]);
    impl->fds[0] = out[0];
    impl->fds[1] = err[0];
    return Child(std::move(impl));
}

int Child::pid() const {
    return static_cast<int>(impl_->pid);
}

bool Child::finished() {
    return impl_->fds[0] < 0 && impl_->fds[1] < 0 && impl_->pending[0].empty() &&
           impl_->pending[1].empty();
}

std::optional<Child::Line> Child::read_line(std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        for (int i = 0; i < 2; ++i)
            if (auto line = impl_->take_line(i)) return line;
        pollfd p[2];
        nfds_t n = 0;
        int which[2];
        for (int i = 0; i < 2; ++i) {
            if (impl_->fds[i] < 0) continue;
            p[n] = {impl_->fds[i], POLLIN, 0};
            which[n++] = i;
        }
        if (n == 0) {
            for (int i = 0; i < 2; ++i)
                if (!impl_->pending[i].empty()) {
                    Line line{i == 0 ? Stream::out : Stream::err, std::move(impl_->pending[i])};
                    impl_->pending[i].clear();
                    return line;
                }
            return std::nullopt;
        }
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        int r = ::poll(p, n, static_cast<int>(std::max<int64_t>(left.count(), 0)));
        if (r < 0 && errno != EINTR) throw Error::io("Could not read from a child process.");
        if (r <= 0) {
            if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
            continue;
        }
        for (nfds_t k = 0; k < n; ++k) {
            if (!(p[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
            int i = which[k];
            char buf[65536];
            ssize_t got = ::read(impl_->fds[i], buf, sizeof buf);
            if (got > 0) {
                impl_->pending[i].append(buf, static_cast<size_t>(got));
            } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
                if (auto last = impl_->close_stream(i)) return last;
            }
        }
    }
}

int Child::wait() {
    if (!impl_->reaped) {
        while (::waitpid(impl_->pid, &impl_->status, 0) < 0) {
            if (errno != EINTR) throw Error::io("Could not wait for a child process.");
        }
        impl_->reaped = true;
    }
    int st = impl_->status;
    if (WIFEXITED(st)) return WEXITSTATUS(st);
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return 1;
}

void Child::terminate() {
    if (!impl_->reaped) ::kill(impl_->pid, SIGTERM);
}

void Child::kill() {
    if (!impl_->reaped) ::kill(impl_->pid, SIGKILL);
}

}  // namespace ri::process
