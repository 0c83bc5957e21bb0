// Files (v3 register after direct upload, v2 server-side encrypted contents), folders, tags and
// the trash bin.
#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "core/error.hpp"
#include "core/file.hpp"
#include "core/log.hpp"
#include "crypto/aes_cbc.hpp"
#include "crypto/encoding.hpp"
#include "crypto/file_decryptor.hpp"
#include "crypto/file_encryptor.hpp"
#include "crypto/key_material.hpp"
#include "sandbox/sandbox_impl.hpp"

namespace fs = std::filesystem;

namespace ri::sandbox {
namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char ch) { return std::tolower(ch); });
    return s;
}

std::string md5_of_file(const std::string& path) {
    File in = File::open_read(path);
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
    std::vector<std::byte> buf(1 << 20);
    for (;;) {
        size_t n = in.read_full(buf);
        if (n == 0) break;
        EVP_DigestUpdate(ctx, buf.data(), n);
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    return crypto::to_hex({reinterpret_cast<const std::byte*>(md), len});
}

// Stores a local file as one object (multipart above 64 MiB).
void put_file(storage::Backend& backend, const std::string& key, const std::string& path,
              const storage::Metadata& meta) {
    File in = File::open_read(path);
    uint64_t size = in.size();
    constexpr uint64_t part = 16u << 20;
    if (size <= (64u << 20)) {
        std::vector<std::byte> buf(size);
        in.read_full(buf);
        backend.put(key, buf, meta);
        return;
    }
    std::string upload = backend.create_multipart(key, meta);
    std::vector<storage::PartInfo> parts;
    std::vector<std::byte> buf(part);
    for (int n = 1;; ++n) {
        size_t got = in.read_full(buf);
        if (got == 0) break;
        std::string etag = backend.upload_part(key, upload, n, std::span(buf.data(), got));
        parts.push_back({n, got, etag});
    }
    backend.complete_multipart(key, upload, parts, meta);
}

// The MD5 of a stored object when the store vouches for one: its ETag when that is one (a single
// PUT), or Azure's Content-MD5; "" when the object must be read (read_md5).
std::string known_md5(const storage::ObjectInfo& info) {
    if (info.etag.size() == 32 &&
        info.etag.find_first_not_of("0123456789abcdef") == std::string::npos)
        return info.etag;
    if (auto raw = crypto::base64_decode(info.content_md5); raw && raw->size() == 16)
        return crypto::to_hex(*raw);
    return "";
}

// The object read through MD5; stop() is asked as the bytes arrive (true: give up, throws).
std::string read_md5(storage::Backend& backend, const std::string& key,
                     const std::function<bool()>& stop) {
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_md5(), nullptr);
    try {
        backend.get(key, std::nullopt, [&](std::span<const std::byte> data) {
            if (stop()) throw Error::interrupted("the sandbox is stopping");
            EVP_DigestUpdate(ctx, data.data(), data.size());
        });
    } catch (...) {
        EVP_MD_CTX_free(ctx);
        throw;
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx, md, &len);
    EVP_MD_CTX_free(ctx);
    return crypto::to_hex({reinterpret_cast<const std::byte*>(md), len});
}

uint64_t expected_object_size(uint64_t plain, const storage::Metadata& meta) {
    auto fv = meta.find("formatversion");
    auto ps = meta.find("partsize");
    if (fv != meta.end() && fv->second == "1" && ps != meta.end()) {
        uint64_t part = std::stoull(ps->second);
        if (part == 0) return crypto::padded_size(plain);
        uint64_t full = plain / part, rest = plain % part, total = full * crypto::padded_size(part);
        if (rest || plain == 0) total += crypto::padded_size(rest);
        return total;
    }
    return crypto::padded_size(plain);
}

Json folder_item(const FolderRow& f) {
    return Json{{"id", f.id},
                {"name", f.name},
                {"dateCreated", f.date_created},
                {"dateInserted", f.date_created},
                {"parentFolderId", f.parent.empty() ? Json(nullptr) : Json(f.parent)}};
}

}  // namespace

