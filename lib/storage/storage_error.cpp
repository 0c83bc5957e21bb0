#include "storage/storage_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "core/strings.hpp"

namespace ri::storage {
namespace {

bool is_one_of(const std::string& code, std::initializer_list<std::string_view> codes) {
    return std::find(codes.begin(), codes.end(), code) != codes.end();
}

std::string service_or_default(const std::string& service_name) {
    return service_name.empty() ? "the storage service" : service_name;
}

// "The storage service ..." at the start of a sentence.
std::string capitalized(std::string text) {
    if (!text.empty())
        text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    return text;
}

bool is_azure(const std::string& service_name) {
    return strings::icontains(service_name, "azure");
}

std::string detail_of(const std::string& what, long status, const std::string& code,
                      const std::string& message) {
    std::string d = fmt::format("HTTP {}", status);
    if (!code.empty()) d += " " + code;
    if (!message.empty()) d += ": " + message;
    if (!what.empty()) d += fmt::format(" ({})", what);
    return d;
}

}  // namespace

StorageError storage_error(const std::string& service_name, const std::string& what,
                           long http_status, const std::string& service_code,
                           const std::string& service_message) {
    const std::string service = service_or_default(service_name);
    const std::string Service = capitalized(service);
    const std::string target = what.empty() ? std::string("this bucket") : what;
    const std::string detail = detail_of(what, http_status, service_code, service_message);
    const bool azure = is_azure(service_name);
    // "Your S3 account", or just "Your account" when the service has no name.
    const std::string owner = service_name.empty() ? "" : service_name + " ";
    auto make = [&](ExitCode exit, std::string message) {
        bool retryable = http_status == 429 || http_status >= 500;
        return StorageError(exit, std::move(message), http_status, service_code, detail,
                            service_name, retryable);
    };
    const std::string& code = service_code;

    // Credentials: expired, rejected, or valid but not allowed.
    if (is_one_of(code, {"ExpiredToken", "TokenRefreshRequired", "ExpiredTokenException"}) ||
        (code == "AuthenticationFailed" && strings::icontains(service_message, "expir"))) {
        return make(ExitCode::permission,
                    fmt::format("Your {}credentials have expired. Update them in your storage "
                                "profile or environment.",
                                owner));
    }
    if (code == "RequestTimeTooSkewed" ||
        (code == "AuthenticationFailed" && strings::icontains(service_message, "clock"))) {
        return make(ExitCode::permission,
                    fmt::format("{} refused the request because this computer's clock is wrong. "
                                "Check your system clock.",
                                Service));
    }
    if (is_one_of(code, {"InvalidAccessKeyId", "SignatureDoesNotMatch", "AuthenticationFailed",
                         "InvalidAuthenticationInfo", "InvalidToken", "InvalidSecurity",
                         "NoAuthenticationInformation"}) ||
        (http_status == 401 && code.empty())) {
        return make(ExitCode::permission,
                    azure ? "These credentials aren't valid. Double-check your storage account "
                            "name and key, or your SAS token."
                          : "These credentials aren't valid. Double-check your Access Key and "
                            "Secret Key.");
    }
    if (http_status == 407) {
        return make(ExitCode::permission,
                    "The proxy refused the request. Check proxy_user and proxy_password "
                    "(ri-config set proxy_user ...).");
    }
    if (is_one_of(code,
                  {"AccessDenied", "AuthorizationFailure", "AuthorizationPermissionMismatch",
                   "AuthorizationResourceTypeMismatch", "AuthorizationServiceMismatch",
                   "AuthorizationSourceIPMismatch", "AuthorizationProtocolMismatch",
                   "AccountIsDisabled", "AllAccessDisabled", "InsufficientAccountPermissions"}) ||
        http_status == 401 || http_status == 403) {
        return make(ExitCode::permission,
                    fmt::format("Permission denied. Your {}account doesn't have access to {}.",
                                owner, target));
    }

    // Things that are not there.
    if (is_one_of(code, {"NoSuchBucket", "ContainerNotFound", "ContainerBeingDeleted"})) {
        return make(ExitCode::missing_input,
                    what.empty() ? std::string("Bucket not found. It may have been deleted or "
                                               "the name may be wrong.")
                                 : fmt::format("Bucket not found: {}. It may have been deleted or "
                                               "the name may be wrong.",
                                               what));
    }
    if (is_one_of(code, {"NoSuchUpload", "InvalidBlockList", "BlockListTooLong"}) &&
        http_status == 404) {
        return make(ExitCode::missing_input,
                    fmt::format("The upload of {} no longer exists on {} (it was completed, "
                                "aborted or expired). Start it again.",
                                target, service));
    }
    if (is_one_of(code, {"NoSuchKey", "BlobNotFound", "NoSuchUpload", "ResourceNotFound"}) ||
        http_status == 404) {
        return make(ExitCode::missing_input,
                    what.empty()
                        ? fmt::format("This file no longer exists on {}. It may have been moved "
                                      "or deleted.",
                                      service)
                        : fmt::format("This file no longer exists on {}: {}. It may have been "
                                      "moved or deleted.",
                                      service, what));
    }

    // Throttling, still there after the client's retries.
    if (http_status == 429 ||
        is_one_of(code, {"SlowDown", "ServerBusy", "TooManyRequests", "Throttling",
                         "ThrottlingException", "RequestLimitExceeded", "OperationTimedOut"}) ||
        (http_status == 503 && strings::icontains(service_message, "slow down"))) {
        return make(ExitCode::temporary,
                    fmt::format("{} is throttling requests and still was after several retries. "
                                "Try again in a few minutes.",
                                Service));
    }

    if (http_status == 301 || code == "PermanentRedirect" ||
        (code == "AuthorizationHeaderMalformed" && strings::icontains(service_message, "region"))) {
        return make(ExitCode::config,
                    fmt::format("{} is in a different region than the one configured. Set the "
                                "region (s3.region in the storage profile, or AWS_REGION).",
                                target));
    }

    if (http_status >= 500) {
        return make(ExitCode::unavailable,
                    fmt::format("{} returned an error (HTTP {}). This is usually temporary; "
                                "ri retried, so try again in a few minutes.",
                                Service, http_status));
    }

    std::string reason = !service_message.empty() ? service_message
                         : !code.empty()          ? code
                                                  : fmt::format("HTTP {}", http_status);
    return make(ExitCode::bad_data,
                fmt::format("{} rejected the request for {}: {}", Service,
                            what.empty() ? std::string("this bucket") : what, reason));
}

StorageError transport_storage_error(const std::string& service_name, const std::string& what,
                                     const std::string& transport_message, bool timeout, bool tls,
                                     uint64_t bytes_received) {
    const std::string service = service_or_default(service_name);
    std::string detail = transport_message;
    if (!what.empty()) detail += fmt::format(" ({})", what);
    std::string message;
    if (tls)
        message = "Secure connection failed. Check your system clock and network settings.";
    else if (timeout)
        message = fmt::format(
            "Connection timed out. {} may be experiencing issues, or your network is slow.",
            capitalized(service));
    else
        message = fmt::format("Can't connect to {}. Check your internet connection.", service);
    return StorageError(ExitCode::unavailable, std::move(message), 0, "", std::move(detail),
                        service_name, /*retryable=*/true, bytes_received);
}

StorageError malformed_response(const std::string& service_name, std::string_view what,
                                std::string_view body) {
    return StorageError(ExitCode::unavailable,
                        fmt::format("{} sent a response that ri could not read. This is usually "
                                    "temporary; try again.",
                                    capitalized(service_or_default(service_name))),
                        200, "MalformedResponse",
                        fmt::format("expected {}, got: {}", what, body.substr(0, 300)),
                        service_name);
}

}  // namespace ri::storage
