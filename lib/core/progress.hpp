// Progress as a stream of events about the items of a run (files, archives, jobs), fanned out to
// sinks. The engines say what happens to each item; the sinks decide what the user sees:
//   bar:   one line that rewrites itself on a terminal, at most 4 times a second, only when it
//          changed: bytes of total, speed over 3 s, the ETA in seed 004's words, N of M files
//   plain: a line per step and a heartbeat every 10 s for long steps (pipes, logs, cron)
//   json:  one {"kind":"progress","event":...} line per event on stderr (docs/conventions.md), so
//          a supervisor (ri-pur, ri-watch, ri-dash) running a tool knows the fate of every item
//   none:  no progress, warnings still shown (--quiet shows neither)
// and later sinks (the dashboard's activity feed) plug in through ProgressSink.
//
// Every item ends exactly once: finished, skipped (with why) or failed (with its exit class and
// plain message). Progress never passes 100 % or goes backwards: an item counts at most its size,
// and the total done only grows.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"

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

// The run as a whole, as it stands after an event.
struct ProgressTotals {
    uint64_t bytes = 0;  // done: never above total_bytes, never below an earlier value
    uint64_t total_bytes = 0;
    uint64_t items_total = 0;
    uint64_t items_done = 0;
    uint64_t items_skipped = 0;
    uint64_t items_failed = 0;
    double bytes_per_second = 0;
    double eta_seconds = -1;  // < 0: unknown
    std::string_view stage;   // the current stage of a multi-stage run ("" for none)
};

enum class ProgressEventType {
    queued,    // an item the run will work on (emitted in batches, with the totals so far)
    started,   // work on it began (verb says what)
    update,    // periodic: bytes of the active items
    finished,  // done
    skipped,   // nothing to do (message says why)
    failed,    // failed (code and message say how); the run goes on with the others
    stage,     // the run entered a stage (message names it)
    warning,   // something the user should know; not a failure
    notice,    // detail for --verbose
    error,     // the run's own failure (code and message), as the tool reports it
    totals,    // the totals changed without an item event
    finish,    // the last event of the run (code: the exit code)
};

const char* progress_event_name(ProgressEventType type);

struct ActiveItem {
    uint64_t item;
    std::string_view name;
    uint64_t bytes;
    uint64_t size;
};

struct ProgressEvent {
    ProgressEventType type = ProgressEventType::update;
    uint64_t item = 0;             // the item's number in this run, from 1; 0 for run events
    std::string_view name;         // the item as the user knows it (a path, a job's file name)
    std::string_view verb;         // "uploading", "hashing"...
    uint64_t item_bytes = 0;       // bytes of the item done
    uint64_t item_size = 0;        // its size (0: not known)
    double item_seconds = 0;       // finished: time since it started
    ExitCode code = ExitCode::ok;  // failed and error: the class; finish: the exit code
    std::string_view message;      // failed/error: plain message; skipped: why; warning/notice:
                                   // the text; stage: its name
    std::string_view detail;       // error: the raw detail (sinks show it under --verbose)
    std::span<const ActiveItem> active;  // update: the items in flight
    ProgressTotals totals;
};

// Receives every event of a run, one at a time (never concurrently), in order.
class ProgressSink {
  public:
    virtual ~ProgressSink() = default;
    virtual void on_event(const ProgressEvent& event) = 0;
};

// What the standard sinks print: the tool's name starts warning and error lines; verbose shows
// notices and error details; quiet hides warnings (errors always show).
struct SinkOptions {
    std::string tool = "ri";
    bool verbose = false;
    bool quiet = false;
};
// The sink for a mode (auto_detect resolved first): bar, plain, json, or lines only (none).
std::unique_ptr<ProgressSink> make_progress_sink(ProgressMode mode, const SinkOptions& options);

class Progress {
  public:
    using ItemId = uint64_t;
    using Clock = std::chrono::steady_clock;