std::vector<FileRow> Server::Impl::files_where(const std::string& where,
                                               const std::vector<std::string>& args) {
    std::lock_guard dbl(db_mu);
    auto q = db->prepare(
        "SELECT id, owner, IFNULL(folder,''), name, type_id, date_uploaded, trashed, "
        "IFNULL(job_id,''), doc FROM files WHERE " +
        where);
    for (size_t i = 0; i < args.size(); ++i)
        q.bind(static_cast<int>(i + 1), args[i]);
    std::vector<FileRow> out;
    while (q.step()) {
        FileRow f;
        f.id = q.column_text(0);
        f.owner = q.column_text(1);
        f.folder = q.column_text(2);
        f.name = q.column_text(3);
        f.type_id = static_cast<int>(q.column_int(4));
        f.date_uploaded = q.column_text(5);
        f.trashed = q.column_int(6) != 0;
        f.job_id = q.column_text(7);
        f.doc = Json::parse(q.column_text(8));
        out.push_back(std::move(f));
    }
    return out;
}

std::optional<FileRow> Server::Impl::find_file(const std::string& owner, const std::string& id) {
    auto rows = files_where("id = ?1 AND owner = ?2", {id, owner});
    if (rows.empty()) return std::nullopt;
    return rows[0];
}

void Server::Impl::queue_md5(const std::string& file_id) {
    {
        std::lock_guard lock(md5_mu);
        md5_queue.push_back(file_id);
    }
    md5_cv.notify_one();
}

void Server::Impl::start_md5_worker() {
    for (const auto& f : files_where("json_extract(doc, '$.md5') = '' AND job_id IS NULL", {}))
        queue_md5(f.id);
    md5_worker = std::thread([this] {
        while (!stopping) {
            std::string id;
            {
                std::unique_lock lock(md5_mu);
                md5_cv.wait_for(lock, std::chrono::milliseconds(200),
                                [this] { return stopping.load() || !md5_queue.empty(); });
                if (stopping || md5_queue.empty()) continue;
                id = md5_queue.front();
                md5_queue.pop_front();
            }
            try {
                auto rows = files_where("id = ?1", {id});
                if (rows.empty()) continue;  // deleted meanwhile
                std::string path = rows[0].doc["pathParts"].value("path", "");
                std::string md5 = read_md5(*backend, path, [this] { return stopping.load(); });
                std::lock_guard dbl(db_mu);
                auto q =
                    db->prepare("UPDATE files SET doc = json_set(doc, '$.md5', ?1) WHERE id = ?2");
                q.bind(1, md5).bind(2, id);
                q.step();
            } catch (const std::exception& e) {
                if (!stopping) log::warn("sandbox: the MD5 of file {}: {}", id, e.what());
            }
        }
    });
}

void Server::Impl::save_file(const FileRow& f) {
    std::lock_guard dbl(db_mu);
    auto q = db->prepare(
        "INSERT INTO files(id, owner, folder, name, type_id, date_uploaded, trashed, job_id, doc) "
        "VALUES(?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET folder=excluded.folder, "
        "name=excluded.name, "
        "type_id=excluded.type_id, trashed=excluded.trashed, job_id=excluded.job_id, "
        "doc=excluded.doc");
    q.bind(1, f.id).bind(2, f.owner);
    if (f.folder.empty())
        q.bind_null(3);
    else
        q.bind(3, f.folder);
    q.bind(4, f.name)
        .bind(5, int64_t{f.type_id})
        .bind(6, f.date_uploaded)
        .bind(7, int64_t{f.trashed ? 1 : 0});
    if (f.job_id.empty())
        q.bind_null(8);
    else
        q.bind(8, f.job_id);
    q.bind(9, f.doc.dump());
    q.run();
}

void Server::Impl::delete_file_row(const FileRow& f, bool delete_object) {
    {
        std::lock_guard dbl(db_mu);
        db->prepare("DELETE FROM files WHERE id = ?").bind(1, f.id).run();
        db->prepare("DELETE FROM tags WHERE kind = 'file' AND item = ?").bind(1, f.id).run();
    }
    std::error_code ec;
    fs::remove(fs::path(opt.data_dir) / "cache" / f.id, ec);
    if (delete_object) {
        try {
            backend->delete_objects({f.doc["pathParts"].value("path", "")});
        } catch (const std::exception&) {
            // The record is gone; a stray object is harmless.
        }
    }
}

