// The server frame: database and storage, users and authentication, the middleware (faults,
// rate limits, request log), the user, credential, catalog and admin routes.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "core/cancel.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/redact.hpp"
#include "sandbox/sandbox_impl.hpp"
#include "storage/azure_sas.hpp"
#include "storage/object_url.hpp"

namespace fs = std::filesystem;

namespace ri::sandbox {
namespace {

const std::vector<Migration>& migrations() {
    static const std::vector<Migration> list = {
        {1, "sandbox schema", R"(
CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, api_key TEXT NOT NULL,
                    doc TEXT NOT NULL);
CREATE TABLE folders (id TEXT PRIMARY KEY, owner TEXT NOT NULL, parent TEXT, name TEXT NOT NULL,
                      date_created TEXT NOT NULL, trashed INTEGER NOT NULL DEFAULT 0);
CREATE INDEX folders_owner ON folders(owner, parent);
CREATE TABLE files (id TEXT PRIMARY KEY, owner TEXT NOT NULL, folder TEXT, name TEXT NOT NULL,
                    type_id INTEGER NOT NULL, date_uploaded TEXT NOT NULL,
                    trashed INTEGER NOT NULL DEFAULT 0, job_id TEXT, doc TEXT NOT NULL);
CREATE INDEX files_owner ON files(owner, folder);
CREATE INDEX files_job ON files(job_id);
CREATE TABLE tags (kind TEXT NOT NULL, item TEXT NOT NULL, name TEXT NOT NULL,
                   PRIMARY KEY (kind, item, name));
CREATE TABLE jobs (id TEXT PRIMARY KEY, owner TEXT NOT NULL, date_inserted TEXT NOT NULL,
                   doc TEXT NOT NULL, submitted INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT '',
                   status_epoch REAL NOT NULL DEFAULT 0, date_started TEXT NOT NULL DEFAULT '',
                   date_completed TEXT NOT NULL DEFAULT '');
CREATE INDEX jobs_owner ON jobs(owner);
CREATE TABLE job_statuses (id INTEGER PRIMARY KEY AUTOINCREMENT, job_id TEXT NOT NULL,
                           status TEXT NOT NULL, status_date TEXT NOT NULL, reason TEXT);
CREATE INDEX job_statuses_job ON job_statuses(job_id);
)"},
    };
    return list;
}

bool is_loopback(const std::string& addr) {
    return addr.rfind("127.", 0) == 0 || addr == "::1" || addr == "::ffff:127.0.0.1";
}

std::regex route_regex(const std::string& route) {
    bool glob = route.find('*') != std::string::npos && route.find(".*") == std::string::npos;
    if (!glob) return std::regex(route);
    std::string re = "^";
    for (char ch : route) {
        if (ch == '*')
            re += ".*";
        else if (std::string_view("\\^$.|?+()[]{}").find(ch) != std::string_view::npos)
            re += std::string("\\") + ch;
        else
            re += ch;
    }
    return std::regex(re + "$");
}

std::string bearer_key(const httplib::Request& req) {
    std::string h = req.get_header_value("Authorization");
    for (const char* scheme : {"Token ", "Bearer ", "token ", "bearer "}) {
        if (h.rfind(scheme, 0) == 0) {
            std::string key = h.substr(std::strlen(scheme));
            while (!key.empty() && key.back() == ' ')
                key.pop_back();
            return key;
        }
    }
    return {};
}

void send_json(httplib::Response& res, int status, const Json& body) {
    res.status = status;
    res.set_content(body.dump(-1, ' ', false, Json::error_handler_t::replace), "application/json");
}

Json read_json_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error::missing_input(fmt::format("Cannot read the users file {}.", path));
    try {
        return Json::parse(in);
    } catch (const std::exception& e) {
        throw Error::bad_data(fmt::format("The users file {} is not valid JSON.", path), e.what());
    }
}

}  // namespace

Json Ctx::body() const {
    if (req.body.empty()) return nullptr;
    try {
        return Json::parse(req.body);
    } catch (const std::exception& e) {
        fail(400, std::string("JSON parse error - ") + e.what());
    }
}

void Ctx::json(int status, const Json& j) const {
    send_json(res, status, j);
}

