// The one worker budget of a transfer run (--concurrency): N threads taking tasks from a deque.
// Parts of files already started go to the front, new files to the back, so workers finish
// what they began before opening more files, and memory stays at N x part size.
#pragma once

#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ri::transfer {

class TaskPool {
  public:
    using Task = std::function<void(int worker)>;

    explicit TaskPool(int workers);
    ~TaskPool();
    TaskPool(const TaskPool&) = delete;
    TaskPool& operator=(const TaskPool&) = delete;

    void push_front(Task task);
    void push_back(Task task);
    // Runs fn on a thread of its own that counts as a busy worker until fn returns, so wait()
    // does not return before it (a download's hash thread, which queues more parts as it moves
    // on). fn must catch its own errors; the thread is joined by the pool's destructor.
    void spawn_helper(std::function<void()> fn);
    // Waits until every task has run. Tasks must catch their own errors; an exception that
    // escapes one (an interrupt) stops the pool and is rethrown here.
    void wait();
    int workers() const { return static_cast<int>(threads_.size()); }

  private:
    void run(int worker);

    std::mutex mutex_;
    std::condition_variable cv_;
    std::condition_variable idle_cv_;
    std::deque<Task> tasks_;
    int busy_ = 0;
    bool stopping_ = false;
    std::exception_ptr error_;
    std::vector<std::thread> threads_;
    std::vector<std::thread> helpers_;
};

}  // namespace ri::transfer
