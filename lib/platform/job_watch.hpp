// Watching jobs: the current status of a job (from the statuses endpoint: the single-job GET has
// none), waiting until jobs end, and following a job's log. Polling uses the v2 paths of the
// jobs-usage scope (25/s) rather than the user scope (2/s), and slows down while nothing changes.
#pragma once

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

// New lines of a log whose end is read again and again (the tail endpoint answers the last N
// lines): the lines of `now` after the longest overlap of the end of `before` with its start.
std::vector<std::string> new_tail_lines(const std::vector<std::string>& before,
                                        const std::vector<std::string>& now);

}  // namespace ri::platform