std::string Ctx::base_url() const {
    std::string host = req.get_header_value("Host");
    if (host.empty()) host = req.local_addr + ":" + std::to_string(req.local_port);
    return "http://" + host;
}

std::string Ctx::param(const std::string& name, const std::string& fallback) const {
    return req.has_param(name) ? req.get_param_value(name) : fallback;
}

double parse_rate_factor(const std::string& text) {
    if (text == "off") return 0;
    if (text == "real") return 1;
    if (text.size() > 1 && text[0] == 'x') {
        try {
            size_t used = 0;
            double v = std::stod(text.substr(1), &used);
            if (used == text.size() - 1 && v > 0 && std::isfinite(v)) return v;
        } catch (const std::exception&) {
        }
    }
    throw Error::usage(
        fmt::format("--rate-limits must be real, off or xN (e.g. x10), not '{}'.", text));
}

Server::Impl::Impl(Options o) : opt(std::move(o)) {}

Server::Impl::~Impl() {
    stop_runner();
    if (lock_fd >= 0) ::close(lock_fd);
}

const User* Server::Impl::user_by_id(const std::string& id) {
    std::lock_guard lock(users_mu);
    auto it = users.find(id);
    return it == users.end() ? nullptr : &it->second;
}

std::optional<User> Server::Impl::user_for(const httplib::Request& req) {
    std::string key = bearer_key(req);
    if (key.empty()) return std::nullopt;
    std::lock_guard lock(users_mu);
    auto it = user_by_key.find(key);
    if (it == user_by_key.end()) return std::nullopt;
    return users.at(it->second);
}

void Server::Impl::open() {
    rate_factor = parse_rate_factor(opt.rate_limits);
    if (opt.jobs != "execute" && opt.jobs != "simulate")
        throw Error::usage("--jobs must be execute or simulate.");
    if (!(opt.step_seconds >= 0)) throw Error::usage("--step-seconds must be 0 or more.");
    std::error_code ec;
    fs::create_directories(opt.data_dir, ec);
    if (ec)
        throw file_error(FileRole::output, opt.data_dir, ec.value(), "creating the data directory");
    // One server per data directory: two would run every job twice.
    std::string lock_path = (fs::path(opt.data_dir) / "sandbox.lock").string();
    lock_fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd < 0 || ::flock(lock_fd, LOCK_EX | LOCK_NB) != 0)
        throw Error::unavailable(
            fmt::format("Another ri-sandbox is serving {}; stop it first.", opt.data_dir));
    fs::create_directories(fs::path(opt.data_dir) / "scratch", ec);
    fs::create_directories(fs::path(opt.data_dir) / "cache", ec);
    db = std::make_unique<StateStore>(
        StateStore::open(fs::path(opt.data_dir) / "sandbox.db", migrations()));

    if (!opt.simulate_file.empty()) simulate_outputs = read_json_file(opt.simulate_file);

    // Storage.
    if (opt.storage_url.empty())
        throw Error::usage(
            "--storage s3://BUCKET[/prefix] or az://ACCOUNT/CONTAINER[/prefix] is required.");
    auto url = storage::parse_object_url(opt.storage_url);
    if (!url)
        throw Error::usage(
            fmt::format("--storage: '{}' is not an s3:// or az:// URL.", opt.storage_url));
    std::map<std::string, std::string> flags;
    const auto& so = opt.storage;
    if (!so.endpoint.empty())
        flags[url->scheme == "s3" ? "s3.endpoint" : "az.endpoint"] = so.endpoint;
    if (!so.region.empty()) flags["s3.region"] = so.region;
    flags["s3.path_style"] = "true";  // local S3 servers (radosgw) are addressed path-style
    if (!so.account.empty()) flags["az.account"] = so.account;
    storage::StorageProfile profile = storage::load_storage_profile(so.profile, flags);
    st.container = url->bucket;
    st.prefix = url->key;
    while (!st.prefix.empty() && st.prefix.back() == '/')
        st.prefix.pop_back();
    if (url->scheme == "s3") {
        st.type = "S3Storage";
        st.region = profile.s3.region.empty() ? "us-east-1" : profile.s3.region;
        st.endpoint = profile.s3.endpoint;
        st.access_key = profile.s3.access_key;
        st.secret_key = profile.s3.secret_key;
        st.session_token = profile.s3.session_token;
    } else {
        st.type = "AzureStorage";
        st.account = profile.azure.account.empty() ? url->account : profile.azure.account;
        st.endpoint = profile.azure.endpoint.empty()
                          ? fmt::format("https://{}.blob.core.windows.net", st.account)
                          : profile.azure.endpoint;
        while (!st.endpoint.empty() && st.endpoint.back() == '/')
            st.endpoint.pop_back();
        st.account_key = profile.azure.account_key;
        if (st.account_key.empty())
            throw Error::config(
                "ri-sandbox needs the Azure account key (AZURE_STORAGE_KEY) to sign SAS tokens.");
    }
    auto pool = std::make_shared<http::HttpClientPool>(http::client_options_from(Config::load()));
    backend = storage::make_backend(*url, profile, std::move(pool));
    load_users();
}

