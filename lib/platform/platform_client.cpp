#include "platform/platform_client.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <thread>

#include "core/cancel.hpp"
#include "core/config.hpp"
#include "core/log.hpp"
#include "core/redact.hpp"
#include "core/units.hpp"
#include "http/retry_timing.hpp"
#include "http/url_parts.hpp"
#include "ratelimit/limiter_factory.hpp"
#include "ratelimit/scope.hpp"
#include "storage/backend_factory.hpp"

namespace ri::platform {

using std::chrono::milliseconds;

namespace {

// Sets (or replaces) one query parameter of a path?query.
std::string with_query_param(const std::string& path_and_query, std::string_view name,
                             const std::string& value) {
    size_t q = path_and_query.find('?');
    std::string path = path_and_query.substr(0, q);
    std::string query = q == std::string::npos ? "" : path_and_query.substr(q + 1);
    std::string out;
    size_t start = 0;
    while (start <= query.size() && !query.empty()) {
        size_t amp = query.find('&', start);
        std::string part = query.substr(start, amp == std::string::npos ? amp : amp - start);
        std::string key = part.substr(0, part.find('='));
        if (!part.empty() && key != name) out += (out.empty() ? "" : "&") + part;
        if (amp == std::string::npos) break;
        start = amp + 1;
    }
    out += fmt::format("{}{}={}", out.empty() ? "" : "&", name, http::uri_encode(value, false));
    return path + "?" + out;
}

std::string query_string(const std::vector<std::pair<std::string, std::string>>& params) {
    std::string q;
    for (const auto& [k, v] : params) {
        if (v.empty()) continue;
        q += fmt::format("{}{}={}", q.empty() ? "?" : "&", k, http::uri_encode(v, false));
    }
    return q;
}

std::string path_only(std::string_view path_and_query) {
    return std::string(path_and_query.substr(0, path_and_query.find('?')));
}

Json ids_array(const std::vector<std::string>& ids) {
    Json a = Json::array();
    for (const auto& id : ids)
        a.push_back(id);
    return a;
}

}  // namespace

std::string id_segment(const std::string& id, std::string_view what) {
    if (id.empty()) throw Error::usage(fmt::format("An empty {} id was given.", what));
    return http::uri_encode(id, false);
}

std::shared_ptr<ratelimit::Limiter> process_limiter() {
    static std::shared_ptr<ratelimit::Limiter> limiter =
        std::make_shared<ratelimit::LocalLimiter>();
    return limiter;
}

PlatformClient::PlatformClient(const std::string& base_url, std::string api_key,
                               PlatformOptions options)
    : base_(parse_base_url(base_url)),
      api_key_(std::move(api_key)),
      options_(std::move(options)),
      credentials_(options_.now ? options_.now : [] { return std::chrono::system_clock::now(); }) {
    if (api_key_.empty())
        throw Error::config(
            "No API key: set RESCALE_API_KEY, or run 'ri-config set api_key -' and paste it.");
    register_secret(api_key_);
    if (!options_.limiter) options_.limiter = process_limiter();
    if (!options_.transport) options_.transport = std::make_shared<HttpApiTransport>(options_.http);
    if (!base_.known && !base_.loopback)
        log::warn("platform URL {} is not one of Rescale's platform hosts", base_.url);
}

std::unique_ptr<PlatformClient> PlatformClient::from_config(const Config& config,
                                                            PlatformOptions options) {
    auto key = config.lookup("api_key");
    if (!key || key->value.empty())
        throw Error::config(
            "No API key: set RESCALE_API_KEY, or run 'ri-config set api_key -' and paste it.");
    std::string url = config.get_or("api_url", "https://platform.rescale.com");
    options.http = http::client_options_from(config);
    options.max_retries = std::max(0, options.http.retry.max_attempts - 1);
    // Every ri process of this key shares one budget through ri-ratelimitd (unless the
    // ratelimit_coordinator setting is off); the daemon starts with the first call, not here.
    if (!options.limiter) options.limiter = ratelimit::limiter_for(config, url, key->value);
    return std::make_unique<PlatformClient>(url, key->value, std::move(options));
}

void PlatformClient::sleep_for(milliseconds d) {
    if (options_.sleep) {
        options_.sleep(d);
        return;
    }
    cancel::sleep_for(d);
}

milliseconds PlatformClient::backoff(int attempt) const {
    auto d =
        http::compute_backoff(options_.min_backoff, options_.max_backoff, attempt, std::nullopt);
    return std::clamp(d, options_.min_backoff, options_.max_backoff);
}

http::Response PlatformClient::send_with_retries(std::string_view method,
                                                 const std::string& path_and_query,
                                                 const Json* body, const CallInfo& info) {
    ApiRequest req;
    req.method = std::string(method);
    req.url = base_.url + path_and_query;
    req.headers = {{"Authorization", authorization_value(api_key_)},
                   {"Accept", "application/json"},
                   {"Content-Type", "application/json"}};
    if (body) req.body = body->dump();
    const ratelimit::Scope scope = ratelimit::classify(method, path_only(path_and_query));
    auto notify = [&](const std::string& text) {
        log::info("{}", text);
        if (options_.on_retry) options_.on_retry(text);
    };
    for (int attempt = 1;; ++attempt) {
        cancel::check();
        options_.limiter->acquire(scope);
        auto started = std::chrono::steady_clock::now();
        http::Response resp;
        try {
            resp = options_.transport->send(req);
        } catch (const http::TransportError& e) {
            bool may_retry =
                (info.idempotent || e.before_send()) && attempt <= options_.max_retries;
            log::debug("{} {} -> transport error: {}", method, path_only(path_and_query), e.what());
            if (!may_retry) {
                std::string hint = info.idempotent || e.before_send()
                                       ? ""
                                       : " It may have been done: check before running it again.";
                throw Error::unavailable(
                    fmt::format("Could not reach the platform at {} while {}.{}", base_.host,
                                info.action, hint),
                    fmt::format("{} after {} attempt(s)", e.what(), attempt));
            }
            auto d = backoff(attempt);
            notify(fmt::format("{} did not answer while {} ({}); retrying in {}", base_.host,
                               info.action, e.what(), units::seconds(d)));
            sleep_for(d);
            continue;
        }
        auto took =
            std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
        log::debug("{} {} -> {} ({} ms)", method, path_only(path_and_query), resp.status,
                   took.count());
        if (resp.ok()) return resp;
        if (resp.status == 429) {
            std::optional<milliseconds> ra;
            if (auto h = resp.header("retry-after")) ra = http::HttpClient::parse_retry_after(*h);
            if (auto rem = resp.header("x-ratelimit-remaining"))
                log::info("X-RateLimit-Remaining: {} (limit {})", *rem,
                          resp.header("x-ratelimit-limit").value_or("?"));
            if (attempt > options_.max_retries || (ra && *ra > options_.max_retry_after)) {
                throw Error::temporary(
                    fmt::format(
                        "{} kept throttling requests while {} (HTTP 429{}); try again later.",
                        base_.host, info.action,
                        ra ? ", asked to wait " + units::seconds(*ra) : ""),
                    fmt::format("after {} attempt(s): {}", attempt,
                                readable_error_body(resp.body)));
            }
            milliseconds d = ra ? std::max(*ra, milliseconds(0)) : backoff(attempt);
            options_.limiter->throttled(scope, d);
            notify(fmt::format("throttled by {} ({} scope) while {}; waiting {}", base_.host,
                               ratelimit::scope_name(scope), info.action, units::seconds(d)));
            sleep_for(d);
            continue;
        }
        if (resp.status >= 500) {
            if (info.idempotent && attempt <= options_.max_retries) {
                auto d = backoff(attempt);
                notify(fmt::format("{} answered HTTP {} while {}; retrying in {}", base_.host,
                                   resp.status, info.action, units::seconds(d)));
                sleep_for(d);
                continue;
            }
            std::string said = readable_error_body(resp.body);
            throw ApiError(
                ExitCode::unavailable, resp.status,
                info.idempotent
                    ? fmt::format(
                          "{} answered HTTP {} while {}, after {} attempts; try again later.",
                          base_.host, resp.status, info.action, attempt)
                    : fmt::format("{} answered HTTP {} while {}{}. It may have been done: check "
                                  "before running it again.",
                                  base_.host, resp.status, info.action,
                                  said.empty() ? "" : " (" + said + ")"),
                redact(resp.body.substr(0, 500)));
        }
        throw_client_error(resp.status, resp.body, info, base_.host);
    }
}

Json PlatformClient::call(std::string_view method, const std::string& path_and_query,
                          const Json* body, const CallInfo& info) {
    http::Response resp = send_with_retries(method, path_and_query, body, info);
    if (resp.body.find_first_not_of(" \t\r\n") == std::string::npos) return nullptr;
    Json j = Json::parse(resp.body, nullptr, false);
    if (j.is_discarded()) {
        throw Error::unavailable(
            fmt::format("{} answered with something that is not JSON while {}.", base_.host,
                        info.action),
            fmt::format("HTTP {}: {:.200}", resp.status, redact(resp.body)));
    }
    return j;
}

std::string PlatformClient::path_of_next(const std::string& next) const {
    if (next.starts_with(base_.url + "/")) return next.substr(base_.url.size());
    if (next.starts_with("/")) return next;
    // Another spelling of the host (a proxy, http vs https): keep the API path only, as
    // Interlink's extractAPIPath does.
    size_t scheme = next.find("://");
    size_t path = next.find('/', scheme == std::string::npos ? 0 : scheme + 3);
    size_t api = next.find("/api/", scheme == std::string::npos ? 0 : scheme + 3);
    if (api != std::string::npos) return next.substr(api);
    if (path != std::string::npos) return next.substr(path);
    throw Error::unavailable(fmt::format("{} gave a next-page link ri cannot follow.", base_.host),
                             redact(next));
}

size_t PlatformClient::paginate(const std::string& first, const CallInfo& info,
                                const std::function<bool(const Json&)>& on_item,
                                PageOptions pages) {
    size_t page_size = pages.page_size;
    if (pages.limit > 0) page_size = std::min(page_size, pages.limit);
    std::string path =
        page_size > 0 ? with_query_param(first, "page_size", std::to_string(page_size)) : first;
    size_t delivered = 0;
    std::string previous;
    for (size_t page = 1; page <= pages.max_pages; ++page) {
        Json j = get(path, info);
        const Json* items = nullptr;
        if (j.is_array()) {
            items = &j;
        } else if (j.is_object() && j.contains("results") && j["results"].is_array()) {
            items = &j["results"];
        } else {
            throw Error::unavailable(
                fmt::format("{} answered a list with an unexpected shape while {}.", base_.host,
                            info.action),
                fmt::format("{:.200}", j.dump()));
        }
        for (const auto& item : *items) {
            ++delivered;
            if (!on_item(item)) return delivered;
            if (pages.limit > 0 && delivered >= pages.limit) return delivered;
        }
        if (!j.is_object()) return delivered;
        std::string next = json_string(j, "next");
        if (next.empty() || items->empty()) return delivered;
        previous = path;
        path = path_of_next(next);
        // The platform's next links carry its default page size (25); keep ours.
        if (page_size > 0) path = with_query_param(path, "page_size", std::to_string(page_size));
        if (path == previous) return delivered;  // a next link to itself would never end
        if (page == pages.max_pages)
            log::warn("stopped {} after {} pages (ri's page cap)", info.action, pages.max_pages);
    }
    return delivered;
}

// --- user ---

UserProfile PlatformClient::me() {
    return UserProfile::from_json(
        get("/api/v3/users/me/", {"reading your user profile", "your user profile"}));
}

const UserProfile& PlatformClient::me_cached() {
    std::lock_guard lock(me_mutex_);
    if (!me_) me_ = me();
    return *me_;
}

UserFolders PlatformClient::my_folders() {
    return UserFolders::from_json(
        get("/api/v3/users/me/folders/", {"reading your folders", "your folders"}));
}

// --- credentials ---

StorageCredentials PlatformClient::fetch_credentials(const Json* body) {
    CallInfo info{"asking for storage credentials", "storage credentials", true};
    Json j = call("POST", "/api/v3/credentials/", body, info);
    auto c = StorageCredentials::from_json(j);
    if (!c.is_s3() && !c.is_azure())
        throw Error::unavailable(
            fmt::format("{} handed out storage credentials of a type ri does not know ('{}').",
                        base_.host, c.storage_type));
    return c;
}

StorageCredentials PlatformClient::credentials(bool force_refresh) {
    if (force_refresh) credentials_.invalidate("default");
    return credentials_.get("default", [&] { return fetch_credentials(nullptr); });
}

StorageCredentials PlatformClient::credentials_for(const CloudFile& file, bool force_refresh) {
    if (file.storage.id.empty()) return credentials(force_refresh);
    bool s3 = file.storage.is_s3();
    std::string key = s3 ? "s3:" + file.storage.id
                         : fmt::format("az:{}:{}/{}", file.storage.id, file.path_parts.container,
                                       file.path_parts.path);
    if (force_refresh) credentials_.invalidate(key);
    return credentials_.get(key, [&] {
        Json body{
            {"storage", {{"id", file.storage.id}, {"storageType", file.storage.storage_type}}},
            {"paths", Json::array({{{"pathParts",
                                     {{"container", file.path_parts.container},
                                      {"path", file.path_parts.path}}}}})}};
        return fetch_credentials(&body);
    });
}

StorageTarget PlatformClient::upload_target(bool force_refresh) {
    const Storage& st = me_cached().default_storage;
    return storage_target(st, credentials(force_refresh), base_);
}

StorageTarget PlatformClient::file_target(const CloudFile& file, bool force_refresh) {
    const ConnectionSettings& c = file.storage.connection;
    bool has_settings = !c.region.empty() || !c.account_name.empty() || !c.endpoint.empty();
    Storage settings = has_settings ? file.storage : me_cached().default_storage;
    return file_storage_target(file, settings, credentials_for(file, force_refresh), base_);
}

// --- files ---

CloudFile PlatformClient::register_file(const RegisterFileRequest& r) {
    Json body = r.to_json();
    CallInfo info{fmt::format("registering file '{}'", r.name), fmt::format("file '{}'", r.name),
                  false};
    return CloudFile::from_json(call("POST", "/api/v3/files/", &body, info));
}

CloudFile PlatformClient::get_file(const std::string& id) {
    return CloudFile::from_json(
        get("/api/v3/files/" + id_segment(id, "file") + "/", {"reading file " + id, "file " + id}));
}

size_t PlatformClient::list_files(const FileQuery& q,
                                  const std::function<bool(const CloudFile&)>& on_file) {
    std::string path =
        "/api/v3/files/" + query_string({{"ordering", q.ordering}, {"search", q.search}});
    PageOptions pages;
    pages.limit = q.limit;
    return paginate(
        path, {"listing files", "the file list"},
        [&](const Json& j) { return on_file(CloudFile::from_json(j)); }, pages);
}

std::vector<CloudFile> PlatformClient::list_files(const FileQuery& q) {
    std::vector<CloudFile> out;
    list_files(q, [&](const CloudFile& f) {
        out.push_back(f);
        return true;
    });
    return out;
}

void PlatformClient::delete_file(const std::string& id) {
    call("DELETE", "/api/v3/files/" + id_segment(id, "file") + "/", nullptr,
         {"deleting file " + id, "file " + id});
}

CloudFile PlatformClient::move_file(const std::string& id, const std::string& folder_id) {
    Json body{{"currentFolderId", folder_id}};
    id_segment(folder_id, "folder");
    Json j = call("PATCH", "/api/v3/files/" + id_segment(id, "file") + "/", &body,
                  {fmt::format("moving file {} to folder {}", id, folder_id), "file " + id});
    CloudFile f =
        j.is_object() && !json_string(j, "id").empty() ? CloudFile::from_json(j) : CloudFile{};
    if (f.id.empty()) f.id = id;
    if (f.folder_id.empty()) f.folder_id = folder_id;
    return f;
}

std::vector<Tag> PlatformClient::file_tags(const std::string& id) {
    return collect<Tag>("/api/v3/files/" + id_segment(id, "file") + "/tags/",
                        {"reading the tags of file " + id, "file " + id}, {0, 0, 1000});
}

void PlatformClient::add_file_tag(const std::string& id, const std::string& tag) {
    Json body{{"name", tag}};
    call("POST", "/api/v3/files/" + id_segment(id, "file") + "/tags/", &body,
         {fmt::format("tagging file {} with '{}'", id, tag), "file " + id});
}

void PlatformClient::remove_file_tag(const std::string& id, const std::string& tag) {
    Json body{{"name", tag}};
    call("DELETE", "/api/v3/files/" + id_segment(id, "file") + "/tags/", &body,
         {fmt::format("removing tag '{}' from file {}", tag, id), "file " + id});
}

// --- folders ---

Folder PlatformClient::create_folder(const std::string& parent_id, const std::string& name) {
    Json body{{"name", name}};
    Json j = call("POST", "/api/v3/folders/" + id_segment(parent_id, "folder") + "/", &body,
                  {fmt::format("creating folder '{}'", name), "parent folder " + parent_id, false});
    Folder f = Folder::from_json(j);
    if (f.name.empty()) f.name = name;
    if (f.parent_id.empty()) f.parent_id = parent_id;
    return f;
}

size_t PlatformClient::folder_contents(const std::string& folder_id,
                                       const std::function<bool(const FolderItem&)>& on_item,
                                       size_t limit) {
    PageOptions pages;
    pages.limit = limit;
    return paginate(
        "/api/v3/folders/" + id_segment(folder_id, "folder") + "/contents/",
        {"listing folder " + folder_id, "folder " + folder_id},
        [&](const Json& j) {
            FolderItem item = FolderItem::from_json(j);
            if (item.type == FolderItem::Type::folder && item.folder.parent_id.empty())
                item.folder.parent_id = folder_id;
            if (item.type == FolderItem::Type::file && item.file.folder_id.empty())
                item.file.folder_id = folder_id;
            return on_item(item);
        },
        pages);
}

std::vector<FolderItem> PlatformClient::folder_contents(const std::string& folder_id,
                                                        size_t limit) {
    std::vector<FolderItem> out;
    folder_contents(
        folder_id,
        [&](const FolderItem& i) {
            out.push_back(i);
            return true;
        },
        limit);
    return out;
}

void PlatformClient::delete_folder(const std::string& id) {
    call("DELETE", "/api/v3/folders/" + id_segment(id, "folder") + "/", nullptr,
         {"deleting folder " + id, "folder " + id});
}

void PlatformClient::archive(const std::string& parent_id, const std::vector<std::string>& file_ids,
                             const std::vector<std::string>& folder_ids) {
    Json body{{"fileIds", ids_array(file_ids)}, {"folderIds", ids_array(folder_ids)}};
    call("POST", "/api/v3/folders/" + id_segment(parent_id, "folder") + "/contents/archive/", &body,
         {"moving items of folder " + parent_id + " to the trash", "folder " + parent_id});
}

std::vector<FolderItem> PlatformClient::trash(size_t limit) {
    std::vector<FolderItem> out;
    PageOptions pages;
    pages.limit = limit;
    paginate(
        "/api/v3/users/me/folders/trash-bin/", {"listing the trash", "the trash"},
        [&](const Json& j) {
            out.push_back(FolderItem::from_json(j));
            return true;
        },
        pages);
    return out;
}

void PlatformClient::recover_from_trash(const std::vector<std::string>& file_ids,
                                        const std::vector<std::string>& folder_ids) {
    Json body{{"filesymlink_ids", ids_array(file_ids)}, {"folderIds", ids_array(folder_ids)}};
    call("POST", "/api/v3/users/me/folders/trash-bin/recover/", &body,
         {"recovering items from the trash", "an item of the trash"});
}

void PlatformClient::delete_from_trash(const std::vector<std::string>& file_ids,
                                       const std::vector<std::string>& folder_ids) {
    Json body{{"filesymlink_ids", ids_array(file_ids)}, {"folderIds", ids_array(folder_ids)}};
    call("POST", "/api/v3/users/me/folders/trash-bin/delete/", &body,
         {"deleting items from the trash", "an item of the trash"});
}

}  // namespace ri::platform
