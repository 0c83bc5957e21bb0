// The XML of the S3 REST API, read and written with pugixml: response bodies of ListObjectsV2,
// ListParts, ListMultipartUploads, CreateMultipartUpload, CompleteMultipartUpload, CopyObject,
// DeleteObjects and <Error>, and the request bodies of CompleteMultipartUpload and DeleteObjects.
// Element names are matched without namespaces (AWS sends xmlns, radosgw too, others may not).
// A body that is not the expected document throws StorageError (exit 69, "MalformedResponse").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/backend.hpp"

namespace ri::storage::s3xml {

struct ErrorBody {
    std::string code;  // NoSuchKey, SignatureDoesNotMatch...
    std::string message;
    std::string resource;
    std::string request_id;
};
// nullopt when body is not an <Error> document (empty, HTML from a proxy...).
std::optional<ErrorBody> parse_error(std::string_view body);

struct ObjectListing {
    ListPage page;  // keys and prefixes decoded when the server used EncodingType=url
    bool truncated = false;
};
ObjectListing parse_list_objects_v2(std::string_view body);

struct PartListing {
    std::vector<PartInfo> parts;
    bool truncated = false;
    int next_part_number_marker = 0;
};
PartListing parse_list_parts(std::string_view body);

struct UploadListing {
    std::vector<UploadInfo> uploads;
    bool truncated = false;
    std::string next_key_marker;
    std::string next_upload_id_marker;
};
UploadListing parse_list_multipart_uploads(std::string_view body);

// InitiateMultipartUploadResult/UploadId.
std::string parse_initiate_multipart(std::string_view body);

struct CompletedObject {
    std::string key;
    std::string etag;  // unquoted, "...-N"
};
// CompleteMultipartUploadResult. S3 may answer 200 with an <Error> body here (the failure came
// after the headers were sent): callers check parse_error first.
CompletedObject parse_complete_multipart(std::string_view body);

struct CopiedObject {
    std::string etag;
    std::string last_modified;  // ISO 8601, seconds
};
// CopyObjectResult (same 200-with-<Error> caveat).
CopiedObject parse_copy_object(std::string_view body);

// DeleteResult: a result for every <Deleted> and <Error>; in Quiet mode only errors appear.
std::vector<DeleteResult> parse_delete_result(std::string_view body);

// Request bodies.
std::string complete_multipart_body(const std::vector<PartInfo>& parts);
std::string delete_objects_body(const std::vector<std::string>& keys, bool quiet);

// Helpers shared with the header parsing of the backend.
std::string unquote_etag(std::string_view etag);
// "2009-10-12T17:50:30.000Z" -> "2009-10-12T17:50:30Z"; other text is returned as it is.
std::string iso8601_seconds(std::string_view timestamp);
// An HTTP date ("Wed, 12 Oct 2009 17:50:00 GMT") -> "2009-10-12T17:50:00Z"; empty if unreadable.
std::string iso8601_from_http_date(std::string_view http_date);
// Decoding for EncodingType=url: %XX escapes and '+' as a space, the way S3 encodes.
std::string url_decode_form(std::string_view text);

}  // namespace ri::storage::s3xml
