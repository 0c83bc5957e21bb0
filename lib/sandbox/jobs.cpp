// Jobs: create (v3 and v2 bodies), submit, stop, delete, get, list, statuses, output files,
// runs and tail, tags, custom fields, project assignment.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <filesystem>
#include <fstream>

#include "sandbox/sandbox_impl.hpp"

namespace fs = std::filesystem;

namespace ri::sandbox {
namespace {

const std::set<std::string> kTerminal = {"Completed", "Failed", "Stopped", "Force Stopped",
                                         "Terminated"};

bool is_terminal(const std::string& s) {
    return kTerminal.count(s) > 0;
}

std::string enum_form(std::string s) {
    for (auto& ch : s)
        ch = ch == ' ' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s;
}

std::string cluster_status(const JobRow& j) {
    const std::string& s = j.status;
    if (!j.submitted || s.empty() || s == "Pending") return "Not Started";
    if (s == "Queued") return "Starting";
    if (s == "Stopping") return "Stopping";
    if (is_terminal(s)) return "Stopped";
    return "Started";
}

Json core_code(const Json& core_type) {
    if (core_type.is_string()) return core_type;
    if (core_type.is_object() && core_type.contains("code")) return core_type["code"];
    return nullptr;
}

}  // namespace

std::vector<JobRow> load_jobs(StateStore& db, const std::string& where,
                              const std::vector<std::string>& args) {
    auto q = db.prepare(
        "SELECT id, owner, date_inserted, doc, submitted, status, status_epoch, date_started, "
        "date_completed FROM jobs WHERE " +
        where);
    for (size_t i = 0; i < args.size(); ++i)
        q.bind(static_cast<int>(i + 1), args[i]);
    std::vector<JobRow> out;
    while (q.step()) {
        JobRow j;
        j.id = q.column_text(0);
        j.owner = q.column_text(1);
        j.date_inserted = q.column_text(2);
        j.doc = Json::parse(q.column_text(3));
        j.submitted = q.column_int(4) != 0;
        j.status = q.column_text(5);
        j.status_epoch = std::stod(q.column_text(6).empty() ? "0" : q.column_text(6));
        j.date_started = q.column_text(7);
        j.date_completed = q.column_text(8);
        out.push_back(std::move(j));
    }
    return out;
}

std::optional<JobRow> Server::Impl::find_job(const std::string& owner, const std::string& id) {
    std::lock_guard dbl(db_mu);
    auto rows = owner.empty() ? load_jobs(*db, "id = ?1", {id})
                              : load_jobs(*db, "id = ?1 AND owner = ?2", {id, owner});
    if (rows.empty()) return std::nullopt;
    return rows[0];
}

std::vector<JobRow> Server::Impl::jobs_of(const std::string& owner) {
    std::lock_guard dbl(db_mu);
    return load_jobs(*db, "owner = ?1", {owner});
}

void Server::Impl::save_job(const JobRow& j) {
    std::lock_guard dbl(db_mu);
    db->prepare(
          "INSERT INTO jobs(id, owner, date_inserted, doc, submitted, status, status_epoch, "
          "date_started, "
          "date_completed) VALUES(?,?,?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET "
          "doc=excluded.doc, "
          "submitted=excluded.submitted")
        .bind(1, j.id)
        .bind(2, j.owner)
        .bind(3, j.date_inserted)
        .bind(4, j.doc.dump())
        .bind(5, int64_t{j.submitted ? 1 : 0})
        .bind(6, j.status)
        .bind(7, fmt::format("{:.6f}", j.status_epoch))
        .bind(8, j.date_started)
        .bind(9, j.date_completed)
        .run();
}

void Server::Impl::add_status(const std::string& job_id, const std::string& status,
                              const std::string& reason) {
    std::lock_guard dbl(db_mu);
    double now = now_epoch();
    std::string iso = iso_from_epoch(now);
    db->transaction([&] {
        auto q = db->prepare(
            "INSERT INTO job_statuses(job_id, status, status_date, reason) VALUES(?,?,?,?)");
        q.bind(1, job_id).bind(2, status).bind(3, iso);
        if (reason.empty())
            q.bind_null(4);
        else
            q.bind(4, reason);
        q.run();
        db->prepare("UPDATE jobs SET status = ?, status_epoch = ? WHERE id = ?")
            .bind(1, status)
            .bind(2, fmt::format("{:.6f}", now))
            .bind(3, job_id)
            .run();
        if (status == "Executing")
            db->prepare("UPDATE jobs SET date_started = ? WHERE id = ? AND date_started = ''")
                .bind(1, iso)
                .bind(2, job_id)
                .run();
        if (is_terminal(status))
            db->prepare("UPDATE jobs SET date_completed = ? WHERE id = ?")
                .bind(1, iso)
                .bind(2, job_id)
                .run();
    });
    run_cv.notify_all();
}

Json Server::Impl::validate_job_body(const User& u, const Json& body, int version) {
    if (!body.is_object())
        fail_fields(400, {{"non_field_errors", {"Invalid data. Expected a dictionary."}}});
    Json doc = Json::object();
    // The platform answers 500 (not 400) when a job automation lacks environmentVariables
    // (reference §2.3): reproduced, with Django's production error page.
    if (body.contains("jobAutomations") && body["jobAutomations"].is_array()) {
        for (const auto& a : body["jobAutomations"])
            if (!a.is_object() || !a.contains("environmentVariables"))
                throw HttpError{500, Json("<h1>Server Error (500)</h1>")};
    }
    Json errors = Json::object();
    if (body.contains("name") && !body["name"].is_string())
        errors["name"] = {"Not a valid string."};
    if (!body.contains("jobanalyses") || !body["jobanalyses"].is_array() ||
        body["jobanalyses"].empty())
        errors["jobanalyses"] = {"This field is required."};
    if (!errors.empty()) fail_fields(400, errors);
    Json analyses_out = Json::array();
    Json ja_errors = Json::array();
    bool any = false;
    for (const auto& ja : body["jobanalyses"]) {
        Json e = Json::object();
        Json out = ja.is_object() ? ja : Json::object();
        if (!ja.is_object()) {
            e["non_field_errors"] = {"Invalid data. Expected a dictionary."};
        } else {
            if (!ja.contains("command") || !ja["command"].is_string() ||
                ja["command"].get<std::string>().empty())
                e["command"] = {"This field may not be blank."};
            const Json& an = ja.contains("analysis") ? ja["analysis"] : Json();
            std::string code = an.is_object() ? an.value("code", "") : "";
            const Json* a = find_analysis(code);
            if (!a) {
                e["analysis"] = {
                    {"code", {fmt::format("Object with code={} does not exist.", code)}}};
            } else {
                std::string ver =
                    an.is_object() && an.contains("version") && an["version"].is_string()
                        ? an["version"].get<std::string>()
                        : "";
                std::string matched;
                for (const auto& v : (*a)["versions"])
                    if (ver.empty() || v["versionCode"] == ver || v["version"] == ver) {
                        matched = v["versionCode"];
                        break;
                    }
                if (matched.empty())
                    e["analysis"] = {
                        {"version",
                         {fmt::format("Invalid version {} for analysis {}.", ver, code)}}};
                out["analysis"] = {{"code", code}, {"version", matched}};
            }
            const Json& hw = ja.contains("hardware") ? ja["hardware"] : Json();
            if (!hw.is_object()) {
                e["hardware"] = {"This field is required."};
            } else {
                Json he = Json::object();
                Json code_j = core_code(hw.value("coreType", Json()));
                std::string ct = code_j.is_string() ? code_j.get<std::string>() : "";
                if (!find_core_type(ct))
                    he["coreType"] = {fmt::format("Object with code={} does not exist.", ct)};
                Json h = hw;
                h["coreType"] = Json{{"code", ct}};
                for (const char* k : {"coresPerSlot", "slots"}) {
                    if (!hw.contains(k)) {
                        h[k] = 1;
                    } else if (!hw[k].is_number_integer() || hw[k].get<int64_t>() < 1) {
                        he[k] = {"Ensure this value is greater than or equal to 1."};
                    }
                }
                if (hw.contains("walltime") && !hw["walltime"].is_null()) {
                    if (!hw["walltime"].is_number() || hw["walltime"].get<double>() <= 0)
                        he["walltime"] = {"A valid number of hours is required."};
                } else {
                    h["walltime"] = 48;
                }
                if (!he.empty()) e["hardware"] = he;
                out["hardware"] = h;
            }
            Json inputs = Json::array();
            if (ja.contains("inputFiles")) {
                if (!ja["inputFiles"].is_array()) {
                    e["inputFiles"] = {"Expected a list of items."};
                } else {
                    Json ie = Json::array();
                    for (const auto& f : ja["inputFiles"]) {
                        std::string id = f.is_object()
                                             ? f.value("id", "")
                                             : (f.is_string() ? f.get<std::string>() : "");
                        if (id.empty() || !find_file(u.id, id)) {
                            ie.push_back(fmt::format("Invalid file id {}.", id));
                            continue;
                        }
                        inputs.push_back(
                            {{"id", id},
                             {"decompress", f.is_object() ? f.value("decompress", false) : false}});
                    }
                    if (!ie.empty()) e["inputFiles"] = ie;
                }
            }
            out["inputFiles"] = inputs;
            if (!ja.contains("envVars") || ja["envVars"].is_null())
                out["envVars"] = Json::object();
            else if (!ja["envVars"].is_object())
                e["envVars"] = {"Expected a dictionary of items."};
            for (const char* k : {"useRescaleLicense"})
                if (!out.contains(k)) out[k] = false;
            for (const char* k : {"onDemandLicenseSeller", "userDefinedLicenseSettings"})
                if (!out.contains(k)) out[k] = nullptr;
        }
        if (!e.empty()) any = true;
        ja_errors.push_back(e);
        analyses_out.push_back(out);
    }
    if (any) fail_fields(400, {{"jobanalyses", ja_errors}});
    doc["name"] = body.value("name", "Untitled Job");
    doc["description"] = body.value("description", "");
    doc["isLowPriority"] = body.value("isLowPriority", false);
    doc["projectId"] = body.value("projectId", Json(nullptr));
    doc["clusterId"] = body.value("clusterId", Json(nullptr));
    doc["jobanalyses"] = analyses_out;
    doc["jobAutomations"] = body.value("jobAutomations", Json::array());
    Json cf = Json::object();
    if (body.contains("customFields")) {
        const Json& given = body["customFields"];
        if (given.is_object())
            for (auto& [k, v] : given.items())
                cf[k] = v.is_object() && v.contains("value") ? v["value"] : v;
        else if (given.is_array())
            for (const auto& f : given)
                if (f.is_object() && f.contains("name"))
                    cf[f["name"].get<std::string>()] = f.value("value", Json());
    }
    doc["customFields"] = cf;
    for (const char* k : {"useMpi", "flags", "preProcessScript", "postProcessScript",
                          "templateTasks", "jobvariables", "paramFile"})
        if (body.contains(k)) doc[k] = body[k];
    doc["apiVersion"] = version;
    return doc;
}

Json Server::Impl::job_json(const JobRow& j, int version, bool with_status) {
    const User* owner = user_by_id(j.owner);
    Json o;
    o["id"] = j.id;
    o["name"] = j.doc.value("name", "");
    o["description"] = j.doc.value("description", "");
    o["dateInserted"] = j.date_inserted;
    Json analyses_j = j.doc["jobanalyses"];
    if (version == 2) {
        for (auto& ja : analyses_j) {
            Json& hw = ja["hardware"];
            std::string ct = hw["coreType"].value("code", "");
            hw["coreType"] = ct;
            const Json* t = find_core_type(ct);
            int per = hw.value("coresPerSlot", 1), slots = hw.value("slots", 1);
            hw["coreSummary"] = {{"numCores", per * slots},
                                 {"coreType", ct},
                                 {"coreTypeName", t ? (*t)["name"] : Json(ct)},
                                 {"memory", t ? (*t)["memory"].get<int>() * per * slots : 0}};
        }
    }
    o["jobanalyses"] = analyses_j;
    o["isLowPriority"] = j.doc.value("isLowPriority", false);
    o["owner"] = owner ? owner->email : j.owner;
    o["projectId"] = j.doc.value("projectId", Json(nullptr));
    o["clusterId"] = j.doc.value("clusterId", Json(nullptr));
    o["jobAutomations"] = j.doc.value("jobAutomations", Json::array());
    Json tags = Json::array();
    for (const auto& t : tags_of("job", j.id))
        tags.push_back(t["name"]);
    o["tags"] = tags;
    o["sharedWith"] = Json::array();
    if (with_status) {
        std::string reason;
        {
            std::lock_guard dbl(db_mu);
            auto q = db->prepare(
                "SELECT IFNULL(reason,'') FROM job_statuses WHERE job_id = ? ORDER BY id DESC "
                "LIMIT 1");
            q.bind(1, j.id);
            if (q.step()) reason = q.column_text(0);
        }
        o["jobStatus"] = {
            {"content", j.submitted && !j.status.empty() ? j.status : "Not Submitted"},
            {"labelClass", ""},
            {"useLabel", false},
            {"statusReason", reason.empty() ? Json(nullptr) : Json(reason)}};
        o["clusterStatusDisplay"] = {
            {"content", cluster_status(j)}, {"labelClass", ""}, {"useLabel", false}};
        Json names = Json::array();
        for (const auto& ja : j.doc["jobanalyses"]) {
            const Json* a = find_analysis(ja["analysis"].value("code", ""));
            names.push_back(a ? (*a)["name"] : ja["analysis"]["code"]);
        }
        o["analysisNames"] = names;
        o["storage"] = owner ? storage_json(*owner) : Json(nullptr);
    }
    return o;
}

void Server::Impl::routes_jobs() {
    auto create = [this](int version) {
        return [this, version](Ctx& c) {
            Json b = c.body();
            Json doc = validate_job_body(c.user, b, version);
            JobRow j;
            j.id = random_id(6);
            j.owner = c.user.id;
            j.date_inserted = now_iso();
            j.doc = doc;
            save_job(j);
            if (b.contains("tags") && b["tags"].is_array()) {
                std::lock_guard dbl(db_mu);
                for (const auto& t : b["tags"]) {
                    std::string name = t.is_string() ? t.get<std::string>()
                                                     : (t.is_object() ? t.value("name", "") : "");
                    if (!name.empty())
                        db->prepare(
                              "INSERT OR IGNORE INTO tags(kind, item, name) VALUES('job', ?, ?)")
                            .bind(1, j.id)
                            .bind(2, name)
                            .run();
                }
            }
            c.json(201, job_json(j, version, false));
        };
    };
    on("POST", "/api/v3/jobs/", create(3));
    on("POST", "/api/v2/jobs/", create(2));

    auto list = [this](int version) {
        return [this, version](Ctx& c) {
            std::string state = c.param("state"), status = c.param("job_status"), q = c.param("q");
            std::vector<Json> items;
            for (const auto& j : jobs_of(c.user.id)) {
                std::string s = j.submitted ? j.status : "";
                if (state == "completed" && !is_terminal(s)) continue;
                if (state == "not_completed" && is_terminal(s)) continue;
                if (!status.empty() && enum_form(s) != enum_form(status)) continue;
                if (!q.empty()) {
                    if (q[0] == '#') {
                        bool has = false;
                        for (const auto& t : tags_of("job", j.id))
                            if (t["normalizedName"] == Json(q.substr(1)) ||
                                t["name"] == Json(q.substr(1)))
                                has = true;
                        if (!has) continue;
                    } else if (j.doc.value("name", "").find(q) == std::string::npos) {
                        continue;
                    }
                }
                items.push_back(job_json(j, version, true));
            }
            order_by(items, c.param("ordering", "-dateInserted"));
            c.json(200, paginate(c, items));
        };
    };
    on("GET", "/api/v3/jobs/", list(3));
    on("GET", "/api/v2/jobs/", list(2));

    for (int v : {2, 3}) {
        std::string base = fmt::format("/api/v{}/jobs/([A-Za-z0-9]+)/", v);
        on("GET", base, [this, v](Ctx& c) {
            auto j = find_job(c.user.id, c.arg(1));
            if (!j) not_found();
            c.json(200, job_json(*j, v, false));
        });
        on("PATCH", base, [this, v](Ctx& c) {
            auto j = find_job(c.user.id, c.arg(1));
            if (!j) not_found();
            Json b = c.body();
            if (!b.is_object()) fail(400, "Expected a JSON object.");
            for (const char* k : {"name", "description", "projectId", "isLowPriority"})
                if (b.contains(k)) j->doc[k] = b[k];
            save_job(*j);
            c.json(200, job_json(*j, v, false));
        });
        on("DELETE", base, [this](Ctx& c) {
            auto j = find_job(c.user.id, c.arg(1));
            if (!j) not_found();
            if (j->submitted && !is_terminal(j->status))
                fail(400, "The job's cluster is still running; stop the job before deleting it.");
            if (c.param("deleteInputFiles") == "true")
                for (const auto& ja : j->doc["jobanalyses"])
                    for (const auto& in : ja["inputFiles"])
                        if (auto f = find_file(c.user.id, in["id"])) delete_file_row(*f, true);
            for (const auto& f : files_where("job_id = ?1", {j->id}))
                delete_file_row(f, true);
            {
                std::lock_guard dbl(db_mu);
                db->prepare("DELETE FROM jobs WHERE id = ?").bind(1, j->id).run();
                db->prepare("DELETE FROM job_statuses WHERE job_id = ?").bind(1, j->id).run();
                db->prepare("DELETE FROM tags WHERE kind = 'job' AND item = ?")
                    .bind(1, j->id)
                    .run();
            }
            std::error_code ec;
            fs::remove_all(scratch_dir(j->id), ec);
            c.res.status = 204;
        });
        on("POST", base + "stop/", [this](Ctx& c) {
            auto j = find_job(c.user.id, c.arg(1));
            if (!j) not_found();
            if (!j->submitted || is_terminal(j->status)) fail(400, "The job is not running.");
            if (j->status != "Stopping") add_status(j->id, "Stopping", "");
            c.json(202, Json::object());
        });
        on("GET", base + "statuses/", [this](Ctx& c) {
            auto j = find_job(c.user.id, c.arg(1));
            if (!j) not_found();
            std::vector<Json> items;
            std::lock_guard dbl(db_mu);
            auto q = db->prepare(
                "SELECT id, status, status_date, reason FROM job_statuses WHERE job_id = ? ORDER "
                "BY id DESC");
            q.bind(1, j->id);
            while (q.step())
                items.push_back(
                    {{"id", std::to_string(q.column_int(0))},
                     {"jobId", j->id},
                     {"status", q.column_text(1)},
                     {"statusDate", q.column_text(2)},
                     {"statusReason", q.column_is_null(3) ? Json(nullptr) : Json(q.column_text(3))},
                     {"substatus", nullptr}});
            c.json(200, paginate(c, items));
        });
        routes_tags("job", base + "tags/",
                    [this](Ctx& c) { return find_job(c.user.id, c.arg(1)).has_value(); });
        on("GET", base + "custom-fields/", [this](Ctx& c) {
            auto j = find_job(c.user.id, c.arg(1));
            if (!j) not_found();
            Json out = Json::object();
            for (const auto& f : c.user.doc["customFields"]) {
                std::string name = f.value("name", "");
                out[name] = {{"meta", f}, {"value", j->doc["customFields"].value(name, Json())}};
            }
            for (auto& [k, val] : j->doc["customFields"].items())
                if (!out.contains(k)) out[k] = {{"meta", {{"name", k}}}, {"value", val}};
            c.json(200, out);
        });
    }

    on("POST", "/api/v2/jobs/([A-Za-z0-9]+)/submit/", [this](Ctx& c) {
        std::lock_guard dbl(db_mu);
        auto j = find_job(c.user.id, c.arg(1));
        if (!j) not_found();
        if (j->submitted) fail(400, "The job has already been submitted.");
        j->submitted = true;
        save_job(*j);
        add_status(j->id, "Pending", "");
        c.json(200, Json::object());
    });
    on("GET", "/api/v2/jobs/([A-Za-z0-9]+)/cluster_statuses/", [this](Ctx& c) {
        auto j = find_job(c.user.id, c.arg(1));
        if (!j) not_found();
        std::vector<Json> items;
        std::string last;
        std::lock_guard dbl(db_mu);
        auto q = db->prepare(
            "SELECT status, status_date FROM job_statuses WHERE job_id = ? ORDER BY id");
        q.bind(1, j->id);
        while (q.step()) {
            JobRow tmp = *j;
            tmp.submitted = true;
            tmp.status = q.column_text(0);
            std::string cs = cluster_status(tmp);
            if (tmp.status == "Stopping") cs = "Stop Requested";
            if (cs == last) continue;
            last = cs;
            items.insert(items.begin(), Json{{"status", cs}, {"statusDate", q.column_text(1)}});
        }
        c.json(200, paginate(c, items));
    });
    on("GET", "/api/v2/jobs/([A-Za-z0-9]+)/files/", [this](Ctx& c) {
        auto j = find_job(c.user.id, c.arg(1));
        if (!j) not_found();
        std::string search = c.param("search");
        std::vector<Json> items;
        for (const auto& f :
             files_where("job_id = ?1 AND owner = ?2 ORDER BY json_extract(doc, '$.relativePath')",
                         {j->id, c.user.id})) {
            if (!search.empty() &&
                f.doc.value("relativePath", f.name).find(search) == std::string::npos)
                continue;
            items.push_back(file_json(f, c.base_url()));
        }
        c.json(200, paginate(c, items));
    });
    on("GET", "/api/v2/jobs/([A-Za-z0-9]+)/runs/", [this](Ctx& c) {
        auto j = find_job(c.user.id, c.arg(1));
        if (!j) not_found();
        std::vector<Json> items;
        if (!j->date_started.empty())
            items.push_back({{"id", "1"},
                             {"dateStarted", j->date_started},
                             {"dateCompleted",
                              j->date_completed.empty() ? Json(nullptr) : Json(j->date_completed)},
                             {"isCurrent", !is_terminal(j->status)}});
        c.json(200, paginate(c, items));
    });
    on("GET", "/api/v2/jobs/([A-Za-z0-9]+)/runs/([0-9]+)/files/", [this](Ctx& c) {
        auto j = find_job(c.user.id, c.arg(1));
        if (!j || c.arg(2) != "1" || j->date_started.empty()) not_found();
        std::vector<Json> items;
        auto outputs =
            files_where("job_id = ?1 ORDER BY json_extract(doc, '$.relativePath')", {j->id});
        if (!outputs.empty() || is_terminal(j->status)) {
            for (const auto& f : outputs)
                items.push_back({{"id", f.id},
                                 {"name", f.name},
                                 {"size", f.doc.value("decryptedSize", uint64_t{0})},
                                 {"relativePath", f.doc.value("relativePath", f.name)}});
        } else {
            std::error_code ec;
            fs::path root = scratch_dir(j->id);
            for (auto it = fs::recursive_directory_iterator(root, ec);
                 !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
                if (!it->is_regular_file()) continue;
                std::string rel = fs::relative(it->path(), root).string();
                items.push_back({{"id", nullptr},
                                 {"name", it->path().filename().string()},
                                 {"size", it->file_size()},
                                 {"relativePath", rel}});
            }
        }
        c.json(200, paginate(c, items));
    });
    on("GET", "/api/v2/jobs/([A-Za-z0-9]+)/runs/([0-9]+)/tail/(.+)", [this](Ctx& c) {
        auto j = find_job(c.user.id, c.arg(1));
        if (!j || c.arg(2) != "1" || j->date_started.empty()) not_found();
        std::string rel = c.arg(3);
        if (rel.find("..") != std::string::npos || rel[0] == '/') not_found();
        fs::path p = fs::path(scratch_dir(j->id)) / rel;
        std::ifstream in(p);
        if (!in) not_found();
        size_t want = 20;
        if (c.req.has_param("lines")) {
            try {
                want = std::stoul(c.param("lines"));
            } catch (const std::exception&) {
                fail_fields(400, {{"lines", {"A valid integer is required."}}});
            }
        }
        std::deque<std::string> lines;
        for (std::string line; std::getline(in, line);) {
            lines.push_back(line);
            if (lines.size() > want) lines.pop_front();
        }
        c.json(200, {{"lines", Json(std::vector<std::string>(lines.begin(), lines.end()))}});
    });
    on("POST", "/api/v2/organizations/([^/]+)/jobs/([A-Za-z0-9]+)/project-assignment/",
       [this](Ctx& c) {
           auto j = find_job(c.user.id, c.arg(2));
           if (!j) not_found();
           Json b = c.body();
           if (!b.is_object() || !b.contains("projectId"))
               fail_fields(400, {{"projectId", {"This field is required."}}});
           j->doc["projectId"] = b["projectId"];
           save_job(*j);
           c.json(200, {{"projectId", b["projectId"]}});
       });
    on("GET", "/api/v2/jobs/([A-Za-z0-9]+)/connection_details/", [this](Ctx& c) {
        auto j = find_job(c.user.id, c.arg(1));
        if (!j) not_found();
        c.json(200, Json::object());
    });
}

}  // namespace ri::sandbox
