// The S3 backend: every call is one signed HTTP request (or a paged series of them) through a
// client borrowed from the pool. Requests are signed in before_attempt, so each retry carries a
// fresh x-amz-date and signature.
//
// Payload hashing: x-amz-content-sha256 is the real SHA-256 for bodies up to 1 MiB (XML
// requests, small objects, where it costs microseconds), and UNSIGNED-PAYLOAD for larger data
// bodies (PutObject, UploadPart) when the transport already protects them: TLS, or a loopback
// endpoint with nothing in between. Hashing every byte would cost ~0.7 CPU-seconds per GiB
// (SHA-256 runs at 1.45 GB/s with SHA-NI here), more than the whole client CPU budget of an
// upload. Over plain http to another host the payload is hashed and signed, so a byte changed in
// transit is refused by the server. Bodies up to 1 MiB also carry Content-MD5, so the store
// itself checks what it keeps (DeleteObjects requires it).
#include "storage/s3_backend.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "core/log.hpp"
#include "core/redact.hpp"
#include "storage/s3_endpoint.hpp"
#include "storage/s3_xml.hpp"
#include "storage/sigv4_signer.hpp"
#include "storage/storage_error.hpp"

namespace ri::storage {
namespace {

constexpr size_t kSignedPayloadLimit = 1 << 20;
constexpr std::string_view kMetaPrefix = "x-amz-meta-";
constexpr const char* kOctetStream = "application/octet-stream";

using Query = std::vector<std::pair<std::string, std::string>>;

std::string query_string(const Query& query) {
    std::string out;
    for (const auto& [name, value] : query) {
        out += out.empty() ? '?' : '&';
        out += aws_uri_encode(name, false);
        if (!value.empty()) out += '=' + aws_uri_encode(value, false);
    }
    return out;
}

std::span<const std::byte> bytes(const std::string& text) {
    return std::as_bytes(std::span(text.data(), text.size()));
}

void add_metadata(http::Headers& headers, const Metadata& metadata) {
    for (const auto& [name, value] : metadata)
        headers.emplace_back(std::string(kMetaPrefix) + name, value);
}

uint64_t to_u64(std::string_view text) {
    uint64_t value = 0;
    std::from_chars(text.data(), text.data() + text.size(), value);
    return value;
}

SigV4Signer make_signer(const S3Settings& settings) {
    register_secret(settings.secret_key);
    register_secret(settings.session_token);
    return SigV4Signer({settings.access_key, settings.secret_key, settings.session_token},
                       {settings.region.empty() ? "us-east-1" : settings.region, "s3", false});
}

// Messages say "AWS" for Amazon itself and "S3" for another S3-compatible service.
std::string service_name(const S3Settings& settings) {
    return settings.endpoint.empty() ? "AWS" : "S3";
}

// Object calls name their key through this: an empty key would address the bucket itself.
const std::string& object_key(const std::string& key) {
    if (key.empty()) throw Error::usage("An S3 object key can't be empty.");
    return key;
}

// One request as the operations describe it; send() turns it into a signed http::Request.
struct S3Call {
    explicit S3Call(std::string method_, std::string key_ = {})
        : method(std::move(method_)), key(std::move(key_)) {}
    std::string method;
    std::string key;  // empty: the bucket itself
    Query query;
    http::Headers headers;
    std::span<const std::byte> body;
    bool data_payload = false;  // object data (PutObject, UploadPart): may go UNSIGNED-PAYLOAD
    bool idempotent = true;
    std::function<void(std::span<const std::byte>)> sink;
};

// What the bucket-level helpers and the backend share: endpoint, signer, service name.
class S3Client {
  public:
    S3Client(const S3Settings& settings, const std::string& bucket)
        : endpoint_(settings, bucket),
          signer_(make_signer(settings)),
          service_(service_name(settings)) {}

    const S3Endpoint& endpoint() const { return endpoint_; }
    const std::string& service() const { return service_; }
    std::string bucket_what() const { return "s3://" + endpoint_.bucket(); }
    std::string url_of(const std::string& key) const {
        return "s3://" + endpoint_.bucket() + "/" + key;
    }