void Server::Impl::ensure_user_rows(User& u) {
    u.path_base = (st.prefix.empty() ? "" : st.prefix + "/") + "user/" + u.id;
    Json& f = u.doc["folders"];
    if (!f.is_object()) f = Json::object();
    for (const char* name : {"myLibrary", "myJobs", "trash"}) {
        if (f.contains(name)) continue;
        std::string id = random_id(6);
        db->prepare(
              "INSERT INTO folders(id, owner, parent, name, date_created) VALUES(?,?,NULL,?,?)")
            .bind(1, id)
            .bind(2, u.id)
            .bind(3, name)
            .bind(4, now_iso())
            .run();
        f[name] = id;
    }
    if (!u.doc.contains("storageId")) u.doc["storageId"] = random_id(5);
}

void Server::Impl::load_users() {
    std::lock_guard dbl(db_mu);
    std::map<std::string, User> loaded;
    auto q = db->prepare("SELECT id, email, api_key, doc FROM users");
    while (q.step()) {
        User u{q.column_text(0), q.column_text(1), q.column_text(2), Json::parse(q.column_text(3)),
               ""};
        loaded[u.id] = u;
    }
    Json file_users;
    if (!opt.users_file.empty()) {
        file_users = read_json_file(opt.users_file)["users"];
        if (!file_users.is_array() || file_users.empty())
            throw Error::bad_data(
                fmt::format("The users file {} has no \"users\" array.", opt.users_file));
    } else if (loaded.empty()) {
        file_users = Json::array();
        for (int i = 1; i <= 2; ++i) {
            std::string n = i == 1 ? "alice" : "bob";
            file_users.push_back(
                {{"email", n + "@example.com"},
                 {"fullName", i == 1 ? "Alice Example" : "Bob Example"},
                 {"apiKey", random_id(40)},
                 {"workspace", {{"id", "ws" + random_id(5)}, {"name", "Sandbox " + n}}},
                 {"company", {{"code", "sandbox"}, {"name", "Sandbox Inc."}}},
                 {"customFields",
                  Json::array(
                      {{{"name", "Context"}, {"valueType", "string"}, {"section", "compute"}}})}});
        }
        fs::path out = fs::path(opt.data_dir) / "users.json";
        std::string text = Json{{"users", file_users}}.dump(2) + "\n";
        {
            std::ofstream f(out, std::ios::trunc);
            f << text;
        }
        ::chmod(out.c_str(), 0600);
    }
    db->transaction([&] {
        for (const auto& fu : file_users) {
            std::string email = fu.value("email", "");
            std::string key = fu.value("apiKey", "");
            if (email.empty() || key.empty())
                throw Error::bad_data("Every user in the users file needs an email and an apiKey.");
            User* existing = nullptr;
            for (auto& [id, u] : loaded)
                if (u.email == email) existing = &u;
            User u = existing ? *existing
                              : User{fu.value("id", random_id(6)), email, key, Json::object(), ""};
            u.api_key = key;
            u.doc["fullName"] = fu.value("fullName", email);
            u.doc["workspace"] =
                fu.value("workspace", Json{{"id", "ws" + u.id}, {"name", "Workspace"}});
            u.doc["company"] = fu.value("company", Json{{"code", "sandbox"}});
            u.doc["customFields"] = fu.value("customFields", Json::array());
            loaded[u.id] = u;
        }
        for (auto& [id, u] : loaded) {
            ensure_user_rows(u);
            db->prepare(
                  "INSERT INTO users(id, email, api_key, doc) VALUES(?,?,?,?) ON CONFLICT(id) DO "
                  "UPDATE "
                  "SET email=excluded.email, api_key=excluded.api_key, doc=excluded.doc")
                .bind(1, u.id)
                .bind(2, u.email)
                .bind(3, u.api_key)
                .bind(4, u.doc.dump())
                .run();
        }
    });
    std::lock_guard lock(users_mu);
    users.clear();
    user_by_key.clear();
    for (auto& [id, u] : loaded) {
        ri::register_secret(u.api_key);
        user_by_key[u.api_key] = id;
        users[id] = u;
    }
}

