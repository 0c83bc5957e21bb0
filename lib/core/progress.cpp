#include "core/progress.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/redact.hpp"
#include "core/terminal.hpp"

namespace ri {

struct Progress::Item {
    std::string name;
    std::string verb;
    std::atomic<uint64_t> bytes{0};  // advanced by workers, counted up to size
    uint64_t size = 0;
    Clock::time_point started{};
    bool active = false;
    bool ended = false;
};

struct Progress::Chunk {
    Item items[kChunkItems];
};

ProgressMode parse_progress_mode(std::string_view text) {
    static constexpr std::pair<std::string_view, ProgressMode> kModes[] = {
        {"auto", ProgressMode::auto_detect},
        {"bar", ProgressMode::bar},
        {"plain", ProgressMode::plain},
        {"json", ProgressMode::json},
        {"none", ProgressMode::none}};
    for (const auto& [name, mode] : kModes)
        if (text == name) return mode;
    throw Error::usage(
        fmt::format("Unknown progress mode '{}': use auto, bar, plain, json or none.", text));
}

ProgressMode resolve_progress_mode(ProgressMode requested) {
    if (requested != ProgressMode::auto_detect) return requested;
    return terminal::stderr_is_terminal() ? ProgressMode::bar : ProgressMode::plain;
}

const char* progress_event_name(ProgressEventType type) {
    // In the order of ProgressEventType; the JSON names of docs/conventions.md.
    static constexpr const char* kNames[] = {"queued",  "start",  "update", "end",
                                             "skipped", "failed", "stage",  "warning",
                                             "notice",  "error",  "totals", "finish"};
    return kNames[static_cast<size_t>(type)];
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
    if (dt <= 0 || b1 < b0) return 0.0;
    return static_cast<double>(b1 - b0) / dt;
}

Progress::Progress()
    : chunks_(std::make_unique<std::atomic<Chunk*>[]>(kMaxChunks)), start_(Clock::now()) {
    rate_.add(start_, 0);
}

Progress::Progress(ProgressMode mode, SinkOptions options) : Progress() {
    mode_ = resolve_progress_mode(mode);
    sinks_.push_back(make_progress_sink(mode_, options));
}

Progress::~Progress() {
    close();
    for (size_t i = 0; i < kMaxChunks; ++i)
        delete chunks_[i].load();
}

void Progress::add_sink(std::shared_ptr<ProgressSink> sink) {
    std::lock_guard lock(mutex_);
    sinks_.push_back(std::move(sink));
}

Progress::Item* Progress::find(ItemId id) const {
    if (id == 0 || id > count_.load(std::memory_order_acquire)) return nullptr;
    Chunk* chunk = chunks_[(id - 1) / kChunkItems].load(std::memory_order_acquire);
    return chunk ? &chunk->items[(id - 1) % kChunkItems] : nullptr;
}

// Calls with an unknown id (0: the caller had no item) must not crash a transfer.
Progress::Item& Progress::item_or_dummy(ItemId id) {
    static thread_local Item dummy;
    Item* it = find(id);
    return it ? *it : dummy;
}

Progress::ItemId Progress::queue(std::string_view name, uint64_t bytes) {
    std::lock_guard lock(mutex_);
    uint64_t id = count_.load(std::memory_order_relaxed) + 1;
    size_t c = (id - 1) / kChunkItems;
    if (c >= kMaxChunks) return 0;  // beyond 8 million items: counted nowhere, shown as none
    if (!chunks_[c].load(std::memory_order_relaxed)) chunks_[c].store(new Chunk);
    Item& it = chunks_[c].load()->items[(id - 1) % kChunkItems];
    it.name = std::string(name);
    it.size = bytes;
    total_bytes_ += bytes;
    count_.store(id, std::memory_order_release);
    return id;
}

void Progress::start(ItemId id, std::string_view verb) {
    std::lock_guard lock(mutex_);
    Item* it = find(id);
    if (!it || it->active || it->ended) return;
    flush_queued();
    it->verb = std::string(verb);
    it->started = Clock::now();
    it->active = true;
    active_.push_back(id);
    ProgressEvent e;
    e.type = ProgressEventType::started;
    e.item = id;
    e.name = it->name;
    e.verb = it->verb;
    e.item_size = it->size;
    e.item_bytes = std::min(it->bytes.load(), it->size);
    emit(e);
}

Progress::ItemId Progress::begin(std::string_view verb, std::string_view name, uint64_t bytes) {
    ItemId id = queue(name, bytes);
    start(id, verb);
    return id;
}

void Progress::resize(ItemId id, uint64_t bytes) {
    std::lock_guard lock(mutex_);
    Item* it = find(id);
    if (!it || it->ended) return;
    total_bytes_ = total_bytes_ - it->size + bytes;
    it->size = bytes;
}

void Progress::advance(ItemId id, uint64_t bytes) {
    item_or_dummy(id).bytes.fetch_add(bytes, std::memory_order_relaxed);
    moved_.fetch_add(bytes, std::memory_order_relaxed);
    maybe_update();
}

void Progress::maybe_update() {
    auto now = Clock::now().time_since_epoch().count();
    int64_t due = next_update_ns_.load(std::memory_order_relaxed);
    if (now < due) return;
    // One thread renders; the others go on with their chunk.
    if (!next_update_ns_.compare_exchange_strong(due, now + 200'000'000)) return;
    std::unique_lock lock(mutex_, std::try_to_lock);
    if (!lock.owns_lock() || closed_) return;
    flush_queued();
    std::vector<ActiveItem> active;
    for (ItemId a : active_) {
        const Item& it = *find(a);
        active.push_back({a, it.name, std::min(it.bytes.load(), it.size), it.size});
    }
    ProgressEvent e;
    e.type = ProgressEventType::update;
    if (!active_.empty()) {
        const Item& last = *find(active_.back());
        e.item = active_.back();
        e.name = last.name;
        e.verb = last.verb;
    }
    e.active = active;
    emit(e);
}

void Progress::settle(Item& it) {
    if (it.ended) return;
    it.ended = true;
    if (it.active) {
        it.active = false;
        auto pos =
            std::find_if(active_.begin(), active_.end(), [&](ItemId a) { return find(a) == &it; });
        if (pos != active_.end()) active_.erase(pos);
    }
}

void Progress::finish(ItemId id) {
    end(id, ProgressEventType::finished, ExitCode::ok, {});
}

void Progress::skip(ItemId id, std::string_view reason) {
    end(id, ProgressEventType::skipped, ExitCode::ok, reason);
}

void Progress::fail(ItemId id, ExitCode code, std::string_view message) {
    end(id, ProgressEventType::failed, code, message);
}

// An item ends once: its bytes counted as they finally stand (all of them when it is done or
// there was nothing to do, what arrived when it failed), its counter, its event.
void Progress::end(ItemId id, ProgressEventType type, ExitCode code, std::string_view message) {
    std::lock_guard lock(mutex_);
    Item* it = find(id);
    if (!it || it->ended) return;
    flush_queued();
    uint64_t got = it->bytes.load();
    uint64_t counted = it->size;
    ProgressEvent e;
    e.type = type;
    e.item = id;
    e.name = it->name;
    e.code = code;
    e.message = message;
    if (type == ProgressEventType::finished) {
        if (got > it->size) {  // a size learnt late (or none): the total follows what arrived
            total_bytes_ += got - it->size;
            it->size = counted = got;
        }
        ++done_;
        if (it->active)
            e.item_seconds = std::chrono::duration<double>(Clock::now() - it->started).count();
    } else if (type == ProgressEventType::skipped) {
        ++skipped_;
    } else {
        counted = std::min(got, it->size);
        ++failed_;
    }
    if (type != ProgressEventType::skipped) e.verb = it->verb;
    settled_bytes_ += counted;
    e.item_bytes = counted;
    e.item_size = it->size;
    settle(*it);
    emit(e);
}

void Progress::fail(ItemId id, const std::exception& e) {
    if (const auto* err = dynamic_cast<const Error*>(&e)) {
        fail(id, err->code(), err->message());
    } else {
        fail(id, ExitCode::internal, e.what());
    }
}

void Progress::stage(std::string_view name) {
    std::lock_guard lock(mutex_);
    flush_queued();
    stage_ = std::string(name);
    emit_run_event(ProgressEventType::stage, stage_);
}

void Progress::warning(std::string_view text) {
    std::lock_guard lock(mutex_);
    emit_run_event(ProgressEventType::warning, text);
}

void Progress::notice(std::string_view text) {
    std::lock_guard lock(mutex_);
    emit_run_event(ProgressEventType::notice, text);
}

void Progress::error(ExitCode code, std::string_view message, std::string_view detail) {
    std::lock_guard lock(mutex_);
    emit_run_event(ProgressEventType::error, message, code, detail);
}

void Progress::emit_run_event(ProgressEventType type, std::string_view message, ExitCode code,
                              std::string_view detail) {
    ProgressEvent e;
    e.type = type;
    e.code = code;
    e.message = message;
    e.detail = detail;
    emit(e);
}

void Progress::close(ExitCode code) {
    std::lock_guard lock(mutex_);
    if (closed_) return;
    flush_queued();
    emit_run_event(ProgressEventType::finish, {}, code);
    closed_ = true;
}

ProgressTotals Progress::totals() {
    std::lock_guard lock(mutex_);
    return totals_locked();
}

ProgressTotals Progress::totals_locked() {
    ProgressTotals t;
    uint64_t in_flight = 0;
    for (ItemId a : active_) {
        const Item& it = *find(a);
        in_flight += std::min(it.bytes.load(), it.size);
    }
    // Monotonic and capped: bytes counted twice (a part sent again) never show as progress
    // beyond the item, and nothing ever goes back.
    reported_bytes_ = std::min(std::max(reported_bytes_, settled_bytes_ + in_flight), total_bytes_);
    auto now = Clock::now();
    rate_.add(now, moved_.load());
    t.bytes = reported_bytes_;
    t.total_bytes = total_bytes_;
    t.items_total = count_.load();
    t.items_done = done_;
    t.items_skipped = skipped_;
    t.items_failed = failed_;
    t.bytes_per_second = std::round(rate_.bytes_per_second());
    if (t.bytes_per_second > 0 && t.total_bytes >= t.bytes)
        t.eta_seconds = static_cast<double>(t.total_bytes - t.bytes) / t.bytes_per_second;
    t.stage = stage_;
    return t;
}

// Queued events go out in batches, just before the next other event, so each carries the
// totals of everything queued so far (a folder's files are announced with the folder's size).
void Progress::flush_queued() {
    uint64_t n = count_.load();
    if (flushed_ >= n) return;
    uint64_t from = flushed_ + 1;
    flushed_ = n;
    for (uint64_t id = from; id <= n; ++id) {
        Item* it = find(id);
        if (!it) continue;
        ProgressEvent e;
        e.type = ProgressEventType::queued;
        e.item = id;
        e.name = it->name;
        e.item_size = it->size;
        emit(e);
    }
}

void Progress::emit(ProgressEvent& event) {
    if (closed_) return;
    event.totals = totals_locked();
    for (auto& sink : sinks_)
        sink->on_event(event);
}

namespace {

std::mutex g_stderr_mutex;
bool g_bar_visible = false;

}  // namespace

// Shared with the bar sink (progress_sinks.cpp) so a message never lands inside a bar.
std::mutex& stderr_mutex() {
    return g_stderr_mutex;
}

bool& bar_visible() {
    return g_bar_visible;
}

namespace {
std::mutex g_notice_mutex;
std::function<void(std::string_view)> g_notice_handler;
}  // namespace

void user_notice(std::string_view text) {
    std::function<void(std::string_view)> handler;
    {
        std::lock_guard lock(g_notice_mutex);
        handler = g_notice_handler;
    }
    if (handler)
        handler(text);
    else
        stderr_line(fmt::format("ri: {}", text));
}

void set_user_notice_handler(std::function<void(std::string_view)> handler) {
    std::lock_guard lock(g_notice_mutex);
    g_notice_handler = std::move(handler);
}

void stderr_line(std::string_view text) {
    std::string line = redact(text);
    line += '\n';
    std::lock_guard lock(g_stderr_mutex);
    if (g_bar_visible) {
        terminal::write_stderr("\r\x1b[K");
        g_bar_visible = false;
    }
    terminal::write_stderr(line);
}

}  // namespace ri