    // The response, whatever its status; transport failures become a retryable StorageError
    // that says how many body bytes the sink already holds (the caller resumes from there).
    http::Response send(http::HttpClient& client, S3Call& call, const std::string& what) const {
        http::Request request;
        request.method = call.method;
        request.url = (call.key.empty() ? endpoint_.bucket_url() : endpoint_.object_url(call.key)) +
                      query_string(call.query);
        request.headers = std::move(call.headers);
        request.body = call.body;
        request.idempotent = call.idempotent;
        request.sink = std::move(call.sink);
        if (!call.body.empty() && call.body.size() <= kSignedPayloadLimit) {
            request.headers.emplace_back("content-md5", md5_base64(call.body));
        }
        const bool unsigned_ok = call.data_payload && call.body.size() > kSignedPayloadLimit &&
                                 endpoint_.transport_protected();
        std::string payload_hash =
            unsigned_ok ? std::string(kUnsignedPayload) : sha256_hex(call.body);
        request.before_attempt = [this, payload_hash](http::Request& r) {
            signer_.sign(r, payload_hash);
        };
        try {
            return client.send(std::move(request));
        } catch (const http::TransportError& e) {
            throw transport_storage_error(service_, what, e.what(), e.is_timeout(), e.is_tls(),
                                          e.sink_bytes());
        }
    }

    // The StorageError for a failed response: the <Error> body's code and message when there is
    // one, the bucket as the subject when the bucket is what is missing.
    [[noreturn]] void fail(const http::Response& response, const std::string& what,
                           std::string_view default_code = {}) const {
        auto error = s3xml::parse_error(response.body);
        std::string code = error ? error->code : std::string(default_code);
        std::string message = error ? error->message : std::string{};
        log::debug("S3 {} failed: HTTP {} {} {}", what, response.status, code, message);
        throw storage_error(service_, code == "NoSuchBucket" ? bucket_what() : what,
                            response.status, code, message);
    }

  private:
    S3Endpoint endpoint_;
    SigV4Signer signer_;
    std::string service_;
};

class S3Backend final : public Backend {
  public:
    S3Backend(const S3Settings& settings, const std::string& bucket,
              std::shared_ptr<http::HttpClientPool> pool, S3Options options)
        : s3_(settings, bucket), pool_(std::move(pool)), options_(options) {
        options_.list_parts_page = std::clamp(options_.list_parts_page, 1, 1000);
        options_.list_uploads_page = std::clamp(options_.list_uploads_page, 1, 1000);
    }

    std::string scheme() const override { return "s3"; }
    std::string url_of(const std::string& key) const override { return s3_.url_of(key); }
    Limits limits() const override { return {10000, 5ull << 20, 5ull << 30, 5ull << 30, 1000}; }

    std::optional<ObjectInfo> head(const std::string& key) override {
        S3Call call("HEAD", object_key(key));
        auto r = send(call, url_of(key));
        if (r.status == 404) return std::nullopt;
        if (!r.ok()) s3_.fail(r, url_of(key));
        return info_from(key, r);
    }

    // What HEAD and GET answers say of the object; for a 206 the size is Content-Range's total.
    static ObjectInfo info_from(const std::string& key, const http::Response& r) {
        ObjectInfo info;
        info.key = key;
        info.size = to_u64(r.header("content-length").value_or("0"));
        if (auto range = r.header("content-range")) {
            if (auto slash = range->rfind('/');
                slash != std::string::npos && range->substr(slash + 1) != "*") {
                info.size = to_u64(range->substr(slash + 1));
            }
        }
        info.etag = s3xml::unquote_etag(r.header("etag").value_or(""));
        info.last_modified = s3xml::iso8601_from_http_date(r.header("last-modified").value_or(""));
        for (const auto& [name, value] : r.headers) {
            if (name.starts_with(kMetaPrefix))
                info.metadata[name.substr(kMetaPrefix.size())] = value;
        }
        return info;
    }

    ObjectInfo get(const std::string& key, std::optional<ByteRange> range,
                   const Sink& sink) override {
        if (range && range->length == 0) return ObjectInfo{key, 0, "", "", {}, ""};
        S3Call call("GET", object_key(key));
        if (range) {
            call.headers.emplace_back("range", fmt::format("bytes={}-{}", range->offset,
                                                           range->offset + range->length - 1));
        }
        // Never hand the sink more than was asked for: a server that ignores Range answers 200
        // with the whole object.
        const uint64_t limit = range ? range->length : UINT64_MAX;
        uint64_t delivered = 0;
        call.sink = [&](std::span<const std::byte> data) {
            if (delivered + data.size() > limit) {
                throw StorageError(
                    ExitCode::unavailable,
                    "The storage service sent more than the requested byte range.", 200,
                    "InvalidRangeResponse",
                    fmt::format("{} range {}+{}", url_of(key), range->offset, range->length));
            }
            delivered += data.size();
            sink(data);
        };
        auto r = send(call, url_of(key));
        if (!r.ok()) s3_.fail(r, url_of(key));
        if (range && r.status == 200 && range->offset != 0) {
            throw StorageError(ExitCode::unavailable,
                               "The storage service ignored the requested byte range.", 200,
                               "InvalidRangeResponse", url_of(key));
        }
        if (range && r.status == 206) {
            // Content-Range: bytes START-END/TOTAL must start where we asked.
            auto content_range = r.header("content-range").value_or("");
            if (!content_range.starts_with(fmt::format("bytes {}-", range->offset))) {
                throw StorageError(
                    ExitCode::unavailable, "The storage service sent a different byte range.", 206,
                    "InvalidRangeResponse", fmt::format("{}: {}", url_of(key), content_range));
            }
        }
        return info_from(key, r);
    }