Json Server::Impl::storage_json(const User& u) const {
    Json cs;
    cs["region"] = st.region;
    cs["container"] = st.container;
    cs["pathBase"] = u.path_base;
    cs["pathPartsBase"] = u.path_base;
    if (st.type == "AzureStorage") {
        cs["storageAccount"] = st.account;
        cs["accountName"] = st.account;
    }
    if (!st.endpoint.empty()) cs["endpoint"] = st.endpoint;
    if (st.type == "S3Storage") cs["pathStyle"] = true;
    return Json{{"id", u.doc["storageId"]},
                {"storageType", st.type},
                {"encryptionType", "default"},
                {"connectionSettings", cs}};
}

Json Server::Impl::credentials(const User& u, const Json& body) {
    bool per_path = body.is_object() && body.contains("paths");
    std::vector<std::string> paths;
    if (per_path) {
        if (body.contains("storage") && body["storage"].is_object() &&
            body["storage"].contains("id") && body["storage"]["id"] != u.doc["storageId"])
            not_found();
        if (!body["paths"].is_array()) fail_fields(400, {{"paths", {"Expected a list of items."}}});
        for (const auto& p : body["paths"]) {
            std::string path =
                p.contains("pathParts") ? p["pathParts"].value("path", "") : p.value("path", "");
            if (path.empty()) fail_fields(400, {{"paths", {"Every path needs pathParts.path."}}});
            if (path.rfind(u.path_base + "/", 0) != 0)
                fail(403, "You do not have permission to perform this action.");
            paths.push_back(path);
        }
    }
    int left = expire_credentials.load();
    bool expired = false;
    while (left > 0 && !(expired = expire_credentials.compare_exchange_weak(left, left - 1))) {
    }
    if (st.type == "S3Storage") {
        return Json{{"storageType", "S3Storage"},
                    {"storageDir", u.path_base},
                    {"accessKey", st.access_key},
                    {"secretKey", expired ? "expired-" + st.secret_key : st.secret_key},
                    {"sessionToken", st.session_token}};
    }
    auto now = std::chrono::system_clock::now();
    storage::SasRequest sas;
    sas.account = st.account;
    sas.container = st.container;
    sas.permissions = "racwdl";
    sas.start = now - std::chrono::minutes(5);
    sas.expiry = expired ? now - std::chrono::minutes(1) : now + std::chrono::hours(1);
    Json out{{"storageType", "AzureStorage"},
             {"storageDir", u.path_base + "/"},
             {"sasToken", storage::make_service_sas(sas, st.account_key)},
             {"expiration", iso_from_epoch(std::floor(now_epoch()) + 3600).substr(0, 23) + "Z"},
             {"paths", Json::array()}};
    for (const auto& p : paths) {
        storage::SasRequest b = sas;
        b.blob = p;
        b.permissions = "racwd";
        out["paths"].push_back({{"path", p},
                                {"pathParts", {{"container", st.container}, {"path", p}}},
                                {"sasToken", storage::make_service_sas(b, st.account_key)}});
    }
    return out;
}

void Server::Impl::on(const char* method, const std::string& pattern, Route route) {
    auto handler = [this, route = std::move(route)](const httplib::Request& req,
                                                    httplib::Response& res) {
        auto user = user_for(req);
        if (!user) return send_json(res, 401, {{"detail", "Invalid token."}});
        Ctx c{req, res, *user};
        try {
            route(c);
        } catch (const HttpError& e) {
            if (e.status == 500 && e.body.is_string()) {
                res.status = 500;
                res.set_content(e.body.get<std::string>(), "text/html");
            } else {
                send_json(res, e.status, e.body);
            }
        } catch (const std::exception& e) {
            log::error("sandbox: {} {}: {}", req.method, req.path, e.what());
            send_json(res, 500, {{"detail", "Internal server error."}});
        }
    };
    std::string m = method;
    if (m == "GET")
        http.Get(pattern, handler);
    else if (m == "POST")
        http.Post(pattern, handler);
    else if (m == "PUT")
        http.Put(pattern, handler);
    else if (m == "PATCH")
        http.Patch(pattern, handler);
    else if (m == "DELETE")
        http.Delete(pattern, handler);
}

