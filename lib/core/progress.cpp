#include "core/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/error.hpp"
#include "core/redact.hpp"
#include "core/units.hpp"

namespace ri {
namespace {

// Shared by stderr_line() and bar rendering so a message never lands in the middle of a bar.
std::mutex g_stderr_mutex;
bool g_bar_visible = false;

void write_stderr(std::string_view s) {
    (void)!::write(STDERR_FILENO, s.data(), s.size());
}

}  // namespace

ProgressMode parse_progress_mode(std::string_view text) {
    if (text == "auto") return ProgressMode::auto_detect;
    if (text == "bar") return ProgressMode::bar;
    if (text == "plain") return ProgressMode::plain;
    if (text == "json") return ProgressMode::json;
    if (text == "none") return ProgressMode::none;
    throw Error::usage(
        fmt::format("Unknown progress mode '{}': use auto, bar, plain, json or none.", text));
}

ProgressMode resolve_progress_mode(ProgressMode requested) {
    if (requested != ProgressMode::auto_detect) return requested;
    return ::isatty(STDERR_FILENO) ? ProgressMode::bar : ProgressMode::plain;
}

void RollingRate::add(Clock::time_point t, uint64_t total_bytes) {
    samples_.emplace_back(t, total_bytes);
    while (samples_.size() > 2 && samples_.front().first < t - window_)
        samples_.pop_front();
}

double RollingRate::bytes_per_second() const {
    if (samples_.size() < 2) return 0.0;
    const auto& [t0, b0] = samples_.front();
    const auto& [t1, b1] = samples_.back();
    double dt = std::chrono::duration<double>(t1 - t0).count();
    if (dt <= 0) return 0.0;
    return static_cast<double>(b1 - b0) / dt;
}

Progress::Progress(ProgressMode mode) : mode_(resolve_progress_mode(mode)), start_(Clock::now()) {
    rate_.add(start_, 0);
}

Progress::~Progress() {
    if (!finished_) finish();
}

void Progress::add_total(uint64_t bytes, uint64_t files) {
    std::lock_guard lock(mutex_);
    total_bytes_ += bytes;
    total_files_ += files;
}

void Progress::begin_item(std::string_view verb, std::string_view name, uint64_t bytes) {
    {
        std::lock_guard lock(mutex_);
        verb_ = verb;
        item_ = name;
        item_bytes_ = bytes;
        item_start_bytes_ = done_bytes_.load();
        item_start_ = Clock::now();
        active_.emplace(std::string(name), ActiveItem{item_start_, bytes});
    }
    if (mode_ == ProgressMode::plain) {
        stderr_line(fmt::format("{} {} ({})", verb, name, units::bytes(bytes)));
    }
    render(true, "start");
}

void Progress::advance(uint64_t bytes) {
    done_bytes_.fetch_add(bytes, std::memory_order_relaxed);
    if (mode_ == ProgressMode::none) return;
    render(false, "update");
}

void Progress::end_item(bool ok, std::string_view name) {
    double secs;
    uint64_t item_done;
    std::string item;
    {
        std::lock_guard lock(mutex_);
        ok ? ++files_done_ : ++files_failed_;
        auto it = active_.find(name.empty() ? std::string_view(item_) : name);
        if (it != active_.end()) {
            // Items run concurrently: this one's size and its own start, not the latest item's.
            item = it->first;
            secs = std::chrono::duration<double>(Clock::now() - it->second.start).count();
            item_done = it->second.bytes;
            active_.erase(it);
        } else {
            item = item_;
            secs = std::chrono::duration<double>(Clock::now() - item_start_).count();
            item_done = done_bytes_.load() - item_start_bytes_;
        }
    }
    if (mode_ == ProgressMode::plain && ok) {
        stderr_line(fmt::format("done {}: {} in {:.1f} s ({})", item, units::bytes(item_done), secs,
                                units::rate(secs > 0 ? static_cast<double>(item_done) / secs : 0)));
    }
    render(true, ok ? "end" : "failed");
}

void Progress::finish() {
    if (finished_) return;
    finished_ = true;
    if (mode_ == ProgressMode::bar) {
        std::lock_guard lock(g_stderr_mutex);
        if (g_bar_visible) {
            write_stderr("\r\x1b[K");
            g_bar_visible = false;
        }
    } else if (mode_ == ProgressMode::json) {
        render(true, "finish");
    }
}

std::string Progress::bar_line(double speed, double eta_seconds) const {
    uint64_t done = done_bytes_.load();
    double frac = total_bytes_
                      ? std::min(1.0, static_cast<double>(done) / static_cast<double>(total_bytes_))
                      : 0.0;
    constexpr int kWidth = 24;
    int filled = static_cast<int>(frac * kWidth);
    std::string bar(static_cast<size_t>(filled), '#');
    bar.resize(kWidth, '.');
    std::string files;
    if (total_files_ > 1) {
        uint64_t current = std::min(files_done_ + files_failed_ + 1, total_files_);
        files = fmt::format("  ({} of {} files)", current, total_files_);
    }
    return fmt::format("[{}] {:3.0f}%  {} / {}  {}  ETA {}  {} {}{}", bar, frac * 100,
                       units::bytes(done), units::bytes(total_bytes_), units::rate(speed),
                       units::eta(eta_seconds), verb_, item_, files);
}

void Progress::render(bool force, std::string_view event) {
    if (mode_ == ProgressMode::none || mode_ == ProgressMode::plain) {
        if (mode_ == ProgressMode::plain && !force) {
            // A heartbeat for long steps so a log shows the work is alive.
            std::unique_lock lock(mutex_, std::try_to_lock);
            if (!lock.owns_lock()) return;
            auto now = Clock::now();
            if (now - last_plain_ < std::chrono::seconds(10) ||
                now - item_start_ < std::chrono::seconds(10))
                return;
            last_plain_ = now;
            rate_.add(now, done_bytes_.load());
            uint64_t done = done_bytes_.load() - item_start_bytes_;
            std::string line =
                fmt::format("{} {}: {} of {} ({})", verb_, item_, units::bytes(done),
                            units::bytes(item_bytes_), units::rate(rate_.bytes_per_second()));
            lock.unlock();
            stderr_line(line);
        }
        return;
    }
    std::unique_lock lock(mutex_, std::defer_lock);
    if (force) {
        lock.lock();
    } else if (!lock.try_lock()) {
        return;  // another thread is rendering; skipping one frame is fine
    }
    auto now = Clock::now();
    auto min_gap = mode_ == ProgressMode::json ? std::chrono::milliseconds(500)
                                               : std::chrono::milliseconds(150);
    if (!force && now - last_render_ < min_gap) return;
    last_render_ = now;
    uint64_t done = done_bytes_.load();
    rate_.add(now, done);
    double speed = rate_.bytes_per_second();
    double eta =
        speed > 0 && total_bytes_ >= done ? static_cast<double>(total_bytes_ - done) / speed : NAN;
    if (mode_ == ProgressMode::json) {
        nlohmann::json ev = {{"kind", "progress"},
                             {"event", event},
                             {"verb", verb_},
                             {"item", item_},
                             {"bytes", done},
                             {"total_bytes", total_bytes_},
                             {"files_done", files_done_},
                             {"files_failed", files_failed_},
                             {"files_total", total_files_},
                             {"bytes_per_second", std::round(speed)}};
        if (std::isfinite(eta)) ev["eta_seconds"] = std::round(eta * 10) / 10;
        std::string line =
            redact(ev.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) + "\n";
        std::lock_guard out(g_stderr_mutex);
        write_stderr(line);
        return;
    }
    std::string line = "\r\x1b[K" + redact(bar_line(speed, eta));
    std::lock_guard out(g_stderr_mutex);
    write_stderr(line);
    g_bar_visible = true;
}

void stderr_line(std::string_view text) {
    std::string line = redact(text);
    line += '\n';
    std::lock_guard lock(g_stderr_mutex);
    if (g_bar_visible) {
        write_stderr("\r\x1b[K");
        g_bar_visible = false;
    }
    write_stderr(line);
}

}  // namespace ri