    ObjectInfo put(const std::string& key, std::span<const std::byte> body,
                   const Metadata& metadata) override {
        S3Call call("PUT", object_key(key));
        call.body = body;
        call.data_payload = true;
        call.headers.emplace_back("content-type", kOctetStream);
        add_metadata(call.headers, metadata);
        auto r = send(call, url_of(key));
        if (!r.ok()) s3_.fail(r, url_of(key));
        ObjectInfo info;
        info.key = key;
        info.size = body.size();
        info.etag = s3xml::unquote_etag(r.header("etag").value_or(""));
        info.metadata = metadata;
        return info;
    }

    std::string create_multipart(const std::string& key, const Metadata& metadata) override {
        // Not idempotent: a retry after a lost answer would leave an orphaned upload behind.
        S3Call call("POST", object_key(key));
        call.query = {{"uploads", ""}};
        call.idempotent = false;
        call.headers.emplace_back("content-type", kOctetStream);
        add_metadata(call.headers, metadata);
        auto r = send(call, url_of(key));
        if (!r.ok()) s3_.fail(r, url_of(key));
        return s3xml::parse_initiate_multipart(r.body);
    }

    std::string upload_part(const std::string& key, const std::string& upload_id, int part_number,
                            std::span<const std::byte> body) override {
        S3Call call("PUT", object_key(key));
        call.query = {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}};
        call.body = body;
        call.data_payload = true;
        auto r = send(call, url_of(key));
        if (!r.ok()) fail_upload(r, key);
        auto etag = r.header("etag");
        if (!etag || etag->empty()) {
            throw StorageError(ExitCode::unavailable,
                               "The storage service did not confirm an uploaded part.", r.status,
                               "MalformedResponse",
                               fmt::format("{} part {}: no ETag", url_of(key), part_number));
        }
        return s3xml::unquote_etag(*etag);
    }

    ObjectInfo complete_multipart(const std::string& key, const std::string& upload_id,
                                  const std::vector<PartInfo>& parts,
                                  const Metadata& metadata) override {
        const std::string xml = s3xml::complete_multipart_body(parts);
        S3Call call("POST", object_key(key));
        call.query = {{"uploadId", upload_id}};
        call.body = bytes(xml);
        call.headers.emplace_back("content-type", "application/xml");
        auto r = send(call, url_of(key));
        if (!r.ok()) {
            // radosgw 16.2 answers a completion of an aborted or unknown upload with 500
            // InternalError ("This multipart completion is already in progress"), where S3 says
            // NoSuchUpload: ask ListParts which it is.
            if (r.status == 500) {
                try {
                    list_parts(key, upload_id);
                } catch (const StorageError& e) {
                    if (e.service_code() == "NoSuchUpload") throw;
                }
            }
            fail_upload(r, key);
        }
        // S3 may fail after it has sent 200 and report the failure in the body.
        if (auto error = s3xml::parse_error(r.body)) {
            throw storage_error(s3_.service(), url_of(key), 500, error->code, error->message);
        }
        auto done = s3xml::parse_complete_multipart(r.body);
        ObjectInfo info;
        info.key = key;
        for (const auto& part : parts)
            info.size += part.size;
        info.etag = done.etag;
        info.metadata = metadata;
        if (info.etag.empty()) {
            // radosgw 16.2 answers with an empty <ETag>; the object itself has it.
            if (auto stored = head(key)) info.etag = stored->etag;
        }
        return info;
    }

    void abort_multipart(const std::string& key, const std::string& upload_id) override {
        S3Call call("DELETE", object_key(key));
        call.query = {{"uploadId", upload_id}};
        auto r = send(call, url_of(key));
        // Already gone is what abort wants: cleanup may run twice, or after the upload expired.
        if (r.ok() || r.status == 404) {
            auto error = s3xml::parse_error(r.body);
            if (r.ok() || !error || error->code == "NoSuchUpload" || error->code == "NoSuchKey")
                return;
        }
        s3_.fail(r, url_of(key));
    }

