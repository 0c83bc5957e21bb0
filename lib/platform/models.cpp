#include "platform/models.hpp"

#include <algorithm>
#include <cstdio>
#include <ctime>

#include "core/redact.hpp"
#include "core/strings.hpp"
#include "core/time_text.hpp"

namespace ri::platform {

std::string json_string(const Json& j, const char* key) {
    if (!j.is_object()) return {};
    auto it = j.find(key);
    if (it == j.end() || it->is_null()) return {};
    if (it->is_string()) return it->get<std::string>();
    if (it->is_number_integer()) return std::to_string(it->get<int64_t>());
    if (it->is_number() || it->is_boolean()) return it->dump();
    return {};
}

uint64_t json_u64(const Json& j, const char* key) {
    if (!j.is_object()) return 0;
    auto it = j.find(key);
    if (it == j.end()) return 0;
    if (it->is_number_unsigned()) return it->get<uint64_t>();
    if (it->is_number_integer())
        return static_cast<uint64_t>(std::max<int64_t>(0, it->get<int64_t>()));
    if (it->is_number_float()) return static_cast<uint64_t>(std::max(0.0, it->get<double>()));
    if (it->is_string()) {
        try {
            return std::stoull(it->get<std::string>());
        } catch (const std::exception&) {
            return 0;
        }
    }
    return 0;
}

bool json_bool(const Json& j, const char* key) {
    if (!j.is_object()) return false;
    auto it = j.find(key);
    if (it == j.end()) return false;
    if (it->is_boolean()) return it->get<bool>();
    if (it->is_string()) {
        auto s = it->get<std::string>();
        return s == "true" || s == "True" || s == "1";
    }
    if (it->is_number_integer()) return it->get<int64_t>() != 0;
    return false;
}

namespace {

const Json& child(const Json& j, const char* key) {
    static const Json empty = Json::object();
    if (!j.is_object()) return empty;
    auto it = j.find(key);
    return it == j.end() || it->is_null() ? empty : *it;
}

PathParts path_parts_from(const Json& j) {
    return {json_string(j, "container"), json_string(j, "path")};
}

bool is_sha512_name(const std::string& name) {
    return strings::iequals(name, "sha512") || strings::iequals(name, "sha-512");
}

}  // namespace

ConnectionSettings ConnectionSettings::from_json(const Json& j) {
    ConnectionSettings c;
    c.region = json_string(j, "region");
    c.container = json_string(j, "container");
    c.path_base = json_string(j, "pathBase");
    c.has_path_parts_base = j.is_object() && j.contains("pathPartsBase");
    c.path_parts_base = json_string(j, "pathPartsBase");
    c.account_name = json_string(j, "accountName");
    if (c.account_name.empty()) c.account_name = json_string(j, "storageAccount");
    c.endpoint = json_string(j, "endpoint");
    c.path_style = json_bool(j, "pathStyle");
    return c;
}

Storage Storage::from_json(const Json& j) {
    Storage s;
    s.id = json_string(j, "id");
    s.storage_type = json_string(j, "storageType");
    s.encryption_type = json_string(j, "encryptionType");
    s.connection = ConnectionSettings::from_json(child(j, "connectionSettings"));
    s.raw = j;
    return s;
}

UserProfile UserProfile::from_json(const Json& j) {
    UserProfile u;
    u.email = json_string(j, "email");
    u.full_name = json_string(j, "fullName");
    u.company_code = json_string(child(j, "company"), "code");
    u.workspace_id = json_string(child(j, "workspace"), "id");
    u.workspace_name = json_string(child(j, "workspace"), "name");
    u.default_storage = Storage::from_json(child(j, "defaultStorage"));
    u.raw = j;
    return u;
}

UserFolders UserFolders::from_json(const Json& j) {
    return {json_string(j, "myJobs"), json_string(j, "myLibrary")};
}

StorageCredentials StorageCredentials::from_json(const Json& j) {
    StorageCredentials c;
    c.storage_type = json_string(j, "storageType");
    c.storage_dir = json_string(j, "storageDir");
    c.access_key = json_string(j, "accessKey");
    c.secret_key = json_string(j, "secretKey");
    c.session_token = json_string(j, "sessionToken");
    c.sas_token = json_string(j, "sasToken");
    if (c.sas_token.starts_with('?')) c.sas_token.erase(0, 1);
    if (auto e = json_string(j, "expiration"); !e.empty())
        c.expiration = time_text::parse_iso8601(e);
    if (auto it = j.find("paths"); it != j.end() && it->is_array()) {
        for (const auto& p : *it) {
            CredentialPath cp{json_string(p, "path"), path_parts_from(child(p, "pathParts")),
                              json_string(p, "sasToken")};
            if (cp.sas_token.starts_with('?')) cp.sas_token.erase(0, 1);
            register_secret(cp.sas_token);
            c.paths.push_back(std::move(cp));
        }
    }
    register_secret(c.secret_key);
    register_secret(c.session_token);
    register_secret(c.sas_token);
    return c;
}

Tag Tag::from_json(const Json& j) {
    if (j.is_string()) return {j.get<std::string>(), j.get<std::string>()};
    return {json_string(j, "name"), json_string(j, "normalizedName")};
}

CloudFile CloudFile::from_json(const Json& j) {
    CloudFile f;
    f.id = json_string(j, "id");
    f.name = json_string(j, "name");
    f.owner = json_string(j, "owner");
    f.path = json_string(j, "path");
    f.relative_path = json_string(j, "relativePath");
    f.date_uploaded = json_string(j, "dateUploaded");
    f.download_url = json_string(j, "downloadUrl");
    f.type_id = static_cast<int>(json_u64(j, "typeId"));
    f.is_uploaded = json_bool(j, "isUploaded");
    f.is_deleted = json_bool(j, "isDeleted");
    f.encoded_encryption_key = json_string(j, "encodedEncryptionKey");
    f.iv = json_string(j, "iv");
    f.path_parts = path_parts_from(child(j, "pathParts"));
    f.storage = Storage::from_json(child(j, "storage"));
    f.decrypted_size = json_u64(j, "decryptedSize");
    if (f.decrypted_size == 0) f.decrypted_size = json_u64(j, "size");
    if (auto it = j.find("fileChecksums"); it != j.end() && it->is_array()) {
        for (const auto& c : *it) {
            if (is_sha512_name(json_string(c, "hashFunction"))) {
                f.sha512 = strings::lower(json_string(c, "fileHash"));
                break;
            }
        }
    }
    f.md5 = json_string(j, "md5");
    if (auto it = j.find("userTags"); it != j.end() && it->is_array()) {
        for (const auto& t : *it) {
            auto tag = Tag::from_json(t);
            if (!tag.name.empty()) f.tags.push_back(tag.name);
        }
    }
    f.folder_id = json_string(j, "currentFolderId");
    if (f.folder_id.empty()) f.folder_id = json_string(j, "parentFolderId");
    if (f.folder_id.empty()) f.folder_id = json_string(j, "folderId");
    register_secret(f.encoded_encryption_key);
    f.raw = j;
    return f;
}

Folder Folder::from_json(const Json& j) {
    Folder f;
    f.id = json_string(j, "id");
    f.name = json_string(j, "name");
    for (const char* k : {"dateUploaded", "dateInserted", "dateCreated"}) {
        f.date = json_string(j, k);
        if (!f.date.empty()) break;
    }
    for (const char* k : {"parentId", "parentFolderId", "parent"}) {
        f.parent_id = json_string(j, k);
        if (!f.parent_id.empty()) break;
    }
    f.raw = j;
    return f;
}

FolderItem FolderItem::from_json(const Json& j) {
    FolderItem item;
    std::string type = json_string(j, "type");
    const Json& body = j.is_object() && j.contains("item") ? child(j, "item") : j;
    if (type == "folder") {
        item.type = Type::folder;
        item.folder = Folder::from_json(body);
    } else {
        item.type = Type::file;
        item.file = CloudFile::from_json(body);
    }
    return item;
}

Job Job::from_json(const Json& j) {
    Job job;
    job.id = json_string(j, "id");
    job.name = json_string(j, "name");
    const Json& status = child(j, "jobStatus");
    job.status = json_string(status, "content");
    job.status_reason = json_string(status, "statusReason");
    if (job.status.empty()) job.status = json_string(j, "status");
    job.date_inserted = json_string(j, "dateInserted");
    job.owner = json_string(j, "owner");
    job.is_low_priority = json_bool(j, "isLowPriority");
    job.raw = j;
    return job;
}

JobStatus JobStatus::from_json(const Json& j) {
    return {json_string(j, "status"), json_string(j, "statusDate"), json_string(j, "statusReason"),
            j};
}

JobRun JobRun::from_json(const Json& j) {
    return {json_string(j, "id"), json_string(j, "dateStarted"), json_string(j, "dateCompleted"),
            j};
}

RunFile RunFile::from_json(const Json& j) {
    RunFile f;
    f.id = json_string(j, "id");
    f.name = json_string(j, "name");
    f.relative_path = json_string(j, "relativePath");
    f.size = json_u64(j, "size");
    f.raw = j;
    return f;
}

CoreType CoreType::from_json(const Json& j) {
    CoreType c;
    c.code = json_string(j, "code");
    c.name = json_string(j, "name");
    if (auto it = j.find("cores"); it != j.end() && it->is_array()) {
        for (const auto& n : *it)
            if (n.is_number_integer()) c.cores.push_back(n.get<int>());
    }
    c.display_order = static_cast<int>(json_u64(j, "displayOrder"));
    c.is_active = !j.contains("isActive") || json_bool(j, "isActive");
    c.raw = j;
    return c;
}

Analysis Analysis::from_json(const Json& j) {
    Analysis a;
    a.code = json_string(j, "code");
    a.name = json_string(j, "name");
    a.description = json_string(j, "description");
    a.vendor_name = json_string(j, "vendorName");
    if (auto it = j.find("versions"); it != j.end() && it->is_array()) {
        for (const auto& v : *it) {
            AnalysisVersion av{
                json_string(v, "id"), json_string(v, "version"), json_string(v, "versionCode"), {}};
            if (auto ct = v.find("allowedCoreTypes"); ct != v.end() && ct->is_array()) {
                for (const auto& c : *ct)
                    if (c.is_string()) av.allowed_core_types.push_back(c.get<std::string>());
            }
            a.versions.push_back(std::move(av));
        }
    }
    a.raw = j;
    return a;
}

Json RegisterFileRequest::to_json() const {
    Json storage_json{
        {"id", storage.id},
        {"storageType", storage.storage_type},
        {"encryptionType", storage.encryption_type.empty() ? "default" : storage.encryption_type},
        {"connectionSettings", Json::object()}};
    Json j{{"typeId", type_id}, {"name", name}};
    if (!folder_id.empty()) j["currentFolderId"] = folder_id;
    j["encodedEncryptionKey"] = encoded_encryption_key;
    j["pathParts"] = {{"container", path_parts.container}, {"path", path_parts.path}};
    j["storage"] = storage_json;
    j["isUploaded"] = true;
    j["decryptedSize"] = decrypted_size;
    j["fileChecksums"] = Json::array({{{"hashFunction", "sha512"}, {"fileHash", sha512}}});
    return j;
}

}  // namespace ri::platform
