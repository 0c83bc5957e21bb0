// Storage backends for platform transfers, on credentials the platform hands out (reference
// §2.1): the user's default storage for uploads, a file's own storage (per-file credentials,
// Azure per-blob SAS) for downloads. The credentials expire (S3 session keys after about 15
// minutes, Azure SAS at their `expiration`): a RefreshingBackend asks the platform client
// (whose cache refreshes 5 minutes before expiry) before each call and reopens the store when
// the credentials changed, and on a 401/403 from the store it forces one refresh and retries,
// so a transfer longer than the credentials' lifetime keeps going.
#pragma once

#include <functional>
#include <memory>
#include <mutex>

#include "http/http_client.hpp"
#include "platform/storage_target.hpp"
#include "storage/backend.hpp"

namespace ri::platform {
class PlatformClient;
}

namespace ri::transfer {

class RefreshingBackend : public storage::Backend {
  public:
    // target(force_refresh): where the data lives and the credentials to reach it.
    using TargetFn = std::function<platform::StorageTarget(bool force_refresh)>;
    RefreshingBackend(TargetFn target, std::shared_ptr<http::HttpClientPool> pool);

    std::string scheme() const override;
    std::string url_of(const std::string& key) const override;
    storage::Limits limits() const override;
    std::optional<storage::ObjectInfo> head(const std::string& key) override;
    storage::ObjectInfo get(const std::string& key, std::optional<storage::ByteRange> range,
                            const storage::Sink& sink) override;
    storage::ObjectInfo put(const std::string& key, std::span<const std::byte> body,
                            const storage::Metadata& metadata) override;
    std::string create_multipart(const std::string& key,
                                 const storage::Metadata& metadata) override;
    std::string upload_part(const std::string& key, const std::string& upload_id, int part_number,
                            std::span<const std::byte> body) override;
    storage::ObjectInfo complete_multipart(const std::string& key, const std::string& upload_id,
                                           const std::vector<storage::PartInfo>& parts,
                                           const storage::Metadata& metadata) override;
    void abort_multipart(const std::string& key, const std::string& upload_id) override;
    std::vector<storage::PartInfo> list_parts(const std::string& key,
                                              const std::string& upload_id) override;
    std::vector<storage::UploadInfo> list_multipart_uploads(const std::string& prefix) override;
    storage::ListPage list(const std::string& prefix, const std::string& delimiter,
                           const std::string& token, int max_keys) override;
    std::vector<storage::DeleteResult> delete_objects(
        const std::vector<std::string>& keys) override;
    storage::ObjectInfo copy(const std::string& source_key, const std::string& dest_key,
                             storage::MetadataDirective directive,
                             const storage::Metadata& metadata) override;

    // The target as last fetched (bucket, key prefix...).
    platform::StorageTarget target() const;

  private:
    std::shared_ptr<storage::Backend> current(bool force = false);
    template <typename F>
    auto with_backend(F&& f) -> decltype(f(std::declval<storage::Backend&>()));

    TargetFn target_fn_;
    std::shared_ptr<http::HttpClientPool> pool_;
    mutable std::mutex mutex_;
    platform::StorageTarget target_;
    std::string fingerprint_;  // which credentials backend_ was opened with
    std::shared_ptr<storage::Backend> backend_;
};

// The user's default storage, where uploads go.
std::unique_ptr<RefreshingBackend> upload_backend(platform::PlatformClient& client,
                                                  std::shared_ptr<http::HttpClientPool> pool);
// The storage of an existing file (its storage id and container, per-file credentials).
std::unique_ptr<RefreshingBackend> file_backend(platform::PlatformClient& client,
                                                const platform::CloudFile& file,
                                                std::shared_ptr<http::HttpClientPool> pool);

}  // namespace ri::transfer
