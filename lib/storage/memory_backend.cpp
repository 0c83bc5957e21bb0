#include "storage/memory_backend.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstring>

#include "crypto/encoding.hpp"

namespace ri::storage {
namespace {

std::string md5_hex(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_md5(), nullptr);
    return crypto::to_hex({reinterpret_cast<const std::byte*>(md), len});
}

std::string as_string(std::span<const std::byte> body) {
    return std::string(reinterpret_cast<const char*>(body.data()), body.size());
}

StorageError not_found(const std::string& code, const std::string& what) {
    return storage_error("memory", what, 404, code, "not found");
}

}  // namespace

MemoryBackend::MemoryBackend(std::string scheme, Limits limits)
    : scheme_(std::move(scheme)), limits_(limits) {}

void MemoryBackend::fail_next(const std::string& operation, int times, long http_status,
                              std::string code) {
    std::lock_guard lock(mutex_);
    failures_[operation] = {times, {http_status, std::move(code)}};
}

int MemoryBackend::calls(const std::string& operation) const {
    std::lock_guard lock(mutex_);
    auto it = calls_.find(operation);
    return it == calls_.end() ? 0 : it->second;
}

std::string MemoryBackend::object_bytes(const std::string& key) const {
    std::lock_guard lock(mutex_);
    auto it = objects_.find(key);
    return it == objects_.end() ? std::string() : it->second.data;
}

void MemoryBackend::set_upload_initiated(const std::string& upload_id,
                                         const std::string& iso_time) {
    std::lock_guard lock(mutex_);
    uploads_.at(upload_id).initiated = iso_time;
}

void MemoryBackend::corrupt(const std::string& key) {
    std::lock_guard lock(mutex_);
    auto& data = objects_.at(key).data;
    if (!data.empty()) data[data.size() / 2] = static_cast<char>(data[data.size() / 2] ^ 0x5a);
}

void MemoryBackend::set_hook(std::function<void(const std::string&, int)> hook) {
    std::lock_guard lock(mutex_);
    hook_ = std::move(hook);
}

// Caller holds mutex_.
void MemoryBackend::count_and_maybe_fail(const std::string& operation) {
    int n = ++calls_[operation];
    if (hook_) hook_(operation, n);
    auto it = failures_.find(operation);
    if (it == failures_.end() || it->second.first <= 0) return;
    --it->second.first;
    auto [status, code] = it->second.second;
    if (status == 0)
        throw transport_storage_error("memory", operation, "injected connection reset", false,
                                      false);
    throw storage_error("memory", operation, status, code, "injected failure");
}

std::optional<ObjectInfo> MemoryBackend::head(const std::string& key) {
    std::lock_guard lock(mutex_);
    count_and_maybe_fail("head");
    auto it = objects_.find(key);
    if (it == objects_.end()) return std::nullopt;
    return ObjectInfo{
        key, it->second.data.size(), it->second.etag, it->second.last_modified, it->second.metadata,
        ""};
}

ObjectInfo MemoryBackend::get(const std::string& key, std::optional<ByteRange> range,
                              const Sink& sink) {
    std::string data;
    ObjectInfo info;
    {
        std::lock_guard lock(mutex_);
        count_and_maybe_fail("get");
        auto it = objects_.find(key);
        if (it == objects_.end()) throw not_found("NoSuchKey", url_of(key));
        data = it->second.data;
        info = {key, data.size(), it->second.etag, it->second.last_modified, it->second.metadata,
                ""};
    }
    uint64_t off = range ? range->offset : 0;
    uint64_t len = range ? range->length : data.size();
    if (off > data.size()) throw storage_error("memory", url_of(key), 416, "InvalidRange", "range");
    len = std::min<uint64_t>(len, data.size() - off);
    // Deliver in slices, as a network would.
    for (uint64_t done = 0; done < len;) {
        uint64_t n = std::min<uint64_t>(64 * 1024, len - done);
        sink(
            {reinterpret_cast<const std::byte*>(data.data() + off + done), static_cast<size_t>(n)});
        done += n;
    }
    return info;
}

ObjectInfo MemoryBackend::put(const std::string& key, std::span<const std::byte> body,
                              const Metadata& metadata) {
    std::lock_guard lock(mutex_);
    count_and_maybe_fail("put");
    Object o{as_string(body), metadata, md5_hex(as_string(body)), "2026-01-01T00:00:00Z"};
    objects_[key] = o;
    return {key, o.data.size(), o.etag, o.last_modified, metadata, ""};
}

std::string MemoryBackend::create_multipart(const std::string& key, const Metadata& metadata) {
    std::lock_guard lock(mutex_);
    count_and_maybe_fail("create_multipart");
    std::string id = fmt::format("upload-{}", next_upload_++);
    uploads_[id] = Upload{key, metadata, "2026-01-01T00:00:00Z", {}};
    return id;
}

