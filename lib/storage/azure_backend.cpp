#include "storage/azure_backend.hpp"

#include <algorithm>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "core/cancel.hpp"
#include "core/redact.hpp"
#include "core/strings.hpp"
#include "http/url_parts.hpp"
#include "storage/azure_block_id.hpp"
#include "storage/azure_shared_key.hpp"
#include "storage/azure_xml.hpp"
#include "storage/storage_error.hpp"

namespace ri::storage {
namespace {

constexpr const char* kService = "Azure Blob Storage";
constexpr uint64_t kMiB = 1024 * 1024;

void add_metadata_headers(http::Headers& headers, const Metadata& metadata) {
    for (const auto& [name, value] : metadata)
        headers.emplace_back("x-ms-meta-" + name, value);
}

// Where the account lives and how requests to it are authorized: shared by the backend and the
// container helpers.
class AzureAccount {
  public:
    explicit AzureAccount(const AzureSettings& settings) : account_(settings.account) {
        if (account_.empty()) {
            throw Error::config(
                "No Azure storage account is set. Give it in the az:// URL, with --az-account or "
                "AZURE_STORAGE_ACCOUNT.");
        }
        base_url_ = settings.endpoint.empty() ? "https://" + account_ + ".blob.core.windows.net"
                                              : settings.endpoint;
        while (!base_url_.empty() && base_url_.back() == '/')
            base_url_.pop_back();
        std::string sas = settings.sas_token;
        if (!sas.empty() && sas.front() == '?') sas.erase(0, 1);
        // The account key can do everything a SAS can, so it wins when both are set (as in
        // the az CLI); a SAS is appended to every URL instead of a signature.
        if (!settings.account_key.empty()) {
            signer_.emplace(account_, settings.account_key);
        } else if (!sas.empty()) {
            sas_ = std::move(sas);
            register_secret(sas_);
        } else {
            throw Error::config(
                "No Azure credentials are set. Give an account key (--az-key or AZURE_STORAGE_KEY) "
                "or a SAS token (--az-sas or AZURE_STORAGE_SAS_TOKEN).");
        }
    }

    const std::string& account() const { return account_; }

    // The URL of a container or blob, percent-encoded, with the query (and the SAS, when
    // that is how requests are authorized).
    std::string url(const std::string& container, const std::string* key,
                    const std::string& query) const {
        std::string out = base_url_ + "/" + http::uri_encode(container, false);
        if (key) out += "/" + http::uri_encode(*key, true);
        std::string q = query;
        if (!sas_.empty()) q += (q.empty() ? "" : "&") + sas_;
        if (!q.empty()) out += "?" + q;
        return out;
    }

    http::Request request(std::string method, std::string url) const {
        http::Request r;
        r.method = std::move(method);
        r.url = std::move(url);
        r.headers.emplace_back("x-ms-version", std::string(kAzureApiVersion));
        if (signer_) {
            const AzureSharedKeySigner* signer = &*signer_;
            r.before_attempt = [signer](http::Request& attempt) {
                signer->sign(attempt, std::chrono::system_clock::now());
            };
        }
        return r;
    }

