// Watching jobs: the current status of a job (from the statuses endpoint: the single-job GET has
// none), waiting until jobs end, and following a job's log. Polling uses the v2 paths of the
// jobs-usage scope (25/s) rather than the user scope (2/s), and slows down while nothing changes.
#pragma once

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "platform/platform_client.hpp"

namespace ri::platform {

// Completed, Failed, Stopped, Force Stopped, Terminated (display or enum form, any case).
bool is_terminal_status(std::string_view status);
bool is_completed_status(std::string_view status);
// "Waiting for Queue" -> "WAITING_FOR_QUEUE" (the list filter's form).
std::string status_enum_form(std::string_view status);

// The newest status of a job; status "Not Submitted" when it has none yet (a draft).
JobStatus latest_status(PlatformClient& client, const std::string& id);

// "90", "90s", "15m", "2h", "1d", "1h30m" -> a duration; Error::usage when unreadable.
std::chrono::milliseconds parse_duration(std::string_view text, std::string_view what);

struct WaitOptions {
    std::chrono::milliseconds interval{10000};      // the first poll gap
    std::chrono::milliseconds max_interval{60000};  // the backoff's ceiling
    std::optional<std::chrono::milliseconds> timeout;
    // Injected for tests; defaults: an interruptible sleep and the steady clock.
    std::function<void(std::chrono::milliseconds)> sleep;
    std::function<std::chrono::steady_clock::time_point()> now;
};

// The gap between polls of a watcher: the first interval again after something changed, else
// 1.5 times the last one, up to max_interval. Shared by JobWatcher and follow_log so that both
// slow down alike while a job sits in a queue.
class PollBackoff {
  public:
    PollBackoff(std::chrono::milliseconds first, std::chrono::milliseconds max)
        : first_(first), max_(std::max(max, first)), gap_(first) {}
    std::chrono::milliseconds next(bool changed) {
        gap_ = changed
                   ? first_
                   : std::min(max_,
                              std::chrono::milliseconds(static_cast<int64_t>(gap_.count() * 1.5)));
        return gap_;
    }

  private:
    std::chrono::milliseconds first_, max_, gap_;
};

// Polls the latest status of each job until every one is terminal. Between rounds it sleeps the
// interval, which grows 1.5x (up to max_interval) while no job changes and drops back to the
// first value when one does. on_change sees each new status; on_done each job as it ends.
// Returns the final status of each job. On timeout throws Error::temporary (75) naming the jobs
// still running (on_done was called for those that ended).
class JobWatcher {
  public:
    using StatusFn = std::function<JobStatus(const std::string& id)>;
    JobWatcher(StatusFn status, WaitOptions options);
    std::map<std::string, JobStatus> wait(
        const std::vector<std::string>& ids,
        const std::function<void(const std::string&, const JobStatus&)>& on_change = {},
        const std::function<void(const std::string&, const JobStatus&)>& on_done = {});

  private:
    StatusFn status_;
    WaitOptions options_;
};

// A job's log (tail endpoint of its latest run): the last `lines` lines, and with follow every
// new line until the job ends, polling like JobWatcher.
struct LogOptions {
    std::string file = "process_output.log";
    int lines = 20;
    bool follow = false;
    WaitOptions wait;
};
struct LogEvents {
    std::function<void(const std::string& line)> on_line;
    std::function<void(const JobStatus& status)> on_status;  // each new status while following
    std::function<void(const std::string& text)> on_notice;  // "job X has not started a run yet"
};
// Returns the job's last status: terminal when following.
JobStatus follow_log(PlatformClient& client, const std::string& job_id, const LogOptions& options,
                     const LogEvents& events);

// New lines of a log whose end is read again and again (the tail endpoint answers the last N
// lines): the lines of `now` after the longest overlap of the end of `before` with its start.
std::vector<std::string> new_tail_lines(const std::vector<std::string>& before,
                                        const std::vector<std::string>& now);

}  // namespace ri::platform
