// The Rescale platform API client (platform reference §1-§4). Every call:
//   - spends a token of its rate-limit scope first (ratelimit::classify(method, path)), through
//     the Limiter interface, so the cross-process coordinator plugs in without touching callers;
//   - authenticates with "Token <key>" ("Bearer" for JWT-shaped keys);
//   - retries on its own: 429 honours Retry-After (and cools the scope for every thread) up to
//     max_retries times; 5xx and lost connections are retried with 1-30 s backoff, except for
//     calls that must not run twice (create job, register file, create folder, submit), which
//     are retried only when the request provably never left;
//   - maps failures to ri::Error classes (api_error.hpp), with the thing named.
// Thread-safe: the transport lends each call its own connection, the credential cache locks.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "http/http_client.hpp"
#include "platform/api_error.hpp"
#include "platform/api_transport.hpp"
#include "platform/base_url.hpp"
#include "platform/credential_cache.hpp"
#include "platform/models.hpp"
#include "platform/storage_target.hpp"
#include "ratelimit/limiter.hpp"

namespace ri {
class Config;
}

namespace ri::platform {

struct PlatformOptions {
    http::ClientOptions http;                     // for the real transport
    std::shared_ptr<ratelimit::Limiter> limiter;  // default: the process-wide LocalLimiter
    std::shared_ptr<ApiTransport> transport;      // default: HttpApiTransport(http)
    int max_retries = 10;
    std::chrono::milliseconds min_backoff{1000};
    std::chrono::milliseconds max_backoff{30000};
    // A 429 asking for a longer wait than this fails at once (75) instead of sleeping.
    std::chrono::milliseconds max_retry_after{std::chrono::minutes(5)};
    // How to wait between attempts; default sleeps in slices, interrupted by Ctrl+C.
    std::function<void(std::chrono::milliseconds)> sleep;
    // The wall clock of the credential cache (tests pass a fake one).
    std::function<TimePoint()> now;
    // Told about each retry ("throttled by HOST; waiting 5 s"); always logged as well.
    std::function<void(const std::string&)> on_retry;
};

// Pagination: page_size asked for (the platform caps it), a limit on items, and the page cap.
struct PageOptions {
    size_t page_size = 1000;
    size_t limit = 0;  // 0: all
    size_t max_pages = 1000;
};

struct FileQuery {
    std::string search;
    std::string ordering = "-dateUploaded";
    size_t limit = 0;
};

struct JobQuery {
    std::string state;       // "completed" | "not_completed" (v2)
    std::string job_status;  // e.g. "COMPLETED" (v2)
    std::string tag;         // q=#tag
    std::string search;      // q=TEXT
    std::string ordering = "-dateInserted";
    size_t limit = 0;
    // state/job_status are v2 filters: with either, the v2 list is used.
    bool use_v2() const { return !state.empty() || !job_status.empty(); }
};

enum class ApiVersion { v2, v3 };

// The process-wide in-process limiter that every PlatformClient of this process shares.
std::shared_ptr<ratelimit::Limiter> process_limiter();

class PlatformClient {
  public:
    // Throws Error::config (78) for an unusable URL or an empty key. Registers the key for
    // redaction.
    PlatformClient(const std::string& base_url, std::string api_key, PlatformOptions options = {});
    // api_key and api_url from ri's configuration (flags, RESCALE_API_KEY / RESCALE_API_URL,
    // apiconfig profile, token file); HTTP retries and proxies from it too.
    static std::unique_ptr<PlatformClient> from_config(const Config& config,
                                                       PlatformOptions options = {});

    const BaseUrl& base() const { return base_; }
    const std::string& host() const { return base_.host; }

    // --- the raw layer: a call, its JSON answer (null for an empty body) ---
    Json call(std::string_view method, const std::string& path_and_query, const Json* body,
              const CallInfo& info);
    Json get(const std::string& path_and_query, const CallInfo& info) {
        return call("GET", path_and_query, nullptr, info);
    }
    // Follows the pages of a list (absolute `next` URLs; a bare array is one page). on_item
    // returns false to stop early. Returns the number of items delivered.
    size_t paginate(const std::string& path_and_query, const CallInfo& info,
                    const std::function<bool(const Json&)>& on_item, PageOptions pages = {});
    // Every item of a list, each read with T::from_json.
    template <class T>
    std::vector<T> collect(const std::string& path_and_query, const CallInfo& info,
                           PageOptions pages = {}) {
        std::vector<T> out;
        paginate(
            path_and_query, info,
            [&](const Json& j) {
                out.push_back(T::from_json(j));
                return true;
            },
            pages);
        return out;
    }