  private:
    std::string account_;
    std::string base_url_;
    std::string sas_;
    std::optional<AzureSharedKeySigner> signer_;
};

// The service's error code (the x-ms-error-code header, which HEAD answers carry too, else
// the body's) and message.
struct ServiceError {
    std::string code;
    std::string message;
};

ServiceError service_error(const http::Response& response) {
    AzureErrorBody body = parse_azure_error(response.body);
    ServiceError out{response.header("x-ms-error-code").value_or(""), body.message};
    if (out.code.empty()) out.code = body.code;
    if (!body.detail.empty()) out.message += (out.message.empty() ? "" : " ") + body.detail;
    // Azurite answers a wrong key with AuthorizationFailure and Azure's AuthenticationFailed
    // message: it is a credentials problem, so it is reported as one (raw code kept).
    if (out.code == "AuthorizationFailure" &&
        out.message.find("failed to authenticate") != std::string::npos) {
        out.message += " [" + out.code + "]";
        out.code = "AuthenticationFailed";
    }
    return out;
}

[[noreturn]] void fail(const http::Response& response, const std::string& what) {
    auto [code, message] = service_error(response);
    // A missing container is named as the container, whatever blob was asked for.
    std::string target = what;
    if (code == "ContainerNotFound" && target.starts_with("az://")) {
        size_t account_end = target.find('/', 5);
        size_t container_end =
            account_end == std::string::npos ? account_end : target.find('/', account_end + 1);
        if (container_end != std::string::npos) target.resize(container_end);
    }
    throw storage_error(kService, target, response.status, code, message);
}

http::Response send(http::HttpClientPool& pool, http::Request request, const std::string& what) {
    auto client = pool.acquire();
    try {
        return client->send(std::move(request));
    } catch (const http::TransportError& e) {
        throw transport_storage_error(kService, what, e.what(), e.is_timeout(), e.is_tls());
    }
}

class AzureBackend final : public Backend {
  public:
    AzureBackend(const AzureSettings& settings, std::string container,
                 std::shared_ptr<http::HttpClientPool> pool)
        : account_(settings), container_(std::move(container)), pool_(std::move(pool)) {}

    std::string scheme() const override { return "az"; }
    std::string url_of(const std::string& key) const override {
        return "az://" + account_.account() + "/" + container_ + "/" + key;
    }
    Limits limits() const override {
        // 50,000 blocks of at most 4000 MiB; Put Blob up to 5000 MiB. Deletes are one call per
        // blob (Blob Batch, a multipart/mixed API, is not used), so 256 only sizes the slices a
        // caller hands over between progress reports.
        return {50000, 1, 4000 * kMiB, 5000 * kMiB, 256};
    }

    std::optional<ObjectInfo> head(const std::string& key) override {
        http::Response r = send_blob("HEAD", key, "", {});
        // A missing container is the user's typo, not a missing object: that one throws.
        if (r.status == 404 && r.header("x-ms-error-code").value_or("") != "ContainerNotFound")
            return std::nullopt;
        if (r.status == 403) {
            // HEAD answers carry no error body; Get Blob Metadata fails the same way with one,
            // so the message can say whether the credentials or the permissions are wrong.
            http::Response explained = send_blob("GET", key, "comp=metadata", {});
            if (!explained.ok()) fail(explained, url_of(key));
        }
        if (!r.ok()) fail(r, url_of(key));
        return info_from(key, r);
    }

    ObjectInfo get(const std::string& key, std::optional<ByteRange> range,
                   const Sink& sink) override {
        if (range && range->length == 0) return ObjectInfo{key, 0, "", "", {}, ""};
        http::Request request = account_.request("GET", blob_url(key, ""));
        if (range) {
            request.headers.emplace_back("x-ms-range",
                                         "bytes=" + std::to_string(range->offset) + "-" +
                                             std::to_string(range->offset + range->length - 1));
        }
        request.sink = [&sink](std::span<const std::byte> bytes) { sink(bytes); };
        http::Response r;
        {
            auto client = pool_->acquire();
            try {
                r = client->send(std::move(request));
            } catch (const http::TransportError& e) {
                // With the bytes already streamed: the caller resumes from there with a range.
                throw transport_storage_error(kService, url_of(key), e.what(), e.is_timeout(),
                                              e.is_tls(), e.sink_bytes());
            }
        }
        if (!r.ok()) fail(r, url_of(key));
        ObjectInfo info = info_from(key, r);
        if (auto total = r.header("content-range");
            total && total->rfind('/') != std::string::npos) {
            info.size = std::stoull(total->substr(total->rfind('/') + 1));
            // A range's Content-MD5 would be the range's: the blob's own is x-ms-blob-content-md5.
            info.content_md5 = r.header("x-ms-blob-content-md5").value_or("");
        }
        return info;
    }

    ObjectInfo put(const std::string& key, std::span<const std::byte> body,
                   const Metadata& metadata) override {
        http::Headers headers = {{"x-ms-blob-type", "BlockBlob"},
                                 {"Content-Type", "application/octet-stream"}};
        add_metadata_headers(headers, metadata);
        http::Response r = send_blob("PUT", key, "", std::move(headers), body);
        if (!r.ok()) fail(r, url_of(key));
        ObjectInfo info = info_from(key, r);
        info.size = body.size();
        info.metadata = metadata;
        return info;
    }

