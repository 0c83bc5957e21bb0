// Failures of an object store, in the words of seed 004's error table ("Permission denied...",
// "Bucket not found...", "AWS is throttling requests..."), with the raw HTTP status and
// service error code kept for the engine (which branches on NoSuchUpload, NoSuchKey, ...) and
// for --verbose.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/error.hpp"

namespace ri::storage {

// The only exception a Backend throws: callers never see an http type. retryable() says the
// same request may succeed later (a broken connection, throttling, a 5xx after the transport's
// own retries); bytes_received() how much of a GET's body reached the sink before the
// connection broke, so a download asks for the rest instead of starting over.
class StorageError : public Error {
  public:
    StorageError(ExitCode code, std::string message, long http_status, std::string service_code,
                 std::string detail, std::string service = {}, bool retryable = false,
                 uint64_t bytes_received = 0)
        : Error(code, std::move(message), std::move(detail)),
          http_status_(http_status),
          service_code_(std::move(service_code)),
          service_(std::move(service)),
          retryable_(retryable),
          bytes_received_(bytes_received) {}

    long http_status() const { return http_status_; }
    // The service's error code: NoSuchKey, NoSuchBucket, NoSuchUpload, AccessDenied,
    // SignatureDoesNotMatch, InvalidAccessKeyId, SlowDown, AuthorizationFailure, BlobNotFound...
    const std::string& service_code() const { return service_code_; }
    // "S3", "Azure": who failed, for messages that name it.
    const std::string& service() const { return service_; }
    bool retryable() const { return retryable_; }
    uint64_t bytes_received() const { return bytes_received_; }

  private:
    long http_status_;
    std::string service_code_;
    std::string service_;
    bool retryable_;
    uint64_t bytes_received_;
};

// Builds the StorageError for an HTTP failure of an operation on `what` (a bucket, an object
// URL), choosing the exit class and plain-language message from status and service code:
//   401/403, AccessDenied, InvalidAccessKeyId, SignatureDoesNotMatch, AuthenticationFailed -> 77
//   NoSuchBucket, ContainerNotFound -> 66 "Bucket not found. It may have been deleted or the name
//   may be wrong." NoSuchKey, BlobNotFound, 404 -> 66 "This file no longer exists ... It may have
//   been moved or deleted." 429, 503 SlowDown, ServerBusy -> 75 "... is throttling requests ..."
//   (after retries) 5xx -> 69 "... returned an error. This is usually temporary ..." other 4xx ->
//   65
// `detail` carries the raw status, code and message (redacted when logged).
StorageError storage_error(const std::string& service_name, const std::string& what,
                           long http_status, const std::string& service_code,
                           const std::string& service_message);

// A response body that is not the document expected (`what`: "<ListBucketResult>"): -> 69, the
// start of the body in the detail.
StorageError malformed_response(const std::string& service_name, std::string_view what,
                                std::string_view body);

// For transport failures after retries: "Can't connect to ...", "Connection timed out ...",
// "Secure connection failed. Check your system clock and network settings." -> 69, retryable,
// with the body bytes a GET's sink had received.
StorageError transport_storage_error(const std::string& service_name, const std::string& what,
                                     const std::string& transport_message, bool timeout, bool tls,
                                     uint64_t bytes_received = 0);

}  // namespace ri::storage
