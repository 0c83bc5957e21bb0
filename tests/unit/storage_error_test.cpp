#include "storage/storage_error.hpp"

#include <catch2/catch.hpp>

using namespace ri;
using namespace ri::storage;

TEST_CASE("storage_error maps status and service code to the exit class and the seed's words") {
    struct Row {
        long status;
        std::string code;
        std::string message;
        ExitCode exit;
        std::string text;  // a part of the plain-language message
    };
    const std::vector<Row> rows = {
        {403, "AccessDenied", "Access Denied", ExitCode::permission,
         "Permission denied. Your S3 account doesn't have access to s3://bkt/k."},
        {403, "", "", ExitCode::permission, "Permission denied."},
        {403, "AuthorizationFailure", "", ExitCode::permission, "Permission denied."},
        {403, "InvalidAccessKeyId", "", ExitCode::permission,
         "These credentials aren't valid. Double-check your Access Key and Secret Key."},
        {403, "SignatureDoesNotMatch", "", ExitCode::permission, "credentials aren't valid"},
        {401, "", "", ExitCode::permission, "credentials aren't valid"},
        {400, "ExpiredToken", "The provided token has expired.", ExitCode::permission,
         "Your S3 credentials have expired."},
        {403, "RequestTimeTooSkewed", "", ExitCode::permission, "clock"},
        {407, "", "", ExitCode::permission, "proxy"},
        {404, "NoSuchBucket", "", ExitCode::missing_input,
         "Bucket not found: s3://bkt/k. It may have been deleted or the name may be wrong."},
        {404, "NoSuchKey", "", ExitCode::missing_input,
         "This file no longer exists on S3: s3://bkt/k. It may have been moved or deleted."},
        {404, "", "", ExitCode::missing_input, "no longer exists"},
        {404, "NoSuchUpload", "", ExitCode::missing_input, "upload"},
        {429, "", "", ExitCode::temporary, "S3 is throttling requests"},
        {503, "SlowDown", "Please reduce your request rate.", ExitCode::temporary,
         "S3 is throttling requests"},
        {503, "", "", ExitCode::unavailable,
         "S3 returned an error (HTTP 503). This is usually temporary"},
        {500, "InternalError", "", ExitCode::unavailable, "S3 returned an error"},
        {502, "", "", ExitCode::unavailable, "usually temporary"},
        {301, "PermanentRedirect", "", ExitCode::config, "region"},
        {400, "InvalidArgument", "Invalid part number", ExitCode::bad_data, "Invalid part number"},
        {409, "BucketAlreadyExists", "", ExitCode::bad_data, "BucketAlreadyExists"},
        {416, "InvalidRange", "", ExitCode::bad_data, "S3 rejected the request"},
    };
    for (const auto& row : rows) {
        INFO("HTTP " << row.status << " " << row.code);
        auto e = storage_error("S3", "s3://bkt/k", row.status, row.code, row.message);
        CHECK(e.code() == row.exit);
        CHECK_THAT(e.message(), Catch::Contains(row.text));
        CHECK(e.http_status() == row.status);
        CHECK(e.service_code() == row.code);
        CHECK_THAT(e.detail(), Catch::Contains(std::to_string(row.status)));
        CHECK_THAT(e.detail(), Catch::Contains(row.code));
        CHECK_THAT(e.message(), !Catch::Contains("AWS "));  // the service passed in, not "AWS"
    }
}

TEST_CASE("storage_error words Azure's failures for Azure") {
    const std::string az = "Azure Blob Storage";
    auto e = storage_error(az, "az://acct/cont", 404, "ContainerNotFound", "");
    CHECK(e.code() == ExitCode::missing_input);
    CHECK_THAT(e.message(), Catch::StartsWith("Bucket not found"));
    e = storage_error(az, "az://acct/cont/b", 404, "BlobNotFound", "");
    CHECK(e.code() == ExitCode::missing_input);
    CHECK_THAT(e.message(), Catch::Contains("no longer exists on Azure Blob Storage"));
    e = storage_error(az, "az://acct/cont/b", 403, "AuthenticationFailed",
                      "Server failed to authenticate the request.");
    CHECK(e.code() == ExitCode::permission);
    CHECK_THAT(e.message(), Catch::Contains("storage account name and key, or your SAS token"));
    e = storage_error(
        az, "az://acct/cont/b", 403, "AuthenticationFailed",
        "Signature not valid in the specified time frame: Signed expiry time has expired");
    CHECK_THAT(e.message(), Catch::Contains("have expired"));
    e = storage_error(az, "az://acct/cont", 403, "AuthorizationPermissionMismatch", "");
    CHECK_THAT(e.message(), Catch::Contains("Permission denied. Your Azure Blob Storage account"));
    e = storage_error(az, "az://acct/cont/b", 503, "ServerBusy", "");
    CHECK(e.code() == ExitCode::temporary);
    CHECK_THAT(e.message(), Catch::StartsWith("Azure Blob Storage is throttling requests"));
    e = storage_error(az, "az://acct/cont/b", 500, "InternalError", "");
    CHECK(e.code() == ExitCode::unavailable);
}

TEST_CASE("storage_error without a service name or target says so plainly") {
    auto e = storage_error("", "", 503, "SlowDown", "");
    CHECK_THAT(e.message(), Catch::StartsWith("The storage service is throttling requests"));
    e = storage_error("", "", 404, "NoSuchBucket", "");
    CHECK(e.message() == "Bucket not found. It may have been deleted or the name may be wrong.");
    e = storage_error("", "", 403, "AccessDenied", "");
    CHECK(e.message() == "Permission denied. Your account doesn't have access to this bucket.");
    e = storage_error("", "", 400, "ExpiredToken", "");
    CHECK(e.message() ==
          "Your credentials have expired. Update them in your storage profile or environment.");
}

TEST_CASE("transport failures: TLS, timeout, connection") {
    auto tls = transport_storage_error("S3", "s3://b/k", "SSL certificate problem", false, true);
    CHECK(tls.code() == ExitCode::unavailable);
    CHECK(tls.message() ==
          "Secure connection failed. Check your system clock and network settings.");
    CHECK_THAT(tls.detail(), Catch::Contains("SSL certificate problem"));
    auto slow =
        transport_storage_error("Azure Blob Storage", "", "Operation timed out", true, false);
    CHECK(slow.message() ==
          "Connection timed out. Azure Blob Storage may be experiencing issues, or your network is "
          "slow.");
    auto down = transport_storage_error("", "s3://b", "Couldn't connect to server", false, false);
    CHECK(down.message() ==
          "Can't connect to the storage service. Check your internet connection.");
    CHECK(down.http_status() == 0);
}
