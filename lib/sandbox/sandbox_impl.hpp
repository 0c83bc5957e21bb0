// The inside of ri-sandbox, shared by its source files: the server state (database, storage,
// users, rate buckets, faults, request log, job runner) and the helpers every route uses.
#pragma once

#include <httplib.h>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "core/state_store.hpp"
#include "ratelimit/scope.hpp"
#include "ratelimit/token_bucket.hpp"
#include "sandbox/sandbox.hpp"
#include "storage/backend.hpp"

namespace ri::sandbox {

using Json = nlohmann::ordered_json;

// An answer other than success, thrown from a route: status and a JSON body (DRF style).
struct HttpError {
    int status;
    Json body;
};
[[noreturn]] void fail(int status, const std::string& detail);
[[noreturn]] void fail_fields(int status, Json fields);
[[noreturn]] void not_found();

struct User {
    std::string id, email, api_key;
    Json doc;               // fullName, workspace, company, customFields, storageId,
                            // folders{myJobs,myLibrary,trash}
    std::string path_base;  // key prefix of the user's default storage
};

struct StorageInfo {
    std::string type;  // S3Storage | AzureStorage
    std::string container;
    std::string prefix;  // from --storage, may be empty
    std::string region = "us-east-1";
    std::string endpoint;                               // what clients are told to use
    std::string account;                                // Azure
    std::string access_key, secret_key, session_token;  // S3
    std::string account_key;                            // Azure
};

struct Fault {
    uint64_t id = 0;
    std::string route;  // as given
    std::regex pattern;
    std::string method;  // empty: any
    int status = 503;
    int retry_after = -1;
    int latency_ms = 0;
    bool drop = false;
    int count = -1;  // remaining; -1: until cleared
};

struct LogEntry {
    uint64_t id;
    std::string method, path, query, user, scope, time;
    int status;
};

struct FileRow {
    std::string id, owner, folder, name;
    int type_id = 1;
    std::string date_uploaded;
    bool trashed = false;
    std::string job_id;
    Json doc;  // encodedEncryptionKey, iv, pathParts, decryptedSize, fileChecksums, md5,
               // relativePath
};

struct FolderRow {
    std::string id, owner, parent, name, date_created;
    bool trashed = false;
};

struct JobRow {
    std::string id, owner, date_inserted;
    Json doc;  // the normalized create body (+ customFields, projectId, ...)
    bool submitted = false;
    std::string status;  // current status; empty for a draft
    double status_epoch = 0;
    std::string date_started, date_completed;
};

// The request being served, with its authenticated user.
struct Ctx {
    const httplib::Request& req;
    httplib::Response& res;
    const User& user;
    std::string arg(size_t i) const { return req.matches[i].str(); }
    // The JSON body; null when empty. Malformed JSON is a 400.
    Json body() const;
    void json(int status, const Json& body) const;
    // http://HOST as the client addressed it (absolute next/previous and downloadUrl).
    std::string base_url() const;
    std::string param(const std::string& name, const std::string& fallback = "") const;
};

using Route = std::function<void(Ctx&)>;

struct Server::Impl {
    explicit Impl(Options o);
    ~Impl();

    Options opt;
    double rate_factor = 1;
    std::unique_ptr<StateStore> db;
    std::recursive_mutex db_mu;
    std::unique_ptr<storage::Backend> backend;
    StorageInfo st;
    httplib::Server http;
    int port = 0;
    int lock_fd = -1;  // flock on DIR/sandbox.lock while serving

    std::mutex users_mu;
    std::map<std::string, User> users;  // by id
    std::map<std::string, std::string> user_by_key;

    std::mutex rate_mu;
    std::map<std::pair<std::string, int>, std::unique_ptr<ratelimit::TokenBucket>> buckets;

    std::mutex faults_mu;
    std::vector<Fault> faults;
    uint64_t next_fault_id = 1;

    std::mutex log_mu;
    std::deque<LogEntry> request_log;
    uint64_t next_log_id = 1;