std::optional<FolderRow> Server::Impl::find_folder(const std::string& owner,
                                                   const std::string& id) {
    std::lock_guard dbl(db_mu);
    auto q = db->prepare(
        "SELECT id, owner, IFNULL(parent,''), name, date_created, trashed FROM folders "
        "WHERE id = ? AND owner = ?");
    q.bind(1, id).bind(2, owner);
    if (!q.step()) return std::nullopt;
    return FolderRow{q.column_text(0), q.column_text(1), q.column_text(2),
                     q.column_text(3), q.column_text(4), q.column_int(5) != 0};
}

Json Server::Impl::tags_of(const std::string& kind, const std::string& id) {
    std::lock_guard dbl(db_mu);
    auto q = db->prepare("SELECT name FROM tags WHERE kind = ? AND item = ? ORDER BY name");
    q.bind(1, kind).bind(2, id);
    Json out = Json::array();
    while (q.step()) {
        std::string n = q.column_text(0);
        out.push_back({{"name", n}, {"normalizedName", lower(n)}});
    }
    return out;
}

void Server::Impl::routes_tags(const std::string& kind, const std::string& pattern,
                               std::function<bool(Ctx&)> exists) {
    on("GET", pattern, [this, kind, exists](Ctx& c) {
        if (!exists(c)) not_found();
        c.json(200, tags_of(kind, c.arg(1)));
    });
    // Runs sql with (kind, item, the tag named in the body) and returns that name; POST also
    // refuses an empty name, as the platform does.
    auto change = [this, kind, exists](Ctx& c, const char* sql, bool non_empty) {
        if (!exists(c)) not_found();
        Json b = c.body();
        if (!b.is_object() || !b.contains("name") || !b["name"].is_string() ||
            (non_empty && b["name"].get<std::string>().empty()))
            fail_fields(400, {{"name", {"This field is required."}}});
        std::string name = b["name"].get<std::string>();
        std::lock_guard dbl(db_mu);
        db->prepare(sql).bind(1, kind).bind(2, c.arg(1)).bind(3, name).run();
        return name;
    };
    on("POST", pattern, [change](Ctx& c) {
        std::string name =
            change(c, "INSERT OR IGNORE INTO tags(kind, item, name) VALUES(?, ?, ?)", true);
        c.json(201, {{"name", name}, {"normalizedName", lower(name)}});
    });
    on("DELETE", pattern, [change](Ctx& c) {
        change(c, "DELETE FROM tags WHERE kind = ? AND item = ? AND name = ?", false);
        c.res.status = 204;
    });
}

Json Server::Impl::file_json(const FileRow& f, const std::string& base) {
    const User* owner = user_by_id(f.owner);
    Json j;
    j["id"] = f.id;
    j["name"] = f.name;
    j["typeId"] = f.type_id;
    j["isUploaded"] = f.doc.value("isUploaded", true);
    j["owner"] = owner ? owner->email : f.owner;
    j["path"] = f.doc["pathParts"].value("path", "");
    j["encodedEncryptionKey"] = f.doc.value("encodedEncryptionKey", "");
    j["pathParts"] = f.doc["pathParts"];
    j["storage"] = owner ? storage_json(*owner) : Json(nullptr);
    j["decryptedSize"] = f.doc.value("decryptedSize", uint64_t{0});
    j["fileChecksums"] = f.doc.value("fileChecksums", Json::array());
    Json tags = Json::array();
    for (const auto& t : tags_of("file", f.id))
        tags.push_back(t["name"]);
    j["userTags"] = tags;
    j["dateUploaded"] = f.date_uploaded;
    j["relativePath"] = f.doc.value("relativePath", f.name);
    j["downloadUrl"] = base + "/api/v2/files/" + f.id + "/contents/";
    j["isDeleted"] = false;
    j["md5"] = f.doc.value("md5", "");
    j["sharedWith"] = Json::array();
    j["viewInBrowser"] = j["decryptedSize"].get<uint64_t>() <= (1u << 20);
    return j;
}

