#include "core/error.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>

namespace ri {

int to_int(ExitCode code) {
    return static_cast<int>(code);
}

const char* exit_code_name(ExitCode code) {
    switch (code) {
        case ExitCode::ok:
            return "ok";
        case ExitCode::partial:
            return "partial";
#define RI_EXIT_NAME(name, number, meaning) \
    case ExitCode::name:                    \
        return #name;
            RI_FAILURE_CLASSES(RI_EXIT_NAME)
#undef RI_EXIT_NAME
    }
    return "unknown";
}

std::optional<ExitCode> exit_code_from_name(std::string_view name) {
    for (ExitCode code : {ExitCode::ok, ExitCode::partial})
        if (name == exit_code_name(code)) return code;
#define RI_EXIT_FROM_NAME(n, number, meaning) \
    if (name == #n) return ExitCode::n;
    RI_FAILURE_CLASSES(RI_EXIT_FROM_NAME)
#undef RI_EXIT_FROM_NAME
    return std::nullopt;
}

Error::Error(ExitCode code, std::string message, std::string detail)
    : std::runtime_error(message),
      code_(code),
      message_(std::move(message)),
      detail_(std::move(detail)) {}

Error file_error(FileRole role, const std::string& path, int errnum, const std::string& doing) {
    std::string detail =
        fmt::format("{} '{}': {} (errno {})", doing, path, std::strerror(errnum), errnum);
    if (errnum == ENOSPC || errnum == EDQUOT) {
        return Error::io(
            fmt::format("Not enough disk space to write '{}'. Free up space and try again.", path),
            detail);
    }
    if (role == FileRole::input) {
        switch (errnum) {
            case ENOENT:
            case ENOTDIR:
                return Error::missing_input(fmt::format("'{}' does not exist.", path), detail);
            case EACCES:
            case EPERM:
                return Error::missing_input(
                    fmt::format("'{}' cannot be read: permission denied.", path), detail);
            case EISDIR:
                return Error::missing_input(fmt::format("'{}' is a directory, not a file.", path),
                                            detail);
            default:
                return Error::io(
                    fmt::format("Could not read '{}': {}.", path, std::strerror(errnum)), detail);
        }
    }
    switch (errnum) {
        case ENOENT:
        case ENOTDIR:
            return Error::cannot_create(
                fmt::format("Cannot create '{}': its directory does not exist.", path), detail);
        case EACCES:
        case EPERM:
        case EROFS:
            return Error::cannot_create(fmt::format("Cannot create '{}': permission denied.", path),
                                        detail);
        case EISDIR:
            return Error::cannot_create(fmt::format("Cannot create '{}': it is a directory.", path),
                                        detail);
        case EEXIST:
            return Error::cannot_create(fmt::format("'{}' already exists.", path), detail);
        default:
            return Error::io(fmt::format("Could not write '{}': {}.", path, std::strerror(errnum)),
                             detail);
    }
}

bool is_interrupt(const std::exception& e) {
    const auto* err = dynamic_cast<const Error*>(&e);
    return err && err->code() == ExitCode::interrupted;
}

}  // namespace ri
