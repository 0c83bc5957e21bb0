#include "transfer/transfer_state.hpp"

#include <fmt/format.h>

#include <chrono>

#include "core/error.hpp"
#include "core/time_text.hpp"

namespace ri::transfer {
namespace {

std::string now_iso() {
    return time_text::iso8601(std::chrono::system_clock::now());
}

UploadRecord read_upload(Statement& q) {
    UploadRecord r;
    r.id = q.column_int(0);
    r.source = q.column_text(1);
    r.size = static_cast<uint64_t>(q.column_int(2));
    r.mtime_ns = q.column_int(3);
    r.dest = q.column_text(4);
    r.upload_id = q.column_text(5);
    r.part_size = static_cast<uint64_t>(q.column_int(6));
    r.parts = static_cast<int>(q.column_int(7));
    r.encrypted = q.column_int(8) != 0;
    r.key_b64 = q.column_text(9);
    r.iv_b64 = q.column_text(10);
    return r;
}

constexpr const char* kUploadColumns =
    "id, source, size, mtime_ns, dest, upload_id, part_size, parts, encrypted, key_b64, iv_b64";

}  // namespace

std::optional<UploadRecord> TransferState::find_upload(const std::string& source,
                                                       const std::string& dest) {
    std::lock_guard lock(mutex_);
    auto q = store_.prepare(
        fmt::format("SELECT {} FROM uploads WHERE source = ? AND dest = ?", kUploadColumns));
    q.bind(1, source).bind(2, dest);
    if (!q.step()) return std::nullopt;
    return read_upload(q);
}

std::vector<UploadRecord> TransferState::uploads_to(const std::string& dest_prefix) {
    std::lock_guard lock(mutex_);
    auto q = store_.prepare(
        fmt::format("SELECT {} FROM uploads WHERE substr(dest, 1, ?) = ?", kUploadColumns));
    q.bind(1, static_cast<int64_t>(dest_prefix.size())).bind(2, dest_prefix);
    std::vector<UploadRecord> out;
    while (q.step())
        out.push_back(read_upload(q));
    return out;
}

int64_t TransferState::insert_upload(const UploadRecord& r) {
    std::lock_guard lock(mutex_);
    std::string now = now_iso();
    int64_t id = 0;
    store_.transaction([&] {
        store_.prepare("DELETE FROM uploads WHERE source = ? AND dest = ?")
            .bind(1, r.source)
            .bind(2, r.dest)
            .run();
        store_
            .prepare(
                "INSERT INTO uploads (source, size, mtime_ns, dest, upload_id, part_size, parts, "
                "encrypted, key_b64, "
                "iv_b64, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")
            .bind(1, r.source)
            .bind(2, static_cast<int64_t>(r.size))
            .bind(3, r.mtime_ns)
            .bind(4, r.dest)
            .bind(5, r.upload_id)
            .bind(6, static_cast<int64_t>(r.part_size))
            .bind(7, static_cast<int64_t>(r.parts))
            .bind(8, int64_t{r.encrypted ? 1 : 0})
            .bind(9, r.key_b64)
            .bind(10, r.iv_b64)
            .bind(11, now)
            .bind(12, now)
            .run();
        auto q = store_.prepare("SELECT last_insert_rowid()");
        q.step();
        id = q.column_int(0);
    });
    return id;
}

void TransferState::record_part(int64_t upload, int number, const DonePart& part) {
    std::lock_guard lock(mutex_);
    store_
        .prepare(
            "INSERT OR REPLACE INTO upload_parts (upload, number, size, etag, chain_iv) VALUES "
            "(?,?,?,?,?)")
        .bind(1, upload)
        .bind(2, int64_t{number})
        .bind(3, static_cast<int64_t>(part.size))
        .bind(4, part.etag)
        .bind(5, part.chain_iv_b64)
        .run();
}

std::map<int, DonePart> TransferState::done_parts(int64_t upload) {
    std::lock_guard lock(mutex_);
    auto q =
        store_.prepare("SELECT number, size, etag, chain_iv FROM upload_parts WHERE upload = ?");
    q.bind(1, upload);
    std::map<int, DonePart> out;
    while (q.step()) {
        out[static_cast<int>(q.column_int(0))] = {static_cast<uint64_t>(q.column_int(1)),
                                                  q.column_text(2), q.column_text(3)};
    }
    return out;
}

void TransferState::forget_upload(int64_t upload) {
    std::lock_guard lock(mutex_);
    store_.prepare("DELETE FROM uploads WHERE id = ?").bind(1, upload).run();
}

std::optional<DownloadRecord> TransferState::find_download(const std::string& source,
                                                           const std::string& dest) {
    std::lock_guard lock(mutex_);
    auto q = store_.prepare(
        "SELECT id, source, dest, size, etag, part_size FROM downloads WHERE source = ? AND dest = "
        "?");
    q.bind(1, source).bind(2, dest);
    if (!q.step()) return std::nullopt;
    return DownloadRecord{q.column_int(0),  q.column_text(1),
                          q.column_text(2), static_cast<uint64_t>(q.column_int(3)),
                          q.column_text(4), static_cast<uint64_t>(q.column_int(5))};
}

int64_t TransferState::insert_download(const DownloadRecord& r) {
    std::lock_guard lock(mutex_);
    int64_t id = 0;
    store_.transaction([&] {
        store_.prepare("DELETE FROM downloads WHERE source = ? AND dest = ?")
            .bind(1, r.source)
            .bind(2, r.dest)
            .run();
        store_
            .prepare(
                "INSERT INTO downloads (source, dest, size, etag, part_size, created_at) VALUES "
                "(?,?,?,?,?,?)")
            .bind(1, r.source)
            .bind(2, r.dest)
            .bind(3, static_cast<int64_t>(r.size))
            .bind(4, r.etag)
            .bind(5, static_cast<int64_t>(r.part_size))
            .bind(6, now_iso())
            .run();
        auto q = store_.prepare("SELECT last_insert_rowid()");
        q.step();
        id = q.column_int(0);
    });
    return id;
}

void TransferState::record_download_part(int64_t download, int number) {
    std::lock_guard lock(mutex_);
    store_.prepare("INSERT OR IGNORE INTO download_parts (download, number) VALUES (?, ?)")
        .bind(1, download)
        .bind(2, int64_t{number})
        .run();
}

std::vector<int> TransferState::done_download_parts(int64_t download) {
    std::lock_guard lock(mutex_);
    auto q = store_.prepare("SELECT number FROM download_parts WHERE download = ? ORDER BY number");
    q.bind(1, download);
    std::vector<int> out;
    while (q.step())
        out.push_back(static_cast<int>(q.column_int(0)));
    return out;
}

void TransferState::forget_download(int64_t download) {
    std::lock_guard lock(mutex_);
    store_.prepare("DELETE FROM downloads WHERE id = ?").bind(1, download).run();
}

std::optional<PlatformUploadRecord> TransferState::find_platform_upload(const std::string& source,
                                                                        const std::string& target) {
    std::lock_guard lock(mutex_);
    auto q = store_.prepare(
        "SELECT id, source, target, size, mtime_ns, object_key, key_b64, stage, sha512, file_id "
        "FROM platform_uploads WHERE source = ? AND target = ?");
    q.bind(1, source).bind(2, target);
    if (!q.step()) return std::nullopt;
    PlatformUploadRecord r;
    r.id = q.column_int(0);
    r.source = q.column_text(1);
    r.target = q.column_text(2);
    r.size = static_cast<uint64_t>(q.column_int(3));
    r.mtime_ns = q.column_int(4);
    r.object_key = q.column_text(5);
    r.key_b64 = q.column_text(6);
    r.stage = q.column_text(7);
    r.sha512 = q.column_text(8);
    r.file_id = q.column_text(9);
    return r;
}

int64_t TransferState::insert_platform_upload(const PlatformUploadRecord& r) {
    std::lock_guard lock(mutex_);
    store_.prepare("DELETE FROM platform_uploads WHERE source = ? AND target = ?")
        .bind(1, r.source)
        .bind(2, r.target)
        .run();
    auto q = store_.prepare(
        "INSERT INTO platform_uploads (source, target, size, mtime_ns, object_key, key_b64, "
        "stage, sha512, file_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, r.source)
        .bind(2, r.target)
        .bind(3, static_cast<int64_t>(r.size))
        .bind(4, r.mtime_ns)
        .bind(5, r.object_key)
        .bind(6, r.key_b64)
        .bind(7, r.stage)
        .bind(8, r.sha512)
        .bind(9, r.file_id)
        .bind(10, now_iso());
    q.run();
    auto id = store_.prepare("SELECT last_insert_rowid()");
    id.step();
    return id.column_int(0);
}

void TransferState::set_platform_stage(int64_t id, const std::string& stage,
                                       const std::string& sha512, const std::string& file_id) {
    std::lock_guard lock(mutex_);
    store_.prepare("UPDATE platform_uploads SET stage = ?, sha512 = ?, file_id = ? WHERE id = ?")
        .bind(1, stage)
        .bind(2, sha512)
        .bind(3, file_id)
        .bind(4, id)
        .run();
}

void TransferState::forget_platform_upload(int64_t id) {
    std::lock_guard lock(mutex_);
    store_.prepare("DELETE FROM platform_uploads WHERE id = ?").bind(1, id).run();
}

}  // namespace ri::transfer