    // The job runner: advances statuses, runs commands (execute) or makes outputs (simulate).
    std::thread runner;
    // The MD5 of an object uploaded in parts (its ETag is no MD5) is read back on a thread of
    // its own after registration: registering a 100 GiB file must not wait for a read of it.
    // The record's md5 is "" until then.
    std::thread md5_worker;
    std::mutex md5_mu;
    std::condition_variable md5_cv;
    std::deque<std::string> md5_queue;  // file ids
    std::atomic<bool> stopping{false};
    // POST /_sandbox/credentials/expire: the next N credential responses carry credentials the
    // storage refuses although their `expiration` says they are good for an hour (S3: a wrong
    // secret key; Azure: a SAS whose signed expiry has passed), as when they expired early.
    std::atomic<int> expire_credentials{0};
    std::mutex run_mu;
    std::condition_variable run_cv;
    std::map<std::string, int> running;  // job id -> pid (0 while staging)
    // Workers by job id; a finished one is joined at the next tick (or at shutdown).
    std::map<std::string, std::thread> workers;
    std::set<std::string> finished_workers;
    Json simulate_outputs;

    // server.cpp
    void open();
    void load_users();
    void ensure_user_rows(User& u);
    std::optional<User> user_for(const httplib::Request& req);
    void install_middleware();
    void on(const char* method, const std::string& pattern, Route route);
    void routes_users();
    void routes_admin();
    void routes_catalog();
    void log_request(const httplib::Request& req, const httplib::Response& res);
    Json credentials(const User& u, const Json& body);
    Json storage_json(const User& u) const;

    // files.cpp
    void routes_files();
    std::optional<FileRow> find_file(const std::string& owner, const std::string& id);
    std::vector<FileRow> files_where(const std::string& where,
                                     const std::vector<std::string>& args);
    void save_file(const FileRow& f);
    void delete_file_row(const FileRow& f, bool delete_object);
    std::optional<FolderRow> find_folder(const std::string& owner, const std::string& id);
    Json file_json(const FileRow& f, const std::string& base);
    Json tags_of(const std::string& kind, const std::string& id);
    // GET, POST and DELETE of PATTERN (whose first group is the item's id) on the tags of one
    // kind of item ("file", "job"); `exists` says whether the caller owns the item.
    void routes_tags(const std::string& kind, const std::string& pattern,
                     std::function<bool(Ctx&)> exists);
    // Encrypts plaintext (a local file) and stores it under key; fills doc's key, checksums, size.
    FileRow store_plaintext_file(const User& u, const std::string& local_path,
                                 const std::string& name, const std::string& key, int type_id);
    // Fetches and decrypts a file's object into a local plaintext file.
    void fetch_plaintext(const FileRow& f, const std::string& dest);
    std::string plaintext_cache(const FileRow& f);

    // jobs.cpp
    void routes_jobs();
    std::optional<JobRow> find_job(const std::string& owner, const std::string& id);
    std::vector<JobRow> jobs_of(const std::string& owner);
    void save_job(const JobRow& j);
    void add_status(const std::string& job_id, const std::string& status,
                    const std::string& reason);
    Json job_json(const JobRow& j, int version, bool with_status);
    Json validate_job_body(const User& u, const Json& body, int version);

    // runner.cpp
    void start_runner();
    void stop_runner();
    void start_md5_worker();  // also queues records a previous run left without an md5
    void queue_md5(const std::string& file_id);
    void tick();
    void execute(JobRow job, User user);
    void simulate(JobRow job, User user);
    void store_outputs(const JobRow& job, const User& user, const std::string& scratch,
                       const std::set<std::string>& inputs);
    std::string scratch_dir(const std::string& job_id) const;
    const User* user_by_id(const std::string& id);
};

// ids.cpp
std::string random_id(size_t n = 6);  // base62
std::string now_iso();                // 2019-01-28T21:34:04.447607Z
double now_epoch();
std::string iso_from_epoch(double epoch);

// catalog.cpp
const Json& core_types();
const Json& analyses();
const Json* find_core_type(const std::string& code);
const Json* find_analysis(const std::string& code);

// paging.cpp
// {"count","next","previous","results"} for items, honouring page and page_size (default 25,
// at most 1000) with absolute next/previous URLs.
Json paginate(const Ctx& c, const std::vector<Json>& items, int max_page_size = 1000);
// Sorts by the `ordering` parameter (comma list, '-' for descending) over top-level fields.
void order_by(std::vector<Json>& items, const std::string& ordering);

}  // namespace ri::sandbox