    // With no sink: nothing is shown (library callers, tests).
    Progress();
    // The standard sink of the mode.
    explicit Progress(ProgressMode mode, SinkOptions options = {});
    ~Progress();
    Progress(const Progress&) = delete;
    Progress& operator=(const Progress&) = delete;

    ProgressMode mode() const { return mode_; }
    void add_sink(std::shared_ptr<ProgressSink> sink);

    // Thread-safe, all of them. queue() announces an item (its bytes join the total);
    // begin() is queue() and start() in one.
    ItemId queue(std::string_view name, uint64_t bytes);
    void start(ItemId item, std::string_view verb);
    ItemId begin(std::string_view verb, std::string_view name, uint64_t bytes);
    // The item turned out to be of another size (a HEAD answered): the total follows.
    void resize(ItemId item, uint64_t bytes);
    // Cheap, called per chunk from worker threads: bytes of the item done since the last call.
    void advance(ItemId item, uint64_t bytes);
    void finish(ItemId item);
    void skip(ItemId item, std::string_view reason);
    void fail(ItemId item, ExitCode code, std::string_view message);
    // The class and message of e (an ri::Error; anything else is internal).
    void fail(ItemId item, const std::exception& e);
    void stage(std::string_view name);
    void warning(std::string_view text);
    void notice(std::string_view text);
    void error(ExitCode code, std::string_view message, std::string_view detail = {});
    // The run is over: the finish event (bars are cleared). Later calls do nothing.
    void close(ExitCode code = ExitCode::ok);

    ProgressTotals totals();

  private:
    struct Item;
    struct Chunk;
    Item* find(ItemId id) const;
    Item& item_or_dummy(ItemId id);
    void emit(ProgressEvent& event);  // with mutex_ held
    void emit_run_event(ProgressEventType type, std::string_view message,
                        ExitCode code = ExitCode::ok, std::string_view detail = {});
    void flush_queued();      // with mutex_ held
    void settle(Item& item);  // with mutex_ held: the item leaves the active ones
    void end(ItemId id, ProgressEventType type, ExitCode code, std::string_view message);
    void maybe_update();
    ProgressTotals totals_locked();

    ProgressMode mode_ = ProgressMode::none;
    std::vector<std::shared_ptr<ProgressSink>> sinks_;
    std::mutex mutex_;  // serializes events and guards what is not atomic
    static constexpr size_t kChunkItems = 1024;
    static constexpr size_t kMaxChunks = 8192;
    std::unique_ptr<std::atomic<Chunk*>[]> chunks_;
    std::atomic<uint64_t> count_{0};
    uint64_t flushed_ = 0;  // items whose queued event went out
    std::vector<ItemId> active_;
    uint64_t total_bytes_ = 0;
    uint64_t settled_bytes_ = 0;  // counted bytes of items that ended
    uint64_t reported_bytes_ = 0;
    uint64_t done_ = 0, skipped_ = 0, failed_ = 0;
    std::atomic<uint64_t> moved_{0};  // bytes actually transferred: the speed's measure
    std::string stage_;
    Clock::time_point start_;
    std::atomic<int64_t> next_update_ns_{0};
    RollingRate rate_;
    bool closed_ = false;
};

// One item of a run, for code that only reports its bytes (the archive writer, crypto loops).
struct ItemProgress {
    Progress* progress = nullptr;
    Progress::ItemId item = 0;
    void advance(uint64_t bytes) const {
        if (progress) progress->advance(item, bytes);
    }
};

// What library code tells the user with no tool at hand (the API budget's notices): by default
// "ri: TEXT" on stderr; a tool routes it through its progress sink instead, so that under
// --progress json it is a warning event like any other.
void user_notice(std::string_view text);
void set_user_notice_handler(std::function<void(std::string_view)> handler);

// Prints one line to stderr (redacted), first clearing a progress bar if one is on screen.
// Every warning, notice and error line goes through here.
void stderr_line(std::string_view text);

}  // namespace ri
