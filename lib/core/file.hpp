// Files, the OS seam for local I/O: RAII over a file descriptor with positional reads and writes
// (transfers and crypto pread/pwrite at offsets from several threads, which iostreams cannot
// do), and the few metadata calls ri needs (size and mtime of a source, permission bits of a
// secret-bearing file). Every failure becomes an ri::Error naming the path. file_posix.cpp
// implements it; a Windows port adds file_win32.cpp.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/error.hpp"

namespace ri {

class File {
  public:
    File() = default;
    File(int fd, std::string path, FileRole role) : fd_(fd), path_(std::move(path)), role_(role) {}
    File(const File&) = delete;
    File& operator=(const File&) = delete;
    File(File&& other) noexcept;
    File& operator=(File&& other) noexcept;
    ~File();

    // Opens an existing regular file for reading; a directory or missing file -> missing_input.
    static File open_read(const std::string& path);
    // Creates (or truncates) a file for writing with the given mode (exactly that mode, whatever
    // the umask, when private: 0600 files hold keys and resume state).
    static File create(const std::string& path, int mode = 0644, bool exclusive = false);
    // Opens for appending (the shared log: one write per line keeps lines whole across
    // processes), creating it with mode 0600.
    static File open_append(const std::string& path);
    // Opens for read/write without truncating, creating it if absent (resumable outputs); a
    // private mode is enforced on an existing file too.
    static File open_rw(const std::string& path, int mode = 0644);

    // The descriptor, for libraries that take one (libarchive). POSIX-only callers.
    int fd() const { return fd_; }
    const std::string& path() const { return path_; }
    uint64_t size() const;

    // Reads until the buffer is full or EOF; returns bytes read.
    size_t read_full(std::span<std::byte> buf);
    size_t pread_full(std::span<std::byte> buf, uint64_t offset) const;
    void write_all(std::span<const std::byte> buf);
    void pwrite_all(std::span<const std::byte> buf, uint64_t offset);
    void truncate(uint64_t size);
    void sync();
    void close();
    // Sequential-access hint to the kernel (bigger readahead); harmless if unsupported.
    void advise_sequential() const;

  private:
    [[noreturn]] void fail(const std::string& doing, int errnum) const;

    int fd_ = -1;
    std::string path_;
    FileRole role_ = FileRole::input;
    // Pipes, FIFOs, terminals: reads wait in poll() with a timeout so that a stop request is
    // seen even when the signal arrived just before the read began.
    bool may_block_ = false;
};

// What ri needs to know of a path without opening it.
struct FileStatus {
    bool exists = false;
    bool regular = false;
    bool directory = false;
    uint64_t size = 0;
    int64_t mtime_ns = 0;  // modification time, nanoseconds since the epoch
    int mode = 0;          // permission bits (07777); on Windows derived from the ACL
};
// Follows symlinks; a missing path is exists == false, other failures throw (input role).
FileStatus file_status(const std::string& path);

// True when others than the owner may read the file (group/other bits, or a Windows ACL that
// grants someone else): the token and apiconfig warning of seed 000.
bool readable_by_others(const std::string& path);
// Removes a file; a missing one is fine. Never throws (cleanup paths).
void remove_file(const std::string& path) noexcept;
// Renames over an existing file, atomically where the OS can.
void replace_file(const std::string& from, const std::string& to);

}  // namespace ri