void Server::Impl::log_request(const httplib::Request& req, const httplib::Response& res) {
    if (req.path.rfind("/_sandbox/", 0) == 0) return;  // the admin API's own calls are not logged
    LogEntry e;
    e.method = req.method;
    e.path = req.path;
    auto q = req.target.find('?');
    e.query = q == std::string::npos ? "" : req.target.substr(q + 1);
    auto u = user_for(req);
    e.user = u ? u->email : "";
    e.scope = req.path.rfind("/api/", 0) == 0
                  ? std::string(ratelimit::scope_name(ratelimit::classify(req.method, req.path)))
                  : "";
    e.status = res.status;
    e.time = now_iso();
    std::lock_guard lock(log_mu);
    e.id = next_log_id++;
    request_log.push_back(e);
    if (request_log.size() > 100000) request_log.pop_front();
}

void Server::Impl::install_middleware() {
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
        if (req.path.rfind("/_sandbox/", 0) == 0) {
            if (!is_loopback(req.remote_addr)) {
                send_json(res, 403, {{"detail", "The admin API answers on loopback only."}});
                return httplib::Server::HandlerResponse::Handled;
            }
            return httplib::Server::HandlerResponse::Unhandled;
        }
        std::optional<Fault> hit;
        {
            std::lock_guard lock(faults_mu);
            for (auto it = faults.begin(); it != faults.end(); ++it) {
                if (!it->method.empty() && it->method != req.method) continue;
                if (!std::regex_search(req.path, it->pattern)) continue;
                hit = *it;
                if (it->count > 0 && --it->count == 0) faults.erase(it);
                break;
            }
        }
        if (hit) {
            if (hit->latency_ms > 0)
                std::this_thread::sleep_for(std::chrono::milliseconds(hit->latency_ms));
            if (hit->drop) {
                // Headers go out, then the connection closes before the promised body.
                res.status = 200;
                res.set_content_provider(1024, "application/json",
                                         [](size_t, size_t, httplib::DataSink&) { return false; });
                return httplib::Server::HandlerResponse::Handled;
            }
            if (hit->status > 0) {
                if (hit->retry_after >= 0)
                    res.set_header("Retry-After", std::to_string(hit->retry_after));
                std::string detail =
                    hit->status == 429
                        ? fmt::format("Request was throttled. Expected available in {} seconds.",
                                      std::max(hit->retry_after, 1))
                        : "Injected fault (ri-sandbox).";
                send_json(res, hit->status, {{"detail", detail}});
                return httplib::Server::HandlerResponse::Handled;
            }
        }
        if (req.path.rfind("/api/", 0) != 0) return httplib::Server::HandlerResponse::Unhandled;
        auto user = user_for(req);
        if (!user) {
            send_json(res, 401, {{"detail", "Invalid token."}});
            return httplib::Server::HandlerResponse::Handled;
        }
        if (rate_factor > 0) {
            auto scope = ratelimit::classify(req.method, req.path);
            ratelimit::TokenBucket* bucket;
            {
                std::lock_guard lock(rate_mu);
                auto& b = buckets[{user->id, static_cast<int>(scope)}];
                if (!b) {
                    auto lim = ratelimit::default_limit(scope);
                    b = std::make_unique<ratelimit::TokenBucket>(
                        lim.hard_per_second * rate_factor, std::max(1.0, lim.burst * rate_factor));
                }
                bucket = b.get();
            }
            double wait = bucket->try_take(1).count();
            if (wait > 0) {
                auto secs = static_cast<long>(std::ceil(wait));
                res.set_header("Retry-After", std::to_string(secs));
                send_json(res, 429,
                          {{"detail",
                            fmt::format("Request was throttled. Expected available in {} second{}.",
                                        secs, secs == 1 ? "" : "s")}});
                return httplib::Server::HandlerResponse::Handled;
            }
        }
        return httplib::Server::HandlerResponse::Unhandled;
    });
    http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
        if (res.body.empty() && res.status == 404) send_json(res, 404, {{"detail", "Not found."}});
        if (res.body.empty() && res.status == 405)
            send_json(res, 405, {{"detail", "Method not allowed."}});
    });
    http.set_logger([this](const httplib::Request& req, const httplib::Response& res) {
        log_request(req, res);
    });
}