    // --- user ---
    UserProfile me();
    // me(), asked once per client.
    const UserProfile& me_cached();
    UserFolders my_folders();

    // --- storage credentials (cached, refreshed 5 minutes before expiry) ---
    StorageCredentials credentials(bool force_refresh = false);
    StorageCredentials credentials_for(const CloudFile& file, bool force_refresh = false);
    // Where uploads go (default storage), and where a file lives, ready for make_backend.
    StorageTarget upload_target(bool force_refresh = false);
    StorageTarget file_target(const CloudFile& file, bool force_refresh = false);

    // --- files ---
    // Throws ConflictError on a duplicate. Never retried after a 5xx.
    CloudFile register_file(const RegisterFileRequest& request);
    CloudFile get_file(const std::string& id);
    size_t list_files(const FileQuery& query, const std::function<bool(const CloudFile&)>& on_file);
    std::vector<CloudFile> list_files(const FileQuery& query);
    void delete_file(const std::string& id);
    CloudFile move_file(const std::string& id, const std::string& folder_id);
    std::vector<Tag> file_tags(const std::string& id);
    void add_file_tag(const std::string& id, const std::string& tag);
    void remove_file_tag(const std::string& id, const std::string& tag);

    // --- folders and trash ---
    Folder create_folder(const std::string& parent_id, const std::string& name);
    size_t folder_contents(const std::string& folder_id,
                           const std::function<bool(const FolderItem&)>& on_item, size_t limit = 0);
    std::vector<FolderItem> folder_contents(const std::string& folder_id, size_t limit = 0);
    void delete_folder(const std::string& id);
    void archive(const std::string& parent_id, const std::vector<std::string>& file_ids,
                 const std::vector<std::string>& folder_ids);
    std::vector<FolderItem> trash(size_t limit = 0);
    void recover_from_trash(const std::vector<std::string>& file_ids,
                            const std::vector<std::string>& folder_ids);
    void delete_from_trash(const std::vector<std::string>& file_ids,
                           const std::vector<std::string>& folder_ids);

    // --- jobs ---
    // body: the create body of reference §2.3 (coreType an object in v3, a string in v2).
    // Never retried after a 5xx.
    Job create_job(const Json& body, ApiVersion version = ApiVersion::v3);
    void submit_job(const std::string& id);  // never retried after a 5xx
    void stop_job(const std::string& id);
    void delete_job(const std::string& id, bool delete_input_files = false);
    Job get_job(const std::string& id);
    Job patch_job(const std::string& id, const Json& changes);
    size_t list_jobs(const JobQuery& query, const std::function<bool(const Job&)>& on_job);
    std::vector<Job> list_jobs(const JobQuery& query);
    std::vector<JobStatus> job_statuses(const std::string& id);  // newest first
    size_t job_files(const std::string& id, const std::function<bool(const CloudFile&)>& on_file,
                     const std::string& search = {}, size_t limit = 0);
    std::vector<CloudFile> job_files(const std::string& id, const std::string& search = {});
    std::vector<JobRun> job_runs(const std::string& id);
    std::vector<RunFile> run_files(const std::string& job_id, const std::string& run_id);
    std::vector<std::string> tail(const std::string& job_id, const std::string& run_id,
                                  const std::string& path, int lines = 20);
    std::vector<Tag> job_tags(const std::string& id);
    void add_job_tag(const std::string& id, const std::string& tag);
    Json job_custom_fields(const std::string& id);

    // --- catalog ---
    std::vector<CoreType> coretypes(bool active_only = true);
    std::vector<Analysis> analyses();

  private:
    http::Response send_with_retries(std::string_view method, const std::string& path_and_query,
                                     const Json* body, const CallInfo& info);
    std::string path_of_next(const std::string& next) const;
    void sleep_for(std::chrono::milliseconds d);
    std::chrono::milliseconds backoff(int attempt) const;
    StorageCredentials fetch_credentials(const Json* body);

    BaseUrl base_;
    std::string api_key_;
    PlatformOptions options_;
    CredentialCache credentials_;
    std::mutex me_mutex_;
    std::optional<UserProfile> me_;
};

// Path segment from an id: percent-encoded, so an id can never walk out of its path. Throws
// Error::usage for an empty id.
std::string id_segment(const std::string& id, std::string_view what);

}  // namespace ri::platform