    std::string create_multipart(const std::string& key, const Metadata& metadata) override {
        std::string token = new_azure_upload_token();
        std::lock_guard lock(mutex_);
        pending_metadata_[key + '\n' + token] = metadata;
        return token;
    }

    std::string upload_part(const std::string& key, const std::string& upload_id, int part_number,
                            std::span<const std::byte> body) override {
        check_token(key, upload_id);
        std::string id = azure_block_id(upload_id, part_number);
        http::Response r =
            send_blob("PUT", key, "comp=block&blockid=" + http::uri_encode(id, false),
                      {{"Content-Type", "application/octet-stream"}}, body);
        if (!r.ok() && service_error(r).code == "InvalidBlobOrBlock") {
            // The service refuses uncommitted block ids of different lengths on one blob, so
            // blocks another program left behind (its own id scheme) block ri's upload.
            throw StorageError(
                ExitCode::bad_data,
                url_of(key) +
                    " has unfinished blocks left by another program, which Azure will not mix "
                    "with ri's. Delete the object, or wait until Azure drops them (after 7 "
                    "days), then upload again.",
                r.status, "InvalidBlobOrBlock", "Put Block " + id + ": HTTP 400");
        }
        if (!r.ok()) fail(r, url_of(key));
        return id;
    }

    ObjectInfo complete_multipart(const std::string& key, const std::string& upload_id,
                                  const std::vector<PartInfo>& parts,
                                  const Metadata& metadata) override {
        check_token(key, upload_id);
        std::vector<PartInfo> sorted = parts;
        std::sort(sorted.begin(), sorted.end(),
                  [](const PartInfo& a, const PartInfo& b) { return a.number < b.number; });
        std::vector<std::string> ids;
        uint64_t size = 0;
        for (const PartInfo& part : sorted) {
            ids.push_back(part.etag.empty() ? azure_block_id(upload_id, part.number) : part.etag);
            size += part.size;
        }
        Metadata meta = metadata;
        {
            std::lock_guard lock(mutex_);
            auto it = pending_metadata_.find(key + '\n' + upload_id);
            if (it != pending_metadata_.end()) {
                if (meta.empty()) meta = it->second;
                pending_metadata_.erase(it);
            }
        }
        std::string xml = azure_block_list_xml(ids);
        http::Headers headers = {{"Content-Type", "application/xml"},
                                 {"x-ms-blob-content-type", "application/octet-stream"}};
        add_metadata_headers(headers, meta);
        http::Response r = send_blob("PUT", key, "comp=blocklist", std::move(headers),
                                     std::as_bytes(std::span(xml.data(), xml.size())));
        if (!r.ok()) fail(r, url_of(key));
        ObjectInfo info = info_from(key, r);
        info.size = size;
        info.metadata = meta;
        info.content_md5.clear();  // here it is the MD5 of the block list, not of the blob
        return info;
    }

    void abort_multipart(const std::string& key, const std::string& upload_id) override {
        // Uncommitted blocks cannot be deleted one by one; the service drops them after 7 days
        // or at the blob's next commit. A committed blob is delete_objects' business.
        std::lock_guard lock(mutex_);
        pending_metadata_.erase(key + '\n' + upload_id);
    }

    std::vector<PartInfo> list_parts(const std::string& key,
                                     const std::string& upload_id) override {
        check_token(key, upload_id);
        http::Response r = send_blob("GET", key, "comp=blocklist&blocklisttype=uncommitted", {});
        // No blob and no uncommitted blocks yet: the upload simply has no parts on the server.
        if (r.status == 404 && r.header("x-ms-error-code").value_or("") != "ContainerNotFound")
            return {};
        if (!r.ok()) fail(r, url_of(key));
        std::vector<PartInfo> parts;
        for (const AzureBlock& block : parse_azure_block_list(r.body)) {
            if (block.committed) continue;
            if (auto number = azure_block_part_number(upload_id, block.id))
                parts.push_back({*number, block.size, block.id});
        }
        std::sort(parts.begin(), parts.end(),
                  [](const PartInfo& a, const PartInfo& b) { return a.number < b.number; });
        return parts;
    }