FileRow Server::Impl::store_plaintext_file(const User& u, const std::string& local_path,
                                           const std::string& name, const std::string& key,
                                           int type_id) {
    crypto::SecureBuffer k = crypto::random_secret(crypto::kAesKeySize);
    crypto::SecureBuffer iv = crypto::random_secret(crypto::kAesBlockSize);
    std::string enc_path = (fs::path(opt.data_dir) / "cache" / ("enc-" + random_id(12))).string();
    crypto::EncryptResult r;
    {
        File in = File::open_read(local_path);
        File out = File::create(enc_path, 0600);
        r = crypto::encrypt_file(in, out, k.span(), iv.span());
    }
    std::string iv_b64 = crypto::base64_encode(iv.span());
    std::string md5;
    try {
        put_file(*backend, key, enc_path, {{"iv", iv_b64}});
        md5 = md5_of_file(enc_path);
    } catch (...) {
        fs::remove(enc_path);
        throw;
    }
    fs::remove(enc_path);
    FileRow f;
    f.id = random_id(6);
    f.owner = u.id;
    f.name = name;
    f.type_id = type_id;
    f.date_uploaded = now_iso();
    f.doc =
        Json{{"encodedEncryptionKey", crypto::base64_encode(k.span())},
             {"iv", iv_b64},
             {"pathParts", {{"container", st.container}, {"path", key}}},
             {"decryptedSize", r.size},
             {"fileChecksums", Json::array({{{"hashFunction", "sha512"}, {"fileHash", r.sha512}}})},
             {"md5", md5},
             {"relativePath", name},
             {"isUploaded", true}};
    return f;
}

void Server::Impl::fetch_plaintext(const FileRow& f, const std::string& dest) {
    std::string enc_path = dest + ".enc";
    storage::ObjectInfo info;
    {
        File out = File::create(enc_path, 0600);
        info = backend->get(f.doc["pathParts"].value("path", ""), std::nullopt,
                            [&](std::span<const std::byte> data) { out.write_all(data); });
    }
    auto key = crypto::base64_decode(f.doc.value("encodedEncryptionKey", ""));
    if (!key || key->size() != crypto::kAesKeySize) {
        fs::remove(enc_path);
        throw Error::bad_data("The file's encryption key is not valid.");
    }
    try {
        File in = File::open_read(enc_path);
        File out = File::create(dest, 0600);
        crypto::DecryptOptions o;
        o.hash = false;
        o.threads = 1;
        auto fv = info.metadata.find("formatversion");
        if (fv != info.metadata.end() && fv->second == "1") {
            auto file_id = crypto::base64_decode(info.metadata.at("fileid"));
            crypto::HkdfFormat h{*key, *file_id, std::stoull(info.metadata.at("partsize"))};
            crypto::decrypt_hkdf_file(in, out, h, o);
        } else {
            std::string iv_text =
                info.metadata.count("iv") ? info.metadata.at("iv") : f.doc.value("iv", "");
            auto iv = crypto::base64_decode(iv_text);
            if (!iv || iv->size() != crypto::kAesBlockSize)
                throw Error::bad_data("The object has no valid iv metadata.");
            crypto::decrypt_cbc_file(in, out, *key, *iv, o);
        }
    } catch (...) {
        fs::remove(enc_path);
        std::error_code ec;
        fs::remove(dest, ec);
        throw;
    }
    fs::remove(enc_path);
}

std::string Server::Impl::plaintext_cache(const FileRow& f) {
    fs::path path = fs::path(opt.data_dir) / "cache" / f.id;
    if (fs::exists(path)) return path.string();
    std::string tmp = path.string() + ".partial-" + random_id(8);
    fetch_plaintext(f, tmp);
    fs::rename(tmp, path);
    return path.string();
}

