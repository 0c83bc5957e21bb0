// The standard sinks of the progress stream: a terminal bar, plain lines and JSON events, each
// also showing the run's warnings, notices and errors in its own form.
#include <fmt/format.h>

#include <cmath>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/progress.hpp"
#include "core/redact.hpp"
#include "core/terminal.hpp"
#include "core/units.hpp"

namespace ri {

std::mutex& stderr_mutex();
bool& bar_visible();

namespace {

using Clock = std::chrono::steady_clock;

// Warnings, notices and errors as "TOOL: text" lines: what every text sink shows of them.
class LineSink : public ProgressSink {
  public:
    explicit LineSink(SinkOptions options) : options_(std::move(options)) {}

    void on_event(const ProgressEvent& e) override {
        switch (e.type) {
            case ProgressEventType::warning:
                if (!options_.quiet) stderr_line(fmt::format("{}: {}", options_.tool, e.message));
                break;
            case ProgressEventType::notice:
                if (options_.verbose && !options_.quiet)
                    stderr_line(fmt::format("{}: {}", options_.tool, e.message));
                break;
            case ProgressEventType::error:
                stderr_line(fmt::format("{}: {}", options_.tool, e.message));
                if (options_.verbose && !e.detail.empty())
                    stderr_line(fmt::format("{}: detail: {}", options_.tool, e.detail));
                break;
            default:
                if (!options_.quiet) on_progress(e);
        }
    }

  protected:
    // Items and stages; not called under --quiet.
    virtual void on_progress(const ProgressEvent&) {}
    SinkOptions options_;
};

// One line per step: "verb NAME (SIZE)" when it starts, "done NAME: SIZE in S s (RATE)" when it
// ends, and every 10 s of a long step a line with how far it got, so a log shows it is alive.
class PlainSink : public LineSink {
  public:
    using LineSink::LineSink;

  protected:
    void on_progress(const ProgressEvent& e) override {
        auto now = Clock::now();
        switch (e.type) {
            case ProgressEventType::started:
                stderr_line(fmt::format("{} {} ({})", e.verb, e.name, units::bytes(e.item_size)));
                started_[e.item] = now;
                break;
            case ProgressEventType::finished: {
                double secs = e.item_seconds;
                stderr_line(fmt::format(
                    "done {}: {} in {:.1f} s ({})", e.name, units::bytes(e.item_bytes), secs,
                    units::rate(secs > 0 ? static_cast<double>(e.item_bytes) / secs : 0)));
                started_.erase(e.item);
                break;
            }
            case ProgressEventType::skipped:
            case ProgressEventType::failed:
                started_.erase(e.item);
                break;
            case ProgressEventType::update:
                heartbeat(e, now);
                break;
            default:
                break;
        }
    }

  private:
    void heartbeat(const ProgressEvent& e, Clock::time_point now) {
        if (now - last_heartbeat_ < std::chrono::seconds(10)) return;
        for (const auto& a : e.active) {
            auto it = started_.find(a.item);
            if (it == started_.end() || now - it->second < std::chrono::seconds(10)) continue;
            last_heartbeat_ = now;
            stderr_line(fmt::format("{} {}: {} of {} ({})", e.verb.empty() ? "working on" : e.verb,
                                    a.name, units::bytes(a.bytes), units::bytes(a.size),
                                    units::rate(e.totals.bytes_per_second)));
            return;
        }
    }

    std::map<uint64_t, Clock::time_point> started_;
    Clock::time_point last_heartbeat_{};
};

// A line that rewrites itself: at most 4 frames a second, and only when its text changed.
class BarSink : public LineSink {
  public:
    using LineSink::LineSink;

  protected:
    void on_progress(const ProgressEvent& e) override {
        if (e.type == ProgressEventType::started) {
            verb_ = std::string(e.verb);
            item_ = std::string(e.name);
        } else if (e.type == ProgressEventType::update && !e.name.empty()) {
            verb_ = std::string(e.verb);
            item_ = std::string(e.name);
        }
        if (e.type == ProgressEventType::finish) {
            // The last frame (so a run that ended between frames still shows where it ended),
            // then the line is cleared for the shell.
            draw(line(e.totals), true);
            std::lock_guard lock(stderr_mutex());
            if (bar_visible()) {
                terminal::write_stderr("\r\x1b[K");
                bar_visible() = false;
            }
            return;
        }
        draw(line(e.totals), false);
    }

  private:
    std::string line(const ProgressTotals& t) const {
        double frac =
            t.total_bytes
                ? std::min(1.0, static_cast<double>(t.bytes) / static_cast<double>(t.total_bytes))
                : 0.0;
        constexpr int kWidth = 24;
        std::string bar(static_cast<size_t>(frac * kWidth), '#');
        bar.resize(kWidth, '.');
        std::string files;
        if (t.items_total > 1) {
            uint64_t current =
                std::min(t.items_done + t.items_failed + t.items_skipped + 1, t.items_total);
            files = fmt::format("  ({} of {} files)", current, t.items_total);
        }
        return fmt::format(
            "[{}] {:3.0f}%  {} / {}  {}  ETA {}  {} {}{}", bar, frac * 100, units::bytes(t.bytes),
            units::bytes(t.total_bytes), units::rate(t.bytes_per_second),
            units::eta(t.eta_seconds < 0 ? NAN : t.eta_seconds), verb_, item_, files);
    }

