#include "transfer/task_pool.hpp"

#include <algorithm>

#include "core/cancel.hpp"

namespace ri::transfer {

TaskPool::TaskPool(int workers) {
    int n = std::max(1, workers);
    for (int i = 0; i < n; ++i)
        threads_.push_back(cancel::spawn([this, i] { run(i); }));
}

TaskPool::~TaskPool() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
        tasks_.clear();
    }
    cv_.notify_all();
    for (auto& t : threads_)
        t.join();
    for (auto& t : helpers_)
        t.join();
}

void TaskPool::push_front(Task task) {
    {
        std::lock_guard lock(mutex_);
        tasks_.push_front(std::move(task));
    }
    cv_.notify_one();
}

void TaskPool::push_back(Task task) {
    {
        std::lock_guard lock(mutex_);
        tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
}

void TaskPool::spawn_helper(std::function<void()> fn) {
    std::lock_guard lock(mutex_);
    ++busy_;
    helpers_.push_back(cancel::spawn([this, fn = std::move(fn)] {
        try {
            fn();
        } catch (...) {
            std::lock_guard inner(mutex_);
            if (!error_) error_ = std::current_exception();
        }
        {
            std::lock_guard inner(mutex_);
            --busy_;
        }
        idle_cv_.notify_all();
    }));
}

void TaskPool::wait() {
    std::unique_lock lock(mutex_);
    // Poll the stop flag too: a Ctrl+C must end the wait even while tasks sleep in backoff.
    while (!(tasks_.empty() && busy_ == 0) && !error_) {
        idle_cv_.wait_for(lock, std::chrono::milliseconds(200));
        if (cancel::requested() && !error_) {
            tasks_.clear();
            if (busy_ == 0) break;
        }
    }
    if (error_) {
        tasks_.clear();
        idle_cv_.wait(lock, [&] { return busy_ == 0; });
        std::rethrow_exception(error_);
    }
    lock.unlock();
    cancel::check();
}

void TaskPool::run(int worker) {
    for (;;) {
        Task task;
        {
            std::unique_lock lock(mutex_);
            cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
            if (stopping_) return;
            task = std::move(tasks_.front());
            tasks_.pop_front();
            ++busy_;
        }
        try {
            if (!cancel::requested()) task(worker);
        } catch (...) {
            std::lock_guard lock(mutex_);
            if (!error_) error_ = std::current_exception();
            tasks_.clear();
        }
        {
            std::lock_guard lock(mutex_);
            --busy_;
        }
        idle_cv_.notify_all();
    }
}

}  // namespace ri::transfer