void Server::Impl::routes_users() {
    auto me = [this](Ctx& c) {
        Json j;
        j["id"] = c.user.id;
        j["email"] = c.user.email;
        j["fullName"] = c.user.doc["fullName"];
        j["company"] = c.user.doc["company"];
        j["workspace"] = c.user.doc["workspace"];
        j["defaultStorage"] = storage_json(c.user);
        c.json(200, j);
    };
    on("GET", "/api/v3/users/me/", me);
    on("GET", "/api/v2/users/me/", me);
    on("GET", "/api/v3/users/me/folders/", [](Ctx& c) {
        const Json& f = c.user.doc["folders"];
        c.json(200, {{"myJobs", f["myJobs"]}, {"myLibrary", f["myLibrary"]}});
    });
    on("GET", "/api/v2/users/me/projects/", [](Ctx& c) {
        c.json(200, paginate(c, {Json{{"id", "p" + c.user.id}, {"name", "Default project"}}}));
    });
    on("POST", "/api/v3/credentials/",
       [this](Ctx& c) { c.json(201, credentials(c.user, c.body())); });
    on("GET", "/api/v3/automations/", [](Ctx& c) { c.json(200, paginate(c, {})); });
    on("GET", R"(/api/v2/organizations/([^/]+)/workspaces/([^/]+)/custom-fields/)", [](Ctx& c) {
        if (c.user.doc["company"].value("code", "") != c.arg(1) ||
            c.user.doc["workspace"].value("id", "") != c.arg(2))
            not_found();
        Json fields = Json::object();
        for (const auto& f : c.user.doc["customFields"]) {
            std::string section = f.value("section", "compute");
            Json def{{"name", f.value("name", "")},
                     {"valueType", f.value("valueType", "string")},
                     {"enumOptions", f.value("enumOptions", Json::array())},
                     {"section", section},
                     {"required", f.value("required", false)},
                     {"defaultValue", f.value("defaultValue", Json(nullptr))}};
            fields[section][f.value("name", "")].push_back(def);
        }
        c.json(200, {{"fields", fields}, {"isEnabled", true}});
    });
}

void Server::Impl::routes_catalog() {
    auto coretypes = [](Ctx& c) {
        std::vector<Json> items;
        std::string active = c.param("isActive");
        for (const auto& t : core_types()) {
            if (active == "true" && !t["isActive"].get<bool>()) continue;
            if (active == "false" && t["isActive"].get<bool>()) continue;
            items.push_back(t);
        }
        order_by(items, c.param("ordering", "displayOrder"));
        c.json(200, paginate(c, items));
    };
    on("GET", "/api/v2/coretypes/", coretypes);
    on("GET", "/api/v3/coretypes/", coretypes);
    auto list = [](Ctx& c) {
        std::vector<Json> items;
        std::string search = c.param("search");
        for (const auto& a : analyses()) {
            if (!search.empty() && a["code"].get<std::string>().find(search) == std::string::npos &&
                a["name"].get<std::string>().find(search) == std::string::npos)
                continue;
            items.push_back(a);
        }
        c.json(200, paginate(c, items));
    };
    on("GET", "/api/v2/analyses/", list);
    on("GET", "/api/v3/analyses/", list);
}