    // Azure keeps no list of block uploads in progress: uncommitted blocks belong to a blob
    // name and expire after 7 days by themselves, so there is nothing to list or clean up.
    std::vector<UploadInfo> list_multipart_uploads(const std::string&) override { return {}; }

    ListPage list(const std::string& prefix, const std::string& delimiter, const std::string& token,
                  int max_keys) override {
        std::string query = "restype=container&comp=list";
        if (!prefix.empty()) query += "&prefix=" + http::uri_encode(prefix, false);
        if (!delimiter.empty()) query += "&delimiter=" + http::uri_encode(delimiter, false);
        if (!token.empty()) query += "&marker=" + http::uri_encode(token, false);
        query += "&maxresults=" + std::to_string(std::clamp(max_keys, 1, 5000));
        http::Request request = account_.request("GET", account_.url(container_, nullptr, query));
        http::Response r = send(*pool_, std::move(request), container_what());
        if (!r.ok()) fail(r, container_what());
        return parse_azure_blob_list(r.body);
    }

    std::vector<DeleteResult> delete_objects(const std::vector<std::string>& keys) override {
        std::vector<DeleteResult> results;
        for (const std::string& key : keys) {
            // Snapshots go with the blob: deleting a key removes all of it.
            http::Response r = send_blob("DELETE", key, "", {{"x-ms-delete-snapshots", "include"}});
            if (r.ok()) {
                results.push_back({key, true, "", ""});
                continue;
            }
            auto [code, message] = service_error(r);
            // Failures of the whole account or container (wrong key, no such container, the
            // service down or throttling after retries) stop the batch; the rest are per key.
            bool whole = code == "AuthenticationFailed" || code == "ContainerNotFound" ||
                         r.status >= 500 || r.status == 429 || r.status == 401;
            if (whole) fail(r, r.status == 404 ? container_what() : url_of(key));
            if (code.empty()) code = r.status == 404 ? "BlobNotFound" : std::to_string(r.status);
            results.push_back({key, false, code, message});
        }
        return results;
    }

    ObjectInfo copy(const std::string& source_key, const std::string& dest_key,
                    MetadataDirective directive, const Metadata& metadata) override {
        // Same account: the SharedKey of the request covers the source; with a SAS the source
        // URL carries the (container) SAS too.
        http::Headers headers = {{"x-ms-copy-source", blob_url(source_key, "")}};
        bool replace = directive == MetadataDirective::replace;
        if (replace) add_metadata_headers(headers, metadata);
        http::Response r = send_blob("PUT", dest_key, "", std::move(headers));
        if (!r.ok()) {
            std::string code = service_error(r).code;
            bool source_missing = code == "CannotVerifyCopySource" ||
                                  (r.status == 404 && code != "ContainerNotFound");
            fail(r, source_missing ? url_of(source_key) : url_of(dest_key));
        }
        std::string status = r.header("x-ms-copy-status").value_or("success");
        auto delay = std::chrono::milliseconds(100);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::hours(1);
        while (status == "pending") {
            if (std::chrono::steady_clock::now() > deadline) {
                throw StorageError(ExitCode::temporary,
                                   "Azure is still copying " + url_of(source_key) + " to " +
                                       url_of(dest_key) + " after an hour. Try again later.",
                                   0, "CopyPending", "x-ms-copy-status: pending");
            }
            cancel::sleep_for(delay);
            delay = std::min(delay * 2, std::chrono::milliseconds(5000));
            http::Response p = send_blob("HEAD", dest_key, "", {});
            if (!p.ok()) fail(p, url_of(dest_key));
            status = p.header("x-ms-copy-status").value_or("success");
            if (status != "pending" && status != "success") {
                throw StorageError(
                    ExitCode::unavailable,
                    "Azure could not copy " + url_of(source_key) + " to " + url_of(dest_key) + ".",
                    0, "CopyFailed",
                    "x-ms-copy-status: " + status + ": " +
                        p.header("x-ms-copy-status-description").value_or(""));
            }
        }
        if (status != "success") {
            throw StorageError(
                ExitCode::unavailable,
                "Azure could not copy " + url_of(source_key) + " to " + url_of(dest_key) + ".", 0,
                "CopyFailed", "x-ms-copy-status: " + status);
        }
        // Copy Blob without x-ms-meta-* keeps the source's metadata; REPLACE with nothing
        // must clear it, which only Set Blob Metadata without headers does.
        if (replace && metadata.empty()) {
            http::Response m = send_blob("PUT", dest_key, "comp=metadata", {});
            if (!m.ok()) fail(m, url_of(dest_key));
        }
        auto info = head(dest_key);
        if (!info) {
            throw storage_error(kService, url_of(dest_key), 404, "BlobNotFound",
                                "the copy vanished before it could be read back");
        }
        return *info;
    }