    std::vector<PartInfo> list_parts(const std::string& key,
                                     const std::string& upload_id) override {
        std::vector<PartInfo> parts;
        int marker = 0;
        while (true) {
            S3Call call("GET", object_key(key));
            call.query = {{"max-parts", std::to_string(options_.list_parts_page)},
                          {"uploadId", upload_id}};
            if (marker > 0) call.query.emplace_back("part-number-marker", std::to_string(marker));
            auto r = send(call, url_of(key));
            if (!r.ok()) fail_upload(r, key);
            auto page = s3xml::parse_list_parts(r.body);
            parts.insert(parts.end(), page.parts.begin(), page.parts.end());
            if (!page.truncated) break;
            // A marker that does not advance would loop forever.
            if (page.next_part_number_marker <= marker) {
                throw StorageError(ExitCode::unavailable,
                                   "The storage service sent a part listing that does not advance.",
                                   r.status, "MalformedResponse", url_of(key));
            }
            marker = page.next_part_number_marker;
        }
        return parts;
    }

    std::vector<UploadInfo> list_multipart_uploads(const std::string& prefix) override {
        std::vector<UploadInfo> uploads;
        std::string key_marker, upload_id_marker;
        while (true) {
            S3Call call("GET");
            // No encoding-type=url here: radosgw 16.2 then encodes <Key> but neither says so
            // (no <EncodingType>) nor encodes NextKeyMarker, so the answer would be ambiguous.
            call.query = {{"max-uploads", std::to_string(options_.list_uploads_page)},
                          {"uploads", ""}};
            if (!prefix.empty()) call.query.emplace_back("prefix", prefix);
            if (!key_marker.empty()) call.query.emplace_back("key-marker", key_marker);
            if (!upload_id_marker.empty())
                call.query.emplace_back("upload-id-marker", upload_id_marker);
            auto r = send(call, s3_.bucket_what());
            if (!r.ok()) s3_.fail(r, s3_.bucket_what());
            auto page = s3xml::parse_list_multipart_uploads(r.body);
            uploads.insert(uploads.end(), page.uploads.begin(), page.uploads.end());
            if (!page.truncated) break;
            if (page.next_key_marker == key_marker &&
                page.next_upload_id_marker == upload_id_marker) {
                throw StorageError(
                    ExitCode::unavailable,
                    "The storage service sent an upload listing that does not advance.", r.status,
                    "MalformedResponse", s3_.bucket_what());
            }
            key_marker = page.next_key_marker;
            upload_id_marker = page.next_upload_id_marker;
        }
        return uploads;
    }

    ListPage list(const std::string& prefix, const std::string& delimiter, const std::string& token,
                  int max_keys) override {
        S3Call call("GET");
        call.query = {{"encoding-type", "url"},
                      {"list-type", "2"},
                      {"max-keys", std::to_string(std::clamp(max_keys, 1, 1000))}};
        if (!prefix.empty()) call.query.emplace_back("prefix", prefix);
        if (!delimiter.empty()) call.query.emplace_back("delimiter", delimiter);
        if (!token.empty()) call.query.emplace_back("continuation-token", token);
        auto r = send(call, s3_.bucket_what());
        if (!r.ok()) s3_.fail(r, s3_.bucket_what());
        return s3xml::parse_list_objects_v2(r.body).page;
    }

