// Thin RAII over POSIX file descriptors. Transfers and crypto use pread/pwrite at offsets from
// several threads, which iostreams cannot do; every failure becomes an ri::Error naming the path.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "core/error.hpp"

namespace ri {

class PosixFile {
  public:
    PosixFile() = default;
    PosixFile(int fd, std::string path, FileRole role)
        : fd_(fd), path_(std::move(path)), role_(role) {}
    PosixFile(const PosixFile&) = delete;
    PosixFile& operator=(const PosixFile&) = delete;
    PosixFile(PosixFile&& other) noexcept;
    PosixFile& operator=(PosixFile&& other) noexcept;
    ~PosixFile();

    // Opens an existing regular file for reading; a directory or missing file -> missing_input.
    static PosixFile open_read(const std::string& path);
    // Creates (or truncates) a file for writing with the given mode.
    static PosixFile create(const std::string& path, int mode = 0644, bool exclusive = false);
    // Opens for read/write without truncating, creating it if absent (resumable outputs).
    static PosixFile open_rw(const std::string& path, int mode = 0644);

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

}  // namespace ri
