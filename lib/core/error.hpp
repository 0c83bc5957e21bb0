// Errors that carry their failure class. Every failure a user can see is an ri::Error: a
// plain-language message (what went wrong and what to do), a raw detail for --verbose and the
// log, and the exit code of its class (DESIGN.md, sysexits style).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ri {

// The failure classes, listed once: each name is at the same time the ExitCode value, the
// Error factory and the JSON name of the class ("bad_data"), so the three cannot drift apart.
// X(name, exit code, what it means)
#define RI_FAILURE_CLASSES(X)                                                         \
    X(usage, 64, "bad flags or arguments")                                            \
    X(bad_data, 65, "malformed input, checksum mismatch, wrong key, bad padding")     \
    X(missing_input, 66, "a local input is missing")                                  \
    X(unavailable, 69, "a service stayed unavailable after retries")                  \
    X(internal, 70, "a bug in ri: should never happen")                               \
    X(cannot_create, 73, "an output cannot be created")                               \
    X(io, 74, "local I/O error, disk full")                                           \
    X(temporary, 75, "throttled or temporary: retry later")                           \
    X(permission, 77, "permission denied, credentials rejected, insecure token file") \
    X(config, 78, "configuration error")                                              \
    X(interrupted, 130, "Ctrl+C / SIGTERM; resume state saved")

enum class ExitCode : int {
    ok = 0,
    partial = 1,  // some items failed, each reported
#define RI_EXIT_ENUM(name, code, meaning) name = code,
    RI_FAILURE_CLASSES(RI_EXIT_ENUM)
#undef RI_EXIT_ENUM
};

int to_int(ExitCode code);
// The class's name for logs and JSON ("bad_data", "missing_input", ...): its enum spelling.
const char* exit_code_name(ExitCode code);
// The class named so, for exit codes read back from JSON events; nullopt for an unknown name.
std::optional<ExitCode> exit_code_from_name(std::string_view name);

class Error : public std::runtime_error {
  public:
    Error(ExitCode code, std::string message, std::string detail = {});

    ExitCode code() const { return code_; }
    const std::string& message() const { return message_; }
    const std::string& detail() const { return detail_; }

    // Error::bad_data("..."), Error::missing_input("..."), one per failure class.
#define RI_ERROR_FACTORY(name, code, meaning)                           \
    static Error name(std::string message, std::string detail = {}) {   \
        return {ExitCode::name, std::move(message), std::move(detail)}; \
    }
    RI_FAILURE_CLASSES(RI_ERROR_FACTORY)
#undef RI_ERROR_FACTORY

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