void Server::Impl::routes_admin() {
    auto parse = [](const httplib::Request& req) -> Json {
        if (req.body.empty()) return Json::object();
        return Json::parse(req.body, nullptr, false);
    };
    http.Get("/_sandbox/health", [this](const httplib::Request&, httplib::Response& res) {
        std::lock_guard lock(users_mu);
        send_json(res, 200,
                  {{"status", "ok"},
                   {"users", users.size()},
                   {"storage", st.type},
                   {"jobs", opt.jobs},
                   {"stepSeconds", opt.step_seconds},
                   {"rateLimits", opt.rate_limits}});
    });
    http.Get("/_sandbox/users", [this](const httplib::Request&, httplib::Response& res) {
        Json out = Json::array();
        std::lock_guard lock(users_mu);
        for (const auto& [id, u] : users)
            out.push_back({{"id", id},
                           {"email", u.email},
                           {"pathBase", u.path_base},
                           {"folders", u.doc["folders"]}});
        send_json(res, 200, {{"users", out}});
    });
    http.Post("/_sandbox/faults",
              [this, parse](const httplib::Request& req, httplib::Response& res) {
                  Json b = parse(req);
                  if (!b.is_object() || !b.contains("route") || !b["route"].is_string())
                      return send_json(res, 400, {{"route", {"This field is required."}}});
                  Fault f;
                  f.route = b["route"];
                  try {
                      f.pattern = route_regex(f.route);
                  } catch (const std::regex_error&) {
                      return send_json(res, 400, {{"route", {"Not a valid regular expression."}}});
                  }
                  f.method = b.value("method", "");
                  f.status = b.value(
                      "status", (b.value("drop", false) || b.value("latencyMs", 0) > 0) ? 0 : 503);
                  f.retry_after = b.value("retryAfter", -1);
                  f.latency_ms = b.value("latencyMs", 0);
                  f.drop = b.value("drop", false);
                  f.count = b.value("count", -1);
                  std::lock_guard lock(faults_mu);
                  f.id = next_fault_id++;
                  faults.push_back(f);
                  send_json(res, 201, {{"id", f.id}, {"route", f.route}, {"count", f.count}});
              });
    http.Post("/_sandbox/credentials/expire",
              [this, parse](const httplib::Request& req, httplib::Response& res) {
                  Json b = parse(req);
                  if (!b.is_object() || !b.contains("count") || !b["count"].is_number_integer() ||
                      b["count"].get<int>() < 0)
                      return send_json(res, 400, {{"count", {"A whole number >= 0 is required."}}});
                  expire_credentials = b["count"].get<int>();
                  send_json(res, 200, {{"count", expire_credentials.load()}});
              });
    http.Get("/_sandbox/faults", [this](const httplib::Request&, httplib::Response& res) {
        Json out = Json::array();
        std::lock_guard lock(faults_mu);
        for (const auto& f : faults)
            out.push_back({{"id", f.id},
                           {"route", f.route},
                           {"method", f.method},
                           {"status", f.status},
                           {"retryAfter", f.retry_after},
                           {"latencyMs", f.latency_ms},
                           {"drop", f.drop},
                           {"count", f.count}});
        send_json(res, 200, {{"faults", out}});
    });
    http.Delete("/_sandbox/faults", [this](const httplib::Request&, httplib::Response& res) {
        std::lock_guard lock(faults_mu);
        faults.clear();
        res.status = 204;
    });
    http.Get("/_sandbox/requests", [this](const httplib::Request& req, httplib::Response& res) {
        uint64_t since = 0;
        if (req.has_param("since")) {
            auto v = req.get_param_value("since");
            std::from_chars(v.data(), v.data() + v.size(), since);
        }
        Json out = Json::array();
        std::lock_guard lock(log_mu);
        for (const auto& e : request_log) {
            if (e.id <= since) continue;
            out.push_back({{"id", e.id},
                           {"method", e.method},
                           {"path", e.path},
                           {"query", e.query},
                           {"user", e.user},
                           {"scope", e.scope},
                           {"status", e.status},
                           {"time", e.time}});
        }
        send_json(res, 200, {{"requests", out}, {"last", next_log_id - 1}});
    });
    http.Delete("/_sandbox/requests", [this](const httplib::Request&, httplib::Response& res) {
        std::lock_guard lock(log_mu);
        request_log.clear();
        res.status = 204;
    });
    http.Post(R"(/_sandbox/jobs/([^/]+)/status)",
              [this, parse](const httplib::Request& req, httplib::Response& res) {
                  Json b = parse(req);
                  std::lock_guard dbl(db_mu);
                  auto job = find_job("", req.matches[1].str());
                  if (!job) return send_json(res, 404, {{"detail", "Not found."}});
                  if (!b.is_object() || !b.contains("status") || !b["status"].is_string())
                      return send_json(res, 400, {{"status", {"This field is required."}}});
                  std::string reason = b.value("statusReason", "");
                  job->submitted = true;
                  save_job(*job);
                  add_status(job->id, b["status"], reason);
                  send_json(res, 200, job_json(*find_job("", job->id), 3, true));
              });
    http.Post(R"(/_sandbox/jobs/([^/]+)/tags)", [this, parse](const httplib::Request& req,
                                                              httplib::Response& res) {
        Json b = parse(req);
        std::lock_guard dbl(db_mu);
        auto job = find_job("", req.matches[1].str());
        if (!job) return send_json(res, 404, {{"detail", "Not found."}});
        std::vector<std::string> names;
        if (b.contains("name") && b["name"].is_string()) names.push_back(b["name"]);
        if (b.contains("tags") && b["tags"].is_array())
            for (const auto& t : b["tags"])
                if (t.is_string()) names.push_back(t);
        for (const auto& n : names)
            db->prepare("INSERT OR IGNORE INTO tags(kind, item, name) VALUES('job', ?, ?)")
                .bind(1, job->id)
                .bind(2, n)
                .run();
        send_json(res, 200, tags_of("job", job->id));
    });
    http.Post(R"(/_sandbox/jobs/([^/]+)/custom-fields)", [this, parse](const httplib::Request& req,
                                                                       httplib::Response& res) {
        Json b = parse(req);
        std::lock_guard dbl(db_mu);
        auto job = find_job("", req.matches[1].str());
        if (!job) return send_json(res, 404, {{"detail", "Not found."}});
        if (!b.is_object())
            return send_json(res, 400, {{"detail", "Expected an object of field values."}});
        for (auto& [k, v] : b.items())
            job->doc["customFields"][k] = v;
        save_job(*job);
        send_json(res, 200, job->doc["customFields"]);
    });
}

