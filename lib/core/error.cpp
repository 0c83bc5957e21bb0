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
        case ExitCode::usage:
            return "usage";
        case ExitCode::data:
            return "bad_data";
        case ExitCode::no_input:
            return "missing_input";
        case ExitCode::unavailable:
            return "unavailable";
        case ExitCode::internal:
            return "internal";
        case ExitCode::cant_create:
            return "cannot_create";
        case ExitCode::io:
            return "io";
        case ExitCode::temp_fail:
            return "temporary";
        case ExitCode::permission:
            return "permission";
        case ExitCode::config:
            return "config";
        case ExitCode::interrupted:
            return "interrupted";
    }
    return "unknown";
}

Error::Error(ExitCode code, std::string message, std::string detail)
    : std::runtime_error(message),
      code_(code),
      message_(std::move(message)),
      detail_(std::move(detail)) {}

Error Error::usage(std::string m, std::string d) {
    return {ExitCode::usage, std::move(m), std::move(d)};
}
Error Error::bad_data(std::string m, std::string d) {
    return {ExitCode::data, std::move(m), std::move(d)};
}
Error Error::missing_input(std::string m, std::string d) {
    return {ExitCode::no_input, std::move(m), std::move(d)};
}
Error Error::unavailable(std::string m, std::string d) {
    return {ExitCode::unavailable, std::move(m), std::move(d)};
}
Error Error::cannot_create(std::string m, std::string d) {
    return {ExitCode::cant_create, std::move(m), std::move(d)};
}
Error Error::io(std::string m, std::string d) {
    return {ExitCode::io, std::move(m), std::move(d)};
}
Error Error::temporary(std::string m, std::string d) {
    return {ExitCode::temp_fail, std::move(m), std::move(d)};
}
Error Error::permission(std::string m, std::string d) {
    return {ExitCode::permission, std::move(m), std::move(d)};
}
Error Error::config(std::string m, std::string d) {
    return {ExitCode::config, std::move(m), std::move(d)};
}
Error Error::interrupted(std::string m, std::string d) {
    return {ExitCode::interrupted, std::move(m), std::move(d)};
}
Error Error::internal(std::string m, std::string d) {
    return {ExitCode::internal, std::move(m), std::move(d)};
}

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