std::string MemoryBackend::upload_part(const std::string& key, const std::string& upload_id,
                                       int part_number, std::span<const std::byte> body) {
    std::lock_guard lock(mutex_);
    count_and_maybe_fail("upload_part");
    auto it = uploads_.find(upload_id);
    if (it == uploads_.end() || it->second.key != key) throw not_found("NoSuchUpload", url_of(key));
    it->second.parts[part_number] = as_string(body);
    return md5_hex(it->second.parts[part_number]);
}

ObjectInfo MemoryBackend::complete_multipart(const std::string& key, const std::string& upload_id,
                                             const std::vector<PartInfo>& parts,
                                             const Metadata& metadata) {
    std::lock_guard lock(mutex_);
    count_and_maybe_fail("complete_multipart");
    auto it = uploads_.find(upload_id);
    if (it == uploads_.end() || it->second.key != key) throw not_found("NoSuchUpload", url_of(key));
    std::string data, etags;
    int expected = 1;
    for (const auto& p : parts) {
        auto part = it->second.parts.find(p.number);
        if (p.number != expected++ || part == it->second.parts.end() ||
            md5_hex(part->second) != p.etag) {
            throw storage_error("memory", url_of(key), 400, "InvalidPart",
                                fmt::format("part {}", p.number));
        }
        if (p.number != static_cast<int>(parts.size()) &&
            part->second.size() < limits_.min_part_size) {
            throw storage_error("memory", url_of(key), 400, "EntityTooSmall",
                                fmt::format("part {}", p.number));
        }
        data += part->second;
        etags += p.etag;
    }
    Metadata md = metadata.empty() ? it->second.metadata : metadata;
    Object o{data, md, fmt::format("{}-{}", md5_hex(etags), parts.size()), "2026-01-01T00:00:00Z"};
    objects_[key] = o;
    uploads_.erase(it);
    return {key, o.data.size(), o.etag, o.last_modified, md, ""};
}

void MemoryBackend::abort_multipart(const std::string& key, const std::string& upload_id) {
    std::lock_guard lock(mutex_);
    count_and_maybe_fail("abort_multipart");
    auto it = uploads_.find(upload_id);
    if (it == uploads_.end() || it->second.key != key) throw not_found("NoSuchUpload", url_of(key));
    uploads_.erase(it);
}

std::vector<PartInfo> MemoryBackend::list_parts(const std::string& key,
                                                const std::string& upload_id) {
    std::lock_guard lock(mutex_);
    count_and_maybe_fail("list_parts");
    auto it = uploads_.find(upload_id);
    if (it == uploads_.end() || it->second.key != key) throw not_found("NoSuchUpload", url_of(key));
    std::vector<PartInfo> out;
    for (const auto& [n, data] : it->second.parts)
        out.push_back({n, data.size(), md5_hex(data)});
    return out;
}

std::vector<UploadInfo> MemoryBackend::list_multipart_uploads(const std::string& prefix) {
    std::lock_guard lock(mutex_);
    count_and_maybe_fail("list_multipart_uploads");
    std::vector<UploadInfo> out;
    for (const auto& [id, u] : uploads_) {
        if (u.key.starts_with(prefix)) out.push_back({u.key, id, u.initiated});
    }
    return out;
}

ListPage MemoryBackend::list(const std::string& prefix, const std::string& delimiter,
                             const std::string& token, int max_keys) {
    std::lock_guard lock(mutex_);
    count_and_maybe_fail("list");
    ListPage page;
    std::string last_prefix;
    for (auto it = objects_.upper_bound(token); it != objects_.end(); ++it) {
        const std::string& key = it->first;
        if (!key.starts_with(prefix)) continue;
        if (static_cast<int>(page.objects.size() + page.common_prefixes.size()) >= max_keys) {
            page.next_token = std::prev(it)->first;
            break;
        }
        if (!delimiter.empty()) {
            size_t d = key.find(delimiter, prefix.size());
            if (d != std::string::npos) {
                std::string p = key.substr(0, d + delimiter.size());
                if (p != last_prefix) page.common_prefixes.push_back(last_prefix = p);
                continue;
            }
        }
        page.objects.push_back(
            {key, it->second.data.size(), it->second.etag, it->second.last_modified, {}, ""});
    }
    return page;
}

std::vector<DeleteResult> MemoryBackend::delete_objects(const std::vector<std::string>& keys) {
    std::lock_guard lock(mutex_);
    count_and_maybe_fail("delete_objects");
    std::vector<DeleteResult> out;
    for (const auto& k : keys) {
        objects_.erase(k);
        out.push_back({k, true, "", ""});
    }
    return out;
}

ObjectInfo MemoryBackend::copy(const std::string& source_key, const std::string& dest_key,
                               MetadataDirective directive, const Metadata& metadata) {
    std::lock_guard lock(mutex_);
    count_and_maybe_fail("copy");
    auto it = objects_.find(source_key);
    if (it == objects_.end()) throw not_found("NoSuchKey", url_of(source_key));
    Object o = it->second;
    if (directive == MetadataDirective::replace) o.metadata = metadata;
    objects_[dest_key] = o;
    return {dest_key, o.data.size(), o.etag, o.last_modified, o.metadata, ""};
}

}  // namespace ri::storage