    void draw(const std::string& text, bool final_frame) {
        auto now = Clock::now();
        if (text == drawn_ && !final_frame) return;
        if (final_frame && text == drawn_) return;
        if (!final_frame && now - last_draw_ < std::chrono::milliseconds(250)) return;
        last_draw_ = now;
        drawn_ = text;
        std::string out = "\r\x1b[K" + redact(text);
        std::lock_guard lock(stderr_mutex());
        terminal::write_stderr(out);
        bar_visible() = true;
    }

    std::string verb_, item_, drawn_;
    Clock::time_point last_draw_{};
};

// {"kind":"progress","event":...} lines (docs/conventions.md): every item event, the run's
// warnings, notices (with --verbose) and errors, and updates at most every 500 ms.
class JsonSink : public ProgressSink {
  public:
    explicit JsonSink(SinkOptions options) : options_(std::move(options)) {}

    void on_event(const ProgressEvent& e) override {
        if (e.type == ProgressEventType::notice && !options_.verbose) return;
        if (e.type == ProgressEventType::update) {
            auto now = Clock::now();
            if (now - last_update_ < std::chrono::milliseconds(500)) return;
            last_update_ = now;
        }
        nlohmann::ordered_json j = {{"kind", "progress"}, {"event", progress_event_name(e.type)}};
        if (e.item) {
            j["item_id"] = e.item;
            j["item"] = e.name;
        } else if (e.type == ProgressEventType::update || e.type == ProgressEventType::finish) {
            j["item"] = e.name;
        }
        if (!e.verb.empty()) j["verb"] = e.verb;
        describe(e, j);
        const auto& t = e.totals;
        j["bytes"] = t.bytes;
        j["total_bytes"] = t.total_bytes;
        j["files_done"] = t.items_done;
        j["files_failed"] = t.items_failed;
        j["files_skipped"] = t.items_skipped;
        j["files_total"] = t.items_total;
        j["bytes_per_second"] = t.bytes_per_second;
        if (t.eta_seconds >= 0 && std::isfinite(t.eta_seconds))
            j["eta_seconds"] = std::round(t.eta_seconds * 10) / 10;
        if (!t.stage.empty()) j["stage"] = t.stage;
        std::string line =
            redact(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)) + "\n";
        std::lock_guard lock(stderr_mutex());
        terminal::write_stderr(line);
    }

  private:
    void describe(const ProgressEvent& e, nlohmann::ordered_json& j) const {
        switch (e.type) {
            case ProgressEventType::queued:
            case ProgressEventType::started:
                j["item_size"] = e.item_size;
                break;
            case ProgressEventType::finished:
                j["item_bytes"] = e.item_bytes;
                j["item_size"] = e.item_size;
                j["seconds"] = std::round(e.item_seconds * 1000) / 1000;
                break;
            case ProgressEventType::skipped:
                j["reason"] = e.message;
                break;
            case ProgressEventType::failed:
            case ProgressEventType::error:
                if (e.type == ProgressEventType::failed) j["item_bytes"] = e.item_bytes;
                j["exit_code"] = to_int(e.code);
                j["error"] = exit_code_name(e.code);
                j["message"] = e.message;
                if (options_.verbose && !e.detail.empty()) j["detail"] = e.detail;
                break;
            case ProgressEventType::warning:
            case ProgressEventType::notice:
                j["message"] = e.message;
                break;
            case ProgressEventType::stage:  // the new stage is in the totals' "stage"
            case ProgressEventType::update: {
                auto active = nlohmann::ordered_json::array();
                for (const auto& a : e.active) {
                    if (active.size() >= 32) break;  // a line stays readable with 1000 in flight
                    active.push_back({{"item_id", a.item},
                                      {"item", a.name},
                                      {"bytes", a.bytes},
                                      {"size", a.size}});
                }
                j["active"] = std::move(active);
                break;
            }
            case ProgressEventType::finish:
                j["exit_code"] = to_int(e.code);
                break;
            case ProgressEventType::totals:
                break;
        }
    }

    SinkOptions options_;
    Clock::time_point last_update_{};
};

}  // namespace

std::unique_ptr<ProgressSink> make_progress_sink(ProgressMode mode, const SinkOptions& options) {
    switch (resolve_progress_mode(mode)) {
        case ProgressMode::bar:
            return std::make_unique<BarSink>(options);
        case ProgressMode::plain:
            return std::make_unique<PlainSink>(options);
        case ProgressMode::json:
            return std::make_unique<JsonSink>(options);
        default:
            return std::make_unique<LineSink>(options);
    }
}

}  // namespace ri
