// Progress on stderr, never stdout. One aggregate view of the work in flight: bytes done of
// total, speed over a rolling 3-second window, the ETA in seed 004's words, and "N of M files"
// when there are several, so a thousand files make one line, not a thousand bars.
//   bar:   a line that rewrites itself (terminal)
//   plain: one line per step, plus a line every 10 s for long steps (pipes, logs, cron)
//   json:  {"kind":"progress",...} lines on stderr for programs that drive ri
//   none:  nothing (--quiet)
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace ri {

enum class ProgressMode { auto_detect, bar, plain, json, none };

ProgressMode parse_progress_mode(std::string_view text);  // throws usage on unknown text
ProgressMode resolve_progress_mode(ProgressMode requested);

// Speed over a rolling window of (time, bytes) samples.
class RollingRate {
  public:
    using Clock = std::chrono::steady_clock;
    explicit RollingRate(std::chrono::milliseconds window = std::chrono::seconds(3))
        : window_(window) {}
    void add(Clock::time_point t, uint64_t total_bytes);
    double bytes_per_second() const;

  private:
    std::chrono::milliseconds window_;
    std::deque<std::pair<Clock::time_point, uint64_t>> samples_;
};

class Progress {
  public:
    using Clock = std::chrono::steady_clock;

    explicit Progress(ProgressMode mode = ProgressMode::none);
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    ProgressMode mode() const { return mode_; }
    // Totals known up front (or grown as inputs arrive from stdin).
    void add_total(uint64_t bytes, uint64_t files = 1);
    // verb: "encrypting", "uploading"...; name: what is being worked on.
    void begin_item(std::string_view verb, std::string_view name, uint64_t bytes);
    // Thread-safe and cheap: called from worker threads per chunk.
    void advance(uint64_t bytes);
    // name: the item that ended, when several run at once (the "done" line then names it and
    // times it from its own start); without it, the most recently begun item.
    void end_item(bool ok, std::string_view name = {});
    // Ends the bar line; prints a summary in plain mode.
    void finish();

  private:
    void render(bool force, std::string_view event);
    std::string bar_line(double speed, double eta_seconds) const;

    ProgressMode mode_;
    std::mutex mutex_;
    std::atomic<uint64_t> done_bytes_{0};
    uint64_t total_bytes_ = 0;
    uint64_t total_files_ = 0;
    uint64_t files_done_ = 0;
    uint64_t files_failed_ = 0;
    std::string verb_;
    std::string item_;
    uint64_t item_start_bytes_ = 0;
    uint64_t item_bytes_ = 0;
    Clock::time_point start_;
    Clock::time_point item_start_;
    Clock::time_point last_render_{};
    Clock::time_point last_plain_{};
    RollingRate rate_;
    struct ActiveItem {
        Clock::time_point start;
        uint64_t bytes;
    };
    std::multimap<std::string, ActiveItem, std::less<>> active_;
    bool finished_ = false;
};

// Prints one line to stderr (redacted), first clearing a progress bar if one is on screen.
// Every warning, notice and error line goes through here.
void stderr_line(std::string_view text);

}  // namespace ri
