// The frame both transfer engines run a batch in: one worker pool (--concurrency), the caller's
// done and error callbacks called one at a time, each item failing at most once (the first
// failure of its parts wins; later ones are the same trouble), its progress item ending with it,
// and interrupts rethrown so the whole run stops at once with its state saved.
#pragma once

#include <algorithm>
#include <exception>
#include <functional>
#include <mutex>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/progress.hpp"
#include "transfer/task_pool.hpp"

namespace ri::transfer {

// Set by the first failure of an item whose parts run on several workers.
class FailureFlag {
  public:
    // True for the first caller only.
    bool raise() {
        std::lock_guard lock(mutex_);
        return !std::exchange(failed_, true);
    }
    bool raised() {
        std::lock_guard lock(mutex_);
        return failed_;
    }

  private:
    std::mutex mutex_;
    bool failed_ = false;
};

template <typename Item, typename Result>
class BatchRunner {
  public:
    using DoneFn = std::function<void(const Result&)>;
    using ErrorFn = std::function<void(const Item&, const std::exception&)>;

    BatchRunner(Progress& progress, int workers, const DoneFn& on_done, const ErrorFn& on_error)
        : progress_(progress),
          pool_(std::max(1, workers)),
          on_done_(on_done),
          on_error_(on_error) {}

    TaskPool& pool() { return pool_; }
    Progress& progress() { return progress_; }

    void done(const Result& result) {
        std::lock_guard lock(callback_mutex_);
        on_done_(result);
    }

    // The item's one failure: its progress item ends failed, then the caller hears of it. An
    // interrupt is not an item's failure: it is rethrown.
    void failed(const Item& item, Progress::ItemId id, const std::exception& e) {
        if (is_interrupt(e)) throw dynamic_cast<const Error&>(e);
        progress_.fail(id, e);
        std::lock_guard lock(callback_mutex_);
        on_error_(item, e);
    }

    // Calls fn; any exception but an interrupt is the item's failure.
    template <typename Fn>
    void guard(const Item& item, Progress::ItemId id, Fn&& fn) {
        try {
            fn();
        } catch (const std::exception& e) {
            failed(item, id, e);
        }
    }

    // Queues start(item, worker) for each item (new files behind the parts of started ones),
    // and waits until every task, and every task they queued, has run.
    void run(const std::vector<Item>& items, const std::function<void(const Item&, int)>& start) {
        for (const auto& item : items)
            pool_.push_back([&start, item](int worker) { start(item, worker); });
        pool_.wait();
    }

  private:
    Progress& progress_;
    TaskPool pool_;
    const DoneFn& on_done_;
    const ErrorFn& on_error_;
    std::mutex callback_mutex_;
};

}  // namespace ri::transfer
