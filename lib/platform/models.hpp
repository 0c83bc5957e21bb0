// The platform's objects as ri uses them (platform reference §2). Each model reads what ri needs
// from the API's camelCase JSON and keeps the whole object in `raw`, so a tool can pass through
// what the platform said. Missing or null fields read as empty / zero: the platform's responses
// vary between API versions and endpoints.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/output.hpp"

namespace ri::platform {

using TimePoint = std::chrono::system_clock::time_point;

struct ConnectionSettings {
    std::string region;
    std::string container;        // S3 bucket or Azure container
    std::string path_base;        // key prefix of new uploads (S3)
    std::string path_parts_base;  // prefix in pathParts.path (Azure; may be "")
    bool has_path_parts_base = false;
    std::string account_name;  // Azure account (accountName, else legacy storageAccount)
    // ri-sandbox extension: a custom endpoint (S3 URL, or the Azure blob service URL including
    // the account path for Azurite) and S3 path-style addressing.
    std::string endpoint;
    bool path_style = false;
    static ConnectionSettings from_json(const Json& j);
};

struct Storage {
    std::string id;
    std::string storage_type;  // "S3Storage" | "AzureStorage"
    std::string encryption_type;
    ConnectionSettings connection;
    Json raw;
    bool is_s3() const { return storage_type == "S3Storage"; }
    bool is_azure() const { return storage_type == "AzureStorage"; }
    static Storage from_json(const Json& j);
};

struct UserProfile {
    std::string email, full_name, company_code, workspace_id, workspace_name;
    Storage default_storage;
    Json raw;
    static UserProfile from_json(const Json& j);
};

struct UserFolders {
    std::string my_jobs, my_library;
    static UserFolders from_json(const Json& j);
};

struct PathParts {
    std::string container, path;
};

struct CredentialPath {
    std::string path;
    PathParts path_parts;
    std::string sas_token;  // per-blob SAS (Azure)
};

struct StorageCredentials {
    std::string storage_type;
    std::string storage_dir;
    std::string access_key, secret_key, session_token;  // S3
    std::string sas_token;                              // Azure, container level
    std::optional<TimePoint> expiration;                // when the platform says (Azure)
    std::vector<CredentialPath> paths;
    TimePoint fetched_at{};
    TimePoint expires_at{};  // expiration, else fetched_at + 15 minutes
    bool is_s3() const { return storage_type == "S3Storage"; }
    bool is_azure() const { return storage_type == "AzureStorage"; }
    // Parses and registers every secret in it for redaction.
    static StorageCredentials from_json(const Json& j);
};

struct Tag {
    std::string name, normalized_name;
    static Tag from_json(const Json& j);
};

struct CloudFile {
    std::string id, name, owner, path, relative_path, date_uploaded, download_url;
    int type_id = 0;
    bool is_uploaded = false, is_deleted = false;
    std::string encoded_encryption_key;  // a secret: never logged
    std::string iv;
    PathParts path_parts;
    Storage storage;
    uint64_t decrypted_size = 0;
    std::string sha512;  // lowercase hex of the plaintext, from fileChecksums
    std::string md5;
    std::vector<std::string> tags;
    std::string folder_id;  // when the platform says (currentFolderId / parentFolderId)
    Json raw;
    static CloudFile from_json(const Json& j);
};

struct Folder {
    std::string id, name, date, parent_id;
    Json raw;
    static Folder from_json(const Json& j);
};

// An entry of a folder listing or of the trash: a file or a folder.
struct FolderItem {
    enum class Type { file, folder };
    Type type = Type::file;
    CloudFile file;  // type file
    Folder folder;   // type folder
    const std::string& id() const { return type == Type::file ? file.id : folder.id; }
    const std::string& name() const { return type == Type::file ? file.name : folder.name; }
    // {"type":"file"|"folder"|"filesymlink","item":{...}}, or a bare item.
    static FolderItem from_json(const Json& j);
};

struct Job {
    std::string id, name, status, status_reason, date_inserted, owner;
    bool is_low_priority = false;
    Json raw;
    static Job from_json(const Json& j);
};

struct JobStatus {
    std::string status, status_date, status_reason;
    Json raw;
    static JobStatus from_json(const Json& j);
};

struct JobRun {
    std::string id, date_started, date_completed;
    Json raw;
    static JobRun from_json(const Json& j);
};

struct RunFile {
    std::string id, name, relative_path;
    uint64_t size = 0;
    Json raw;
    static RunFile from_json(const Json& j);
};

struct CoreType {
    std::string code, name;
    std::vector<int> cores;
    int display_order = 0;
    bool is_active = true;
    Json raw;
    static CoreType from_json(const Json& j);
};

struct AnalysisVersion {
    std::string id, version, version_code;
    std::vector<std::string> allowed_core_types;
};

struct Analysis {
    std::string code, name, description, vendor_name;
    std::vector<AnalysisVersion> versions;
    Json raw;
    static Analysis from_json(const Json& j);
};

// POST /api/v3/files/ after a direct upload to the user's storage.
struct RegisterFileRequest {
    int type_id = 1;  // 1 input, 5 output, ... (reference §2.2)
    std::string name;
    std::string folder_id;  // currentFolderId; empty: the platform's default (My Library)
    std::string encoded_encryption_key;
    PathParts path_parts;
    Storage storage;
    uint64_t decrypted_size = 0;
    std::string sha512;  // lowercase hex of the plaintext
    Json to_json() const;
};

// Helpers shared by the models and the client: tolerant field access.
std::string json_string(const Json& j, const char* key);
uint64_t json_u64(const Json& j, const char* key);
bool json_bool(const Json& j, const char* key);

}  // namespace ri::platform