    std::vector<DeleteResult> delete_objects(const std::vector<std::string>& keys) override {
        std::vector<DeleteResult> results;
        results.reserve(keys.size());
        const size_t batch = static_cast<size_t>(limits().max_delete_batch);
        for (size_t start = 0; start < keys.size(); start += batch) {
            std::vector<std::string> chunk(
                keys.begin() + static_cast<std::ptrdiff_t>(start),
                keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), start + batch)));
            // Quiet: the answer lists only the keys that failed.
            const std::string xml = s3xml::delete_objects_body(chunk, true);
            S3Call call("POST");
            call.query = {{"delete", ""}};
            call.body = bytes(xml);
            call.headers.emplace_back("content-type", "application/xml");
            auto r = send(call, s3_.bucket_what());
            if (!r.ok()) s3_.fail(r, s3_.bucket_what());
            std::map<std::string, DeleteResult> reported;
            for (auto& result : s3xml::parse_delete_result(r.body))
                reported[result.key] = std::move(result);
            for (const auto& key : chunk) {
                auto it = reported.find(key);
                if (it != reported.end() && !it->second.ok) {
                    results.push_back(it->second);
                } else {
                    results.push_back({key, true, {}, {}});
                }
            }
        }
        return results;
    }

    ObjectInfo copy(const std::string& source_key, const std::string& dest_key,
                    MetadataDirective directive, const Metadata& metadata) override {
        S3Call call("PUT", object_key(dest_key));
        // x-amz-copy-source is "bucket/key", URL-encoded as a path: '+' and spaces must not
        // reach the server raw ('+' would be read as a space).
        call.headers.emplace_back("x-amz-copy-source",
                                  aws_uri_encode(s3_.endpoint().bucket(), false) + "/" +
                                      S3Endpoint::encode_key(object_key(source_key)));
        if (directive == MetadataDirective::replace) {
            call.headers.emplace_back("x-amz-metadata-directive", "REPLACE");
            call.headers.emplace_back("content-type", kOctetStream);
            add_metadata(call.headers, metadata);
        } else {
            call.headers.emplace_back("x-amz-metadata-directive", "COPY");
        }
        auto r = send(call, url_of(dest_key));
        if (!r.ok()) {
            auto error = s3xml::parse_error(r.body);
            // A missing source is about the source, not the destination.
            s3_.fail(r,
                     error && error->code == "NoSuchKey" ? url_of(source_key) : url_of(dest_key));
        }
        if (auto error = s3xml::parse_error(r.body)) {
            throw storage_error(s3_.service(), url_of(dest_key), 500, error->code, error->message);
        }
        s3xml::parse_copy_object(r.body);
        // The copy answer has no size or metadata: one HEAD makes the result complete.
        auto info = head(dest_key);
        if (!info) {
            throw storage_error(s3_.service(), url_of(dest_key), 404, "NoSuchKey",
                                "copied object not found");
        }
        return *info;
    }

  private:
    http::Response send(S3Call& call, const std::string& what) {
        auto lease = pool_->acquire();
        return s3_.send(*lease, call, what);
    }

    // Calls on an upload id: a missing upload is NoSuchUpload, whatever the server called it
    // (radosgw answers NoSuchKey to ListParts of an aborted upload).
    [[noreturn]] void fail_upload(const http::Response& r, const std::string& key) {
        auto error = s3xml::parse_error(r.body);
        if (r.status == 404 &&
            (!error || error->code == "NoSuchKey" || error->code == "NoSuchUpload")) {
            throw storage_error(s3_.service(), url_of(key), 404, "NoSuchUpload",
                                error ? error->message : std::string{});
        }
        s3_.fail(r, url_of(key));
    }

    S3Client s3_;
    std::shared_ptr<http::HttpClientPool> pool_;
    S3Options options_;
};

}  // namespace

std::unique_ptr<Backend> make_s3_backend(const S3Settings& settings, const std::string& bucket,
                                         std::shared_ptr<http::HttpClientPool> pool,
                                         S3Options options) {
    return std::make_unique<S3Backend>(settings, bucket, std::move(pool), options);
}

std::string s3_presign_get(const S3Settings& settings, const std::string& bucket,
                           const std::string& key, std::chrono::seconds expires) {
    S3Endpoint endpoint(settings, bucket);
    return make_signer(settings).presign("GET", endpoint.object_url(key), expires);
}

bool create_s3_bucket(const S3Settings& settings, const std::string& bucket,
                      http::HttpClientPool& pool) {
    S3Client s3(settings, bucket);
    // Outside us-east-1 AWS wants the region in the body.
    std::string xml;
    if (!settings.region.empty() && settings.region != "us-east-1") {
        xml =
            "<CreateBucketConfiguration "
            "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LocationConstraint>" +
            settings.region + "</LocationConstraint></CreateBucketConfiguration>";
    }
    S3Call call("PUT");
    call.body = bytes(xml);
    auto lease = pool.acquire();
    auto r = s3.send(*lease, call, s3.bucket_what());
    if (r.ok()) return true;
    auto error = s3xml::parse_error(r.body);
    if (error && error->code == "BucketAlreadyOwnedByYou") return false;
    s3.fail(r, s3.bucket_what());
}

bool delete_s3_bucket(const S3Settings& settings, const std::string& bucket,
                      http::HttpClientPool& pool) {
    S3Client s3(settings, bucket);
    S3Call call("DELETE");
    auto lease = pool.acquire();
    auto r = s3.send(*lease, call, s3.bucket_what());
    if (r.ok()) return true;
    auto error = s3xml::parse_error(r.body);
    if (r.status == 404 && (!error || error->code == "NoSuchBucket")) return false;
    s3.fail(r, s3.bucket_what());
}

}  // namespace ri::storage
