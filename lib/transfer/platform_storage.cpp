#include "transfer/platform_storage.hpp"

#include "core/log.hpp"
#include "platform/platform_client.hpp"
#include "storage/backend_factory.hpp"
#include "storage/storage_error.hpp"

namespace ri::transfer {
namespace {

std::string fingerprint(const platform::StorageTarget& t) {
    const auto& p = t.profile;
    return p.s3.access_key + '\n' + p.s3.secret_key + '\n' + p.s3.session_token + '\n' +
           p.azure.account_key + '\n' + p.azure.sas_token + '\n' + t.bucket + '\n' + t.account;
}

}  // namespace

RefreshingBackend::RefreshingBackend(TargetFn target, std::shared_ptr<http::HttpClientPool> pool)
    : target_fn_(std::move(target)), pool_(std::move(pool)) {
    current();
}

std::shared_ptr<storage::Backend> RefreshingBackend::current(bool force) {
    // The client's credential cache answers from memory until 5 minutes before expiry.
    platform::StorageTarget t = target_fn_(force);
    std::string fp = fingerprint(t);
    std::lock_guard lock(mutex_);
    if (!backend_ || fp != fingerprint_) {
        if (backend_) log::info("storage credentials refreshed for {}", t.object_url().bucket);
        backend_ = storage::make_backend(t.object_url(), t.profile, pool_);
        fingerprint_ = std::move(fp);
        target_ = std::move(t);
    }
    return backend_;
}

platform::StorageTarget RefreshingBackend::target() const {
    std::lock_guard lock(mutex_);
    return target_;
}

template <typename F>
auto RefreshingBackend::with_backend(F&& f) -> decltype(f(std::declval<storage::Backend&>())) {
    auto b = current();
    try {
        return f(*b);
    } catch (const storage::StorageError& e) {
        // Expired or revoked credentials: ask the platform for new ones once.
        if (e.http_status() != 401 && e.http_status() != 403) throw;
        log::info("storage refused the credentials ({}); asking the platform for new ones",
                  e.http_status());
        auto fresh = current(true);
        return f(*fresh);
    }
}

std::string RefreshingBackend::scheme() const {
    std::lock_guard lock(mutex_);
    return backend_->scheme();
}
std::string RefreshingBackend::url_of(const std::string& key) const {
    std::lock_guard lock(mutex_);
    return backend_->url_of(key);
}
storage::Limits RefreshingBackend::limits() const {
    std::lock_guard lock(mutex_);
    return backend_->limits();
}
std::optional<storage::ObjectInfo> RefreshingBackend::head(const std::string& key) {
    return with_backend([&](storage::Backend& b) { return b.head(key); });
}
storage::ObjectInfo RefreshingBackend::get(const std::string& key,
                                           std::optional<storage::ByteRange> range,
                                           const storage::Sink& sink) {
    return with_backend([&](storage::Backend& b) { return b.get(key, range, sink); });
}
storage::ObjectInfo RefreshingBackend::put(const std::string& key, std::span<const std::byte> body,
                                           const storage::Metadata& metadata) {
    return with_backend([&](storage::Backend& b) { return b.put(key, body, metadata); });
}
std::string RefreshingBackend::create_multipart(const std::string& key,
                                                const storage::Metadata& metadata) {
    return with_backend([&](storage::Backend& b) { return b.create_multipart(key, metadata); });
}
std::string RefreshingBackend::upload_part(const std::string& key, const std::string& upload_id,
                                           int part_number, std::span<const std::byte> body) {
    return with_backend(
        [&](storage::Backend& b) { return b.upload_part(key, upload_id, part_number, body); });
}
storage::ObjectInfo RefreshingBackend::complete_multipart(
    const std::string& key, const std::string& upload_id,
    const std::vector<storage::PartInfo>& parts, const storage::Metadata& metadata) {
    return with_backend(
        [&](storage::Backend& b) { return b.complete_multipart(key, upload_id, parts, metadata); });
}
void RefreshingBackend::abort_multipart(const std::string& key, const std::string& upload_id) {
    with_backend([&](storage::Backend& b) {
        b.abort_multipart(key, upload_id);
        return 0;
    });
}
std::vector<storage::PartInfo> RefreshingBackend::list_parts(const std::string& key,
                                                             const std::string& upload_id) {
    return with_backend([&](storage::Backend& b) { return b.list_parts(key, upload_id); });
}
std::vector<storage::UploadInfo> RefreshingBackend::list_multipart_uploads(
    const std::string& prefix) {
    return with_backend([&](storage::Backend& b) { return b.list_multipart_uploads(prefix); });
}
storage::ListPage RefreshingBackend::list(const std::string& prefix, const std::string& delimiter,
                                          const std::string& token, int max_keys) {
    return with_backend(
        [&](storage::Backend& b) { return b.list(prefix, delimiter, token, max_keys); });
}
std::vector<storage::DeleteResult> RefreshingBackend::delete_objects(
    const std::vector<std::string>& keys) {
    return with_backend([&](storage::Backend& b) { return b.delete_objects(keys); });
}
storage::ObjectInfo RefreshingBackend::copy(const std::string& source_key,
                                            const std::string& dest_key,
                                            storage::MetadataDirective directive,
                                            const storage::Metadata& metadata) {
    return with_backend(
        [&](storage::Backend& b) { return b.copy(source_key, dest_key, directive, metadata); });
}

std::unique_ptr<RefreshingBackend> upload_backend(platform::PlatformClient& client,
                                                  std::shared_ptr<http::HttpClientPool> pool) {
    return std::make_unique<RefreshingBackend>(
        [&client](bool force) { return client.upload_target(force); }, std::move(pool));
}

std::unique_ptr<RefreshingBackend> file_backend(platform::PlatformClient& client,
                                                const platform::CloudFile& file,
                                                std::shared_ptr<http::HttpClientPool> pool) {
    return std::make_unique<RefreshingBackend>(
        [&client, file](bool force) { return client.file_target(file, force); }, std::move(pool));
}

}  // namespace ri::transfer
