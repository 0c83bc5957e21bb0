// What a failed platform call means to a user. The platform is Django REST Framework: errors are
// {"detail": "..."} or per-field {"field": ["message", ...]}; both become one readable line.
//   401/403            -> permission (77): "the API key was rejected by HOST"
//   404                -> NotFoundError (66): "file WvNKdb not found"
//   409, or 400 saying "already exists" / "duplicate" / "conflict"
//                      -> ConflictError (73), which callers catch to skip, rename or reuse
//   other 4xx          -> bad data (65): "creating folder 'x' was refused: name: This field is
//   required."
// Throttling (75) and server errors (69) that outlast the retries are raised by the client.
#pragma once

#include <string>
#include <string_view>

#include "core/error.hpp"

namespace ri::platform {

// What a call was doing, for messages: action "creating folder 'runs'", thing "folder abc12".
struct CallInfo {
    std::string action;  // a gerund phrase
    std::string thing;   // what a 404 is about; empty: "the resource"
    // False for calls that must not run twice (create job, register file, create folder,
    // submit): never retried after a 5xx or a request that may have reached the server.
    bool idempotent = true;
};

class ApiError : public Error {
  public:
    ApiError(ExitCode code, long status, std::string message, std::string detail)
        : Error(code, std::move(message), std::move(detail)), status_(status) {}
    long status() const { return status_; }

  private:
    long status_;
};

class NotFoundError : public ApiError {
  public:
    using ApiError::ApiError;
};

class ConflictError : public ApiError {
  public:
    using ApiError::ApiError;
};

// A DRF error body as one line: "detail" text, or "field: message; other: message"
// (nested fields as "jobanalyses[0].hardware: ..."). Empty when the body says nothing usable.
std::string readable_error_body(std::string_view body);

// 409, or 400 whose body speaks of "already exists", "duplicate" or "conflict".
bool is_conflict(long status, std::string_view body);

// Throws the error for a 4xx answer (not 429).
[[noreturn]] void throw_client_error(long status, std::string_view body, const CallInfo& call,
                                     std::string_view host);

}  // namespace ri::platform