void Server::Impl::routes_files() {
    // ---- v3 register after a direct upload
    on("POST", "/api/v3/files/", [this](Ctx& c) {
        Json b = c.body();
        if (!b.is_object()) fail(400, "Expected a JSON object.");
        Json errors = Json::object();
        auto need = [&](const char* field) {
            if (!b.contains(field) || b[field].is_null())
                errors[field] = {"This field is required."};
        };
        need("name");
        need("pathParts");
        need("encodedEncryptionKey");
        need("decryptedSize");
        if (!errors.empty()) fail_fields(400, errors);
        if (!b["name"].is_string() || b["name"].get<std::string>().empty())
            errors["name"] = {"Not a valid string."};
        if (!b["decryptedSize"].is_number_unsigned() && !b["decryptedSize"].is_number_integer())
            errors["decryptedSize"] = {"A valid integer is required."};
        auto key = b["encodedEncryptionKey"].is_string()
                       ? crypto::base64_decode(b["encodedEncryptionKey"].get<std::string>())
                       : std::nullopt;
        if (!key || key->size() != 32)
            errors["encodedEncryptionKey"] = {"Must be the base64 of a 32-byte key."};
        const Json& pp = b["pathParts"];
        std::string path = pp.is_object() ? pp.value("path", "") : "";
        if (!pp.is_object() || pp.value("container", "") != st.container || path.empty())
            errors["pathParts"] = {
                fmt::format("Must name container '{}' and a path.", st.container)};
        else if (path.rfind(c.user.path_base + "/", 0) != 0)
            errors["pathParts"] = {fmt::format(
                "The path must be under your storage's pathBase '{}'.", c.user.path_base)};
        if (b.contains("storage") && b["storage"].is_object() && b["storage"].contains("id") &&
            b["storage"]["id"] != c.user.doc["storageId"])
            errors["storage"] = {"Unknown storage."};
        std::string folder =
            b.value("currentFolderId", c.user.doc["folders"]["myLibrary"].get<std::string>());
        auto fo = find_folder(c.user.id, folder);
        if (!fo || fo->trashed || folder == c.user.doc["folders"]["trash"])
            errors["currentFolderId"] = {"Invalid folder."};
        if (!errors.empty()) fail_fields(400, errors);
        int64_t plain = b["decryptedSize"].get<int64_t>();
        if (plain < 0) fail_fields(400, {{"decryptedSize", {"Must be 0 or more."}}});
        auto info = backend->head(path);
        if (!info)
            fail_fields(400, {{"pathParts", {fmt::format("No object at '{}' in storage.", path)}}});
        uint64_t want = expected_object_size(static_cast<uint64_t>(plain), info->metadata);
        if (info->size != want)
            fail_fields(
                400,
                {{"decryptedSize",
                  {fmt::format("The object has {} bytes; an encrypted file of {} bytes has {}.",
                               info->size, plain, want)}}});
        std::lock_guard dbl(db_mu);
        if (!files_where("owner = ?1 AND folder = ?2 AND name = ?3 AND trashed = 0",
                         {c.user.id, folder, b["name"].get<std::string>()})
                 .empty())
            fail(409, "A file with this name already exists");
        FileRow f;
        f.id = random_id(6);
        f.owner = c.user.id;
        f.folder = folder;
        f.name = b["name"];
        f.type_id = b.value("typeId", 1);
        f.date_uploaded = now_iso();
        f.doc = Json{{"encodedEncryptionKey", b["encodedEncryptionKey"]},
                     {"pathParts", {{"container", st.container}, {"path", path}}},
                     {"decryptedSize", plain},
                     {"fileChecksums", b.value("fileChecksums", Json::array())},
                     {"md5", known_md5(*info)},
                     {"relativePath", b.value("relativePath", f.name)},
                     {"isUploaded", b.value("isUploaded", true)}};
        if (info->metadata.count("iv")) f.doc["iv"] = info->metadata.at("iv");
        save_file(f);
        if (f.doc["md5"].get<std::string>().empty()) queue_md5(f.id);
        c.json(201, file_json(f, c.base_url()));
    });

    auto list = [this](Ctx& c) {
        std::string search = lower(c.param("search"));
        std::vector<Json> items;
        for (const auto& f : files_where("owner = ?1 AND trashed = 0", {c.user.id})) {
            if (!search.empty() && lower(f.name).find(search) == std::string::npos) continue;
            if (c.req.has_param("type_id") && std::to_string(f.type_id) != c.param("type_id"))
                continue;
            items.push_back(file_json(f, c.base_url()));
        }
        order_by(items, c.param("ordering", "-dateUploaded"));
        c.json(200, paginate(c, items));
    };
    on("GET", "/api/v3/files/", list);
    on("GET", "/api/v2/files/", list);

    auto get = [this](Ctx& c) {
        auto f = find_file(c.user.id, c.arg(1));
        if (!f) not_found();
        c.json(200, file_json(*f, c.base_url()));
    };
    auto del = [this](Ctx& c) {
        auto f = find_file(c.user.id, c.arg(1));
        if (!f) not_found();
        delete_file_row(*f, true);
        c.res.status = 204;
    };
    auto patch = [this](Ctx& c) {
        std::lock_guard dbl(db_mu);
        auto f = find_file(c.user.id, c.arg(1));
        if (!f) not_found();
        Json b = c.body();
        if (!b.is_object()) fail(400, "Expected a JSON object.");
        if (b.contains("currentFolderId")) {
            std::string folder =
                b["currentFolderId"].is_string() ? b["currentFolderId"].get<std::string>() : "";
            auto fo = find_folder(c.user.id, folder);
            if (!fo || fo->trashed) fail_fields(400, {{"currentFolderId", {"Invalid folder."}}});
            f->folder = folder;
        }
        if (b.contains("name")) {
            if (!b["name"].is_string() || b["name"].get<std::string>().empty())
                fail_fields(400, {{"name", {"Not a valid string."}}});
            f->name = b["name"];
        }
        if (b.contains("typeId") && b["typeId"].is_number_integer()) f->type_id = b["typeId"];
        if (!f->folder.empty() &&
            !files_where("owner = ?1 AND folder = ?2 AND name = ?3 AND trashed = 0 AND id != ?4",
                         {c.user.id, f->folder, f->name, f->id})
                 .empty())
            fail(409, "A file with this name already exists");
        save_file(*f);
        c.json(200, file_json(*f, c.base_url()));
    };
    for (const char* v : {"v2", "v3"}) {
        std::string p = fmt::format("/api/{}/files/([A-Za-z0-9]+)/", v);
        on("GET", p, get);
        on("DELETE", p, del);
        on("PATCH", p, patch);
    }

    // ---- tags
    routes_tags("file", "/api/v3/files/([A-Za-z0-9]+)/tags/",
                [this](Ctx& c) { return find_file(c.user.id, c.arg(1)).has_value(); });

    // ---- v2 contents: the server encrypts on upload and decrypts on download
    auto upload = [this](Ctx& c) {
        if (!c.req.has_file("file")) fail_fields(400, {{"file", {"No file was submitted."}}});
        auto part = c.req.get_file_value("file");
        std::string name =
            part.filename.empty() ? "upload" : fs::path(part.filename).filename().string();
        int type_id = 1;
        if (c.req.has_file("type_id")) {
            try {
                type_id = std::stoi(c.req.get_file_value("type_id").content);
            } catch (const std::exception&) {
                fail_fields(400, {{"type_id", {"A valid integer is required."}}});
            }
        }
        std::string tmp = (fs::path(opt.data_dir) / "cache" / ("up-" + random_id(12))).string();
        {
            File out = File::create(tmp, 0600);
            out.write_all(std::as_bytes(std::span(part.content.data(), part.content.size())));
        }
        FileRow f;
        try {
            f = store_plaintext_file(c.user, tmp, name,
                                     c.user.path_base + "/" + name + "-" + random_id(22), type_id);
        } catch (...) {
            fs::remove(tmp);
            throw;
        }
        f.folder = c.user.doc["folders"]["myLibrary"];
        save_file(f);
        std::error_code ec;
        fs::rename(tmp, fs::path(opt.data_dir) / "cache" / f.id, ec);
        if (ec) fs::remove(tmp, ec);
        c.json(201, file_json(f, c.base_url()));
    };
    on("POST", "/api/v2/files/contents/", upload);
    on("PUT", "/api/v2/files/contents/", upload);

    on("GET", "/api/v2/files/([A-Za-z0-9]+)/contents/", [this](Ctx& c) {
        auto f = find_file(c.user.id, c.arg(1));
        if (!f) not_found();
        auto file = std::make_shared<File>(File::open_read(plaintext_cache(*f)));
        uint64_t size = file->size();
        c.res.set_header("Content-Disposition",
                         fmt::format("attachment; filename=\"{}\"", f->name));
        c.res.set_header("Accept-Ranges", "bytes");
        c.res.set_content_provider(size, "application/octet-stream",
                                   [file](size_t offset, size_t length, httplib::DataSink& sink) {
                                       std::vector<char> buf(std::min<size_t>(length, 1 << 20));
                                       size_t n = file->pread_full(
                                           std::as_writable_bytes(std::span(buf)), offset);
                                       if (n == 0) return false;
                                       return sink.write(buf.data(), n);
                                   });
    });
    on("GET", "/api/v2/files/([A-Za-z0-9]+)/lines/", [this](Ctx& c) {
        auto f = find_file(c.user.id, c.arg(1));
        if (!f) not_found();
        std::ifstream in(plaintext_cache(*f));
        std::vector<std::string> lines;
        for (std::string line; std::getline(in, line);)
            lines.push_back(line);
        size_t start = 0;
        if (c.req.has_param("lines")) {
            size_t want = std::stoul(c.param("lines"));
            if (want < lines.size()) start = lines.size() - want;
        }
        c.json(200, {{"lines", std::vector<std::string>(lines.begin() + static_cast<long>(start),
                                                        lines.end())}});
    });

    // ---- folders
    on("POST", "/api/v3/folders/([A-Za-z0-9]+)/", [this](Ctx& c) {
        auto parent = find_folder(c.user.id, c.arg(1));
        if (!parent || parent->trashed) not_found();
        Json b = c.body();
        if (!b.is_object() || !b.contains("name") || !b["name"].is_string() ||
            b["name"].get<std::string>().empty())
            fail_fields(400, {{"name", {"This field is required."}}});
        FolderRow f{random_id(6), c.user.id, parent->id, b["name"], now_iso(), false};
        std::lock_guard dbl(db_mu);
        db->prepare("INSERT INTO folders(id, owner, parent, name, date_created) VALUES(?,?,?,?,?)")
            .bind(1, f.id)
            .bind(2, f.owner)
            .bind(3, f.parent)
            .bind(4, f.name)
            .bind(5, f.date_created)
            .run();
        c.json(201, folder_item(f));
    });
    on("DELETE", "/api/v3/folders/([A-Za-z0-9]+)/", [this](Ctx& c) {
        auto folder = find_folder(c.user.id, c.arg(1));
        if (!folder) not_found();
        if (folder->parent.empty()) fail(400, "The root folders cannot be deleted.");
        std::function<void(const std::string&)> remove = [&](const std::string& id) {
            std::vector<std::string> children;
            {
                std::lock_guard dbl(db_mu);
                auto q = db->prepare("SELECT id FROM folders WHERE parent = ? AND owner = ?");
                q.bind(1, id).bind(2, c.user.id);
                while (q.step())
                    children.push_back(q.column_text(0));
            }
            for (const auto& ch : children)
                remove(ch);
            for (const auto& f : files_where("folder = ?1 AND owner = ?2", {id, c.user.id}))
                delete_file_row(f, true);
            std::lock_guard dbl(db_mu);
            db->prepare("DELETE FROM folders WHERE id = ?").bind(1, id).run();
        };
        remove(folder->id);
        c.res.status = 204;
    });
    on("GET", "/api/v3/folders/([A-Za-z0-9]+)/contents/", [this](Ctx& c) {
        auto folder = find_folder(c.user.id, c.arg(1));
        if (!folder) not_found();
        std::vector<Json> items;
        {
            std::lock_guard dbl(db_mu);
            auto q = db->prepare(
                "SELECT id, owner, IFNULL(parent,''), name, date_created, trashed FROM folders "
                "WHERE parent = ? AND owner = ? AND trashed = 0 ORDER BY name");
            q.bind(1, folder->id).bind(2, c.user.id);
            while (q.step())
                items.push_back(
                    {{"type", "folder"},
                     {"item", folder_item({q.column_text(0), q.column_text(1), q.column_text(2),
                                           q.column_text(3), q.column_text(4), false})}});
        }
        for (const auto& f : files_where("folder = ?1 AND owner = ?2 AND trashed = 0 ORDER BY name",
                                         {folder->id, c.user.id}))
            items.push_back({{"type", "file"}, {"item", file_json(f, c.base_url())}});
        c.json(200, paginate(c, items));
    });
    on("POST", "/api/v3/folders/([A-Za-z0-9]+)/contents/archive/", [this](Ctx& c) {
        auto parent = find_folder(c.user.id, c.arg(1));
        if (!parent) not_found();
        Json b = c.body();
        if (!b.is_object()) fail(400, "Expected a JSON object.");
        auto ids = [&](const char* k) {
            std::vector<std::string> out;
            if (b.contains(k) && b[k].is_array())
                for (const auto& v : b[k])
                    if (v.is_string()) out.push_back(v);
            return out;
        };
        auto file_ids = ids("fileIds"), folder_ids = ids("folderIds");
        std::lock_guard dbl(db_mu);
        for (const auto& id : file_ids) {
            auto f = find_file(c.user.id, id);
            if (!f || f->folder != parent->id || f->trashed)
                fail(400, fmt::format("File {} is not in folder {}.", id, parent->id));
        }
        for (const auto& id : folder_ids) {
            auto f = find_folder(c.user.id, id);
            if (!f || f->parent != parent->id || f->trashed)
                fail(400, fmt::format("Folder {} is not in folder {}.", id, parent->id));
        }
        for (const auto& id : file_ids)
            db->prepare("UPDATE files SET trashed = 1 WHERE id = ?").bind(1, id).run();
        for (const auto& id : folder_ids)
            db->prepare("UPDATE folders SET trashed = 1 WHERE id = ?").bind(1, id).run();
        c.json(200, {{"fileIds", file_ids}, {"folderIds", folder_ids}});
    });
    on("GET", "/api/v3/users/me/folders/trash-bin/", [this](Ctx& c) {
        std::vector<Json> items;
        {
            std::lock_guard dbl(db_mu);
            auto q = db->prepare(
                "SELECT id, owner, IFNULL(parent,''), name, date_created FROM folders "
                "WHERE owner = ? AND trashed = 1 ORDER BY name");
            q.bind(1, c.user.id);
            while (q.step())
                items.push_back(
                    {{"type", "folder"},
                     {"item", folder_item({q.column_text(0), q.column_text(1), q.column_text(2),
                                           q.column_text(3), q.column_text(4), true})}});
        }
        for (const auto& f : files_where("owner = ?1 AND trashed = 1 ORDER BY name", {c.user.id}))
            items.push_back({{"type", "filesymlink"}, {"item", file_json(f, c.base_url())}});
        c.json(200, paginate(c, items));
    });
    on("POST", "/api/v3/users/me/folders/trash-bin/(recover|delete)/", [this](Ctx& c) {
        Json b = c.body();
        if (!b.is_object()) fail(400, "Expected a JSON object.");
        auto ids = [&](std::initializer_list<const char*> keys) {
            std::vector<std::string> out;
            for (const char* k : keys)
                if (b.contains(k) && b[k].is_array())
                    for (const auto& v : b[k])
                        if (v.is_string()) out.push_back(v);
            return out;
        };
        auto file_ids = ids({"filesymlink_ids", "fileIds"}),
             folder_ids = ids({"folderIds", "folder_ids"});
        bool recover = c.arg(1) == "recover";
        std::vector<FileRow> files;
        std::lock_guard dbl(db_mu);
        for (const auto& id : file_ids) {
            auto f = find_file(c.user.id, id);
            if (!f || !f->trashed) fail(400, fmt::format("File {} is not in the trash.", id));
            files.push_back(*f);
        }
        for (const auto& id : folder_ids) {
            auto f = find_folder(c.user.id, id);
            if (!f || !f->trashed) fail(400, fmt::format("Folder {} is not in the trash.", id));
        }
        for (auto& f : files) {
            if (recover) {
                auto parent = find_folder(c.user.id, f.folder);
                if (!parent || parent->trashed) f.folder = c.user.doc["folders"]["myLibrary"];
                f.trashed = false;
                save_file(f);
            } else {
                delete_file_row(f, true);
            }
        }
        for (const auto& id : folder_ids) {
            if (recover) {
                db->prepare("UPDATE folders SET trashed = 0 WHERE id = ?").bind(1, id).run();
            } else {
                for (const auto& f : files_where("folder = ?1 AND owner = ?2", {id, c.user.id}))
                    delete_file_row(f, true);
                db->prepare("DELETE FROM folders WHERE id = ?").bind(1, id).run();
            }
        }
        c.json(201, {{"filesymlink_ids", file_ids}, {"folderIds", folder_ids}});
    });
}

}  // namespace ri::sandbox
