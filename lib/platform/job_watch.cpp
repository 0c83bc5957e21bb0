#include "platform/job_watch.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <thread>

#include "core/cancel.hpp"
#include "core/error.hpp"
#include "core/strings.hpp"
#include "core/units.hpp"

namespace ri::platform {

namespace {

using std::chrono::milliseconds;

void interruptible_sleep(milliseconds d) {
    cancel::sleep_for(d);
}

}  // namespace

std::string status_enum_form(std::string_view status) {
    std::string out = strings::upper(status);
    std::replace_if(
        out.begin(), out.end(), [](char c) { return c == ' ' || c == '-'; }, '_');
    return out;
}

bool is_terminal_status(std::string_view status) {
    std::string e = status_enum_form(status);
    return e == "COMPLETED" || e == "FAILED" || e == "STOPPED" || e == "FORCE_STOPPED" ||
           e == "FORCE_STOP" || e == "TERMINATED";
}

bool is_completed_status(std::string_view status) {
    return status_enum_form(status) == "COMPLETED";
}

JobStatus latest_status(PlatformClient& client, const std::string& id) {
    Json j = client.get("/api/v2/jobs/" + id_segment(id, "job") + "/statuses/?page_size=1",
                        {"reading the status of job " + id, "job " + id});
    const Json* first = nullptr;
    if (j.is_array() && !j.empty())
        first = &j[0];
    else if (j.is_object() && j.contains("results") && j["results"].is_array() &&
             !j["results"].empty())
        first = &j["results"][0];
    if (!first) return {"Not Submitted", "", "", Json()};
    return JobStatus::from_json(*first);
}

milliseconds parse_duration(std::string_view text, std::string_view what) {
    auto bad = [&]() {
        return Error::usage(fmt::format(
            "{}: '{}' is not a duration (e.g. 90, 90s, 15m, 2h, 1h30m).", what, std::string(text)));
    };
    if (text.empty()) throw bad();
    double total = 0;
    size_t i = 0;
    while (i < text.size()) {
        size_t j = i;
        while (j < text.size() &&
               (std::isdigit(static_cast<unsigned char>(text[j])) || text[j] == '.'))
            ++j;
        if (j == i) throw bad();
        double v = std::stod(std::string(text.substr(i, j - i)));
        double unit = 1;
        if (j < text.size()) {
            switch (text[j]) {
                case 's':
                    unit = 1;
                    break;
                case 'm':
                    unit = 60;
                    break;
                case 'h':
                    unit = 3600;
                    break;
                case 'd':
                    unit = 86400;
                    break;
                default:
                    throw bad();
            }
            ++j;
        } else if (i != 0) {
            throw bad();  // "1h30" is ambiguous
        }
        total += v * unit;
        i = j;
    }
    return milliseconds(static_cast<int64_t>(std::llround(total * 1000)));
}

JobWatcher::JobWatcher(StatusFn status, WaitOptions options)
    : status_(std::move(status)), options_(std::move(options)) {
    if (!options_.sleep) options_.sleep = interruptible_sleep;
    if (!options_.now) options_.now = [] { return std::chrono::steady_clock::now(); };
    if (options_.interval.count() <= 0) options_.interval = milliseconds(1);
    options_.max_interval = std::max(options_.max_interval, options_.interval);
}

std::map<std::string, JobStatus> JobWatcher::wait(
    const std::vector<std::string>& ids,
    const std::function<void(const std::string&, const JobStatus&)>& on_change,
    const std::function<void(const std::string&, const JobStatus&)>& on_done) {
    std::map<std::string, JobStatus> last, done;
    std::vector<std::string> pending;
    for (const auto& id : ids)
        if (std::find(pending.begin(), pending.end(), id) == pending.end()) pending.push_back(id);
    auto start = options_.now();
    PollBackoff backoff(options_.interval, options_.max_interval);
    while (true) {
        bool changed = false;
        for (auto it = pending.begin(); it != pending.end();) {
            JobStatus s = status_(*it);
            auto prev = last.find(*it);
            if (prev == last.end() || prev->second.status != s.status) {
                changed = true;
                if (on_change) on_change(*it, s);
            }
            last[*it] = s;
            if (is_terminal_status(s.status)) {
                done[*it] = s;
                if (on_done) on_done(*it, s);
                it = pending.erase(it);
            } else {
                ++it;
            }
        }
        if (pending.empty()) return done;
        milliseconds gap = backoff.next(changed);
        if (options_.timeout) {
            auto elapsed = std::chrono::duration_cast<milliseconds>(options_.now() - start);
            if (elapsed >= *options_.timeout) {
                std::vector<std::string> still;
                for (const auto& id : pending)
                    still.push_back(fmt::format("{} ({})", id, last[id].status));
                throw Error::temporary(
                    fmt::format("Timed out after {} waiting for {} still running: {}.",
                                units::seconds(*options_.timeout),
                                still.size() == 1 ? "1 job" : fmt::format("{} jobs", still.size()),
                                fmt::join(still, ", ")));
            }
            gap = std::min(gap, *options_.timeout - elapsed);
        }
        options_.sleep(gap);
    }
}

std::vector<std::string> new_tail_lines(const std::vector<std::string>& before,
                                        const std::vector<std::string>& now) {
    size_t max = std::min(before.size(), now.size());
    for (size_t k = max; k > 0; --k) {
        if (std::equal(before.end() - static_cast<std::ptrdiff_t>(k), before.end(), now.begin()))
            return {now.begin() + static_cast<std::ptrdiff_t>(k), now.end()};
    }
    return now;
}

JobStatus follow_log(PlatformClient& c, const std::string& id, const LogOptions& o,
                     const LogEvents& events) {
    auto sleep = o.wait.sleep ? o.wait.sleep : interruptible_sleep;
    int window = o.follow ? std::max(o.lines, 200) : o.lines;
    PollBackoff backoff(o.wait.interval, o.wait.max_interval);
    std::vector<std::string> seen;
    std::string last_status;
    bool first = true;
    for (;;) {
        JobStatus s = latest_status(c, id);
        bool changed = s.status != last_status;
        if (changed && o.follow && events.on_status) events.on_status(s);
        last_status = s.status;
        auto runs = c.job_runs(id);
        if (!runs.empty()) {
            std::vector<std::string> now;
            try {
                now = c.tail(id, runs.back().id, o.file, window);
            } catch (const NotFoundError&) {
                // The log does not exist yet.
            }
            auto fresh = new_tail_lines(seen, now);
            // The first time, only the last N lines; after that everything new.
            size_t skip = first && fresh.size() > static_cast<size_t>(o.lines)
                              ? fresh.size() - static_cast<size_t>(o.lines)
                              : 0;
            for (size_t i = skip; i < fresh.size(); ++i)
                if (events.on_line) events.on_line(fresh[i]);
            changed = changed || !fresh.empty();
            if (!now.empty()) first = false;
            seen = std::move(now);
        } else if (!o.follow && events.on_notice) {
            events.on_notice(fmt::format("job {} has not started a run yet ({})", id, s.status));
        }
        if (!o.follow || is_terminal_status(s.status)) return s;
        sleep(backoff.next(changed));
    }
}

}  // namespace ri::platform