nlohmann::ordered_json list_users(const std::string& data_dir) {
    fs::path path = fs::path(data_dir) / "sandbox.db";
    if (!fs::exists(path))
        throw Error::missing_input(fmt::format("{} holds no sandbox (no sandbox.db).", data_dir));
    StateStore db = StateStore::open(path, migrations());
    Json out = Json::array();
    auto q = db.prepare("SELECT id, email, doc FROM users ORDER BY email");
    while (q.step()) {
        Json doc = Json::parse(q.column_text(2));
        out.push_back({{"kind", "user"},
                       {"id", q.column_text(0)},
                       {"email", q.column_text(1)},
                       {"full_name", doc.value("fullName", "")},
                       {"workspace", doc.value("workspace", Json::object())},
                       {"folders", doc.value("folders", Json::object())}});
    }
    return out;
}

Server::Server(Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
Server::~Server() = default;

int Server::bind() {
    auto& s = *impl_;
    s.open();
    s.http.new_task_queue = [] { return new httplib::ThreadPool(32); };
    s.http.set_payload_max_length(size_t(8) << 30);
    s.http.set_keep_alive_timeout(30);
    // Answers go out at once: without TCP_NODELAY a response written in two pieces (headers,
    // body) waits for the client's delayed ACK, ~40 ms per API call on Linux.
    s.http.set_tcp_nodelay(true);
    s.install_middleware();
    s.routes_users();
    s.routes_catalog();
    s.routes_files();
    s.routes_jobs();
    s.routes_admin();
    if (s.opt.port == 0) {
        s.port = s.http.bind_to_any_port(s.opt.bind);
    } else {
        s.port = s.http.bind_to_port(s.opt.bind, s.opt.port) ? s.opt.port : -1;
    }
    if (s.port <= 0)
        throw Error::unavailable(fmt::format("Cannot listen on {}:{}.", s.opt.bind, s.opt.port));
    return s.port;
}

std::string Server::url() const {
    std::string host = impl_->opt.bind == "0.0.0.0" ? "127.0.0.1" : impl_->opt.bind;
    return fmt::format("http://{}:{}", host, impl_->port);
}

void Server::serve_until_cancelled() {
    auto& s = *impl_;
    s.start_runner();
    s.start_md5_worker();
    std::thread listener([&s] { s.http.listen_after_bind(); });
    while (!cancel::requested())
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    s.http.stop();
    listener.join();
    s.stop_runner();
}

}  // namespace ri::sandbox
