// An exclusive lock on a lock file, held across processes for the lifetime of the object:
// one ri-ratelimitd per socket, one log rotation at a time, one ri-pur per state file. The OS
// releases it when the process dies, so a kill -9 never leaves a stale lock. file_lock_posix.cpp
// implements it (flock); a Windows port adds file_lock_win32.cpp (LockFileEx).
#pragma once

#include <optional>
#include <string>

namespace ri {

class FileLock {
  public:
    // Waits until the lock is ours. Throws Error (cannot_create) when the file cannot be opened.
    static FileLock acquire(const std::string& path);
    // nullopt when another process holds it.
    static std::optional<FileLock> try_acquire(const std::string& path);

    FileLock(FileLock&&) noexcept;
    FileLock& operator=(FileLock&&) noexcept;
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;
    ~FileLock();

    const std::string& path() const { return path_; }

  private:
    FileLock(int handle, std::string path) : handle_(handle), path_(std::move(path)) {}
    int handle_ = -1;
    std::string path_;
};

}  // namespace ri
