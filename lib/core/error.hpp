// Errors that carry their failure class. Every failure a user can see is an ri::Error: a
// plain-language message (what went wrong and what to do), a raw detail for --verbose and the
// log, and the exit code of its class (DESIGN.md, sysexits style).
#pragma once

#include <stdexcept>
#include <string>

namespace ri {

enum class ExitCode : int {
    ok = 0,
    partial = 1,        // some items failed, each reported
    usage = 64,         // bad flags or arguments
    data = 65,          // malformed input, checksum mismatch, wrong key, bad padding
    no_input = 66,      // a local input is missing
    unavailable = 69,   // a service stayed unavailable after retries
    internal = 70,      // a bug in ri: should never happen
    cant_create = 73,   // an output cannot be created
    io = 74,            // local I/O error, disk full
    temp_fail = 75,     // throttled or temporary: retry later
    permission = 77,    // permission denied, credentials rejected, insecure token file refused
    config = 78,        // configuration error
    interrupted = 130,  // Ctrl+C / SIGTERM; resume state saved
};

int to_int(ExitCode code);
// Short class name for logs and JSON error records ("bad_data", "missing_input", ...).
const char* exit_code_name(ExitCode code);

class Error : public std::runtime_error {
  public:
    Error(ExitCode code, std::string message, std::string detail = {});

    ExitCode code() const { return code_; }
    const std::string& message() const { return message_; }
    const std::string& detail() const { return detail_; }

    static Error usage(std::string message, std::string detail = {});
    static Error bad_data(std::string message, std::string detail = {});
    static Error missing_input(std::string message, std::string detail = {});
    static Error unavailable(std::string message, std::string detail = {});
    static Error cannot_create(std::string message, std::string detail = {});
    static Error io(std::string message, std::string detail = {});
    static Error temporary(std::string message, std::string detail = {});
    static Error permission(std::string message, std::string detail = {});
    static Error config(std::string message, std::string detail = {});
    static Error interrupted(std::string message, std::string detail = {});
    static Error internal(std::string message, std::string detail = {});

  private:
    ExitCode code_;
    std::string message_;
    std::string detail_;
};

// Maps an errno from a failed local file operation to an Error of the right class, e.g.
// ENOENT on an input -> missing_input (66); EACCES/EROFS/ENOENT on an output -> cannot_create (73);
// ENOSPC -> io (74) with the disk-full wording.
enum class FileRole { input, output };
Error file_error(FileRole role, const std::string& path, int errnum, const std::string& doing);

// An Error of the interrupted class (Ctrl+C, SIGTERM): batches rethrow it instead of reporting it
// as one item's failure.
bool is_interrupt(const std::exception& e);

}  // namespace ri

namespace ri {

// The exit code of a run over many items: 0 when all succeeded, the failure's own class when
// every item failed the same way (or there was one item), 1 (partial) otherwise.
class BatchOutcome {
  public:
    void success() { ++ok_; }
    void failure(ExitCode code) {
        if (failed_++ == 0)
            first_ = code;
        else if (code != first_)
            mixed_ = true;
    }
    size_t succeeded() const { return ok_; }
    size_t failed() const { return failed_; }
    ExitCode exit_code() const {
        if (failed_ == 0) return ExitCode::ok;
        if (ok_ == 0 && !mixed_) return first_;
        return ExitCode::partial;
    }

  private:
    size_t ok_ = 0;
    size_t failed_ = 0;
    ExitCode first_ = ExitCode::ok;
    bool mixed_ = false;
};

}  // namespace ri