  private:
    std::string blob_url(const std::string& key, const std::string& query) const {
        return account_.url(container_, &key, query);
    }
    std::string container_what() const { return "az://" + account_.account() + "/" + container_; }

    http::Response send_blob(const char* method, const std::string& key, const std::string& query,
                             http::Headers headers, std::span<const std::byte> body = {}) {
        http::Request request = account_.request(method, blob_url(key, query));
        for (auto& header : headers)
            request.headers.push_back(std::move(header));
        request.body = body;
        return send(*pool_, std::move(request), url_of(key));
    }

    void check_token(const std::string& key, const std::string& upload_id) const {
        if (!is_azure_upload_token(upload_id)) {
            throw StorageError(
                ExitCode::bad_data,
                "The upload of " + url_of(key) +
                    " cannot be resumed: its upload id is not one ri made for Azure.",
                404, "NoSuchUpload", "upload id '" + upload_id + "'");
        }
    }

    ObjectInfo info_from(const std::string& key, const http::Response& r) const {
        ObjectInfo info;
        info.key = key;
        if (auto length = r.header("content-length")) info.size = std::stoull(*length);
        info.etag = strings::unquote(r.header("etag").value_or(""));
        info.last_modified = azure_time_to_iso8601(r.header("last-modified").value_or(""));
        info.content_md5 = r.header("content-md5").value_or("");
        for (const auto& [name, value] : r.headers) {
            if (name.starts_with("x-ms-meta-")) info.metadata[name.substr(10)] = value;
        }
        return info;
    }

    AzureAccount account_;
    std::string container_;
    std::shared_ptr<http::HttpClientPool> pool_;
    std::mutex mutex_;
    // Metadata given to create_multipart, for a complete_multipart that passes none.
    std::map<std::string, Metadata> pending_metadata_;
};

}  // namespace

std::unique_ptr<Backend> make_azure_backend(const AzureSettings& settings,
                                            const std::string& container,
                                            std::shared_ptr<http::HttpClientPool> pool) {
    return std::make_unique<AzureBackend>(settings, container, std::move(pool));
}

bool create_azure_container(const AzureSettings& settings, const std::string& container,
                            http::HttpClientPool& pool) {
    AzureAccount account(settings);
    std::string what = "az://" + account.account() + "/" + container;
    http::Response r = send(
        pool, account.request("PUT", account.url(container, nullptr, "restype=container")), what);
    if (r.ok()) return true;
    if (r.status == 409 && r.header("x-ms-error-code").value_or("") == "ContainerAlreadyExists")
        return false;
    fail(r, what);
}

bool delete_azure_container(const AzureSettings& settings, const std::string& container,
                            http::HttpClientPool& pool) {
    AzureAccount account(settings);
    std::string what = "az://" + account.account() + "/" + container;
    http::Response r =
        send(pool, account.request("DELETE", account.url(container, nullptr, "restype=container")),
             what);
    if (r.ok()) return true;
    if (r.status == 404 && r.header("x-ms-error-code").value_or("") == "ContainerNotFound")
        return false;
    fail(r, what);
}

}  // namespace ri::storage
