// PlatformClient: jobs and the hardware/software catalog (reference §2.3, §2.4). Polling calls
// (statuses, output files, runs) use the v2 paths, which spend the large jobs-usage budget
// (25/s) instead of the user scope (2/s) that every v3 call shares.
#include <fmt/format.h>

#include "http/url_parts.hpp"
#include "platform/platform_client.hpp"

namespace ri::platform {

namespace {

std::string jobs_path(ApiVersion v) {
    return v == ApiVersion::v2 ? "/api/v2/jobs/" : "/api/v3/jobs/";
}

std::string query_of(const std::vector<std::pair<std::string, std::string>>& params) {
    std::string q;
    for (const auto& [k, v] : params) {
        if (v.empty()) continue;
        q += fmt::format("{}{}={}", q.empty() ? "?" : "&", k, http::uri_encode(v, false));
    }
    return q;
}

}  // namespace

Job PlatformClient::create_job(const Json& body, ApiVersion version) {
    std::string name = json_string(body, "name");
    CallInfo info{fmt::format("creating job '{}'", name), fmt::format("job '{}'", name), false};
    return Job::from_json(call("POST", jobs_path(version), &body, info));
}

void PlatformClient::submit_job(const std::string& id) {
    call("POST", "/api/v2/jobs/" + id_segment(id, "job") + "/submit/", nullptr,
         {"submitting job " + id, "job " + id, false});
}

void PlatformClient::stop_job(const std::string& id) {
    call("POST", "/api/v3/jobs/" + id_segment(id, "job") + "/stop/", nullptr,
         {"stopping job " + id, "job " + id});
}

void PlatformClient::delete_job(const std::string& id, bool delete_input_files) {
    std::string path = delete_input_files
                           ? "/api/v2/jobs/" + id_segment(id, "job") + "/?deleteInputFiles=true"
                           : "/api/v3/jobs/" + id_segment(id, "job") + "/";
    call("DELETE", path, nullptr, {"deleting job " + id, "job " + id});
}

Job PlatformClient::get_job(const std::string& id) {
    return Job::from_json(
        get("/api/v3/jobs/" + id_segment(id, "job") + "/", {"reading job " + id, "job " + id}));
}

Job PlatformClient::patch_job(const std::string& id, const Json& changes) {
    Json j = call("PATCH", "/api/v2/jobs/" + id_segment(id, "job") + "/", &changes,
                  {"updating job " + id, "job " + id});
    Job job = Job::from_json(j);
    if (job.id.empty()) job.id = id;
    return job;
}

size_t PlatformClient::list_jobs(const JobQuery& q, const std::function<bool(const Job&)>& on_job) {
    std::string search = !q.tag.empty() ? "#" + q.tag : q.search;
    std::string path = jobs_path(q.use_v2() ? ApiVersion::v2 : ApiVersion::v3) +
                       query_of({{"state", q.state},
                                 {"job_status", q.job_status},
                                 {"q", search},
                                 {"ordering", q.ordering}});
    PageOptions pages;
    pages.limit = q.limit;
    return paginate(
        path, {"listing jobs", "the job list"},
        [&](const Json& j) { return on_job(Job::from_json(j)); }, pages);
}

std::vector<Job> PlatformClient::list_jobs(const JobQuery& q) {
    std::vector<Job> out;
    list_jobs(q, [&](const Job& j) {
        out.push_back(j);
        return true;
    });
    return out;
}

std::vector<JobStatus> PlatformClient::job_statuses(const std::string& id) {
    return collect<JobStatus>("/api/v2/jobs/" + id_segment(id, "job") + "/statuses/",
                              {"reading the statuses of job " + id, "job " + id});
}

size_t PlatformClient::job_files(const std::string& id,
                                 const std::function<bool(const CloudFile&)>& on_file,
                                 const std::string& search, size_t limit) {
    PageOptions pages;
    pages.limit = limit;
    return paginate(
        "/api/v2/jobs/" + id_segment(id, "job") + "/files/" + query_of({{"search", search}}),
        {"listing the output files of job " + id, "job " + id},
        [&](const Json& j) { return on_file(CloudFile::from_json(j)); }, pages);
}

std::vector<CloudFile> PlatformClient::job_files(const std::string& id, const std::string& search) {
    std::vector<CloudFile> out;
    job_files(
        id,
        [&](const CloudFile& f) {
            out.push_back(f);
            return true;
        },
        search);
    return out;
}

std::vector<JobRun> PlatformClient::job_runs(const std::string& id) {
    return collect<JobRun>("/api/v2/jobs/" + id_segment(id, "job") + "/runs/",
                           {"listing the runs of job " + id, "job " + id});
}

std::vector<RunFile> PlatformClient::run_files(const std::string& job_id,
                                               const std::string& run_id) {
    return collect<RunFile>("/api/v2/jobs/" + id_segment(job_id, "job") + "/runs/" +
                                id_segment(run_id, "run") + "/files/",
                            {fmt::format("listing the files of run {} of job {}", run_id, job_id),
                             fmt::format("run {} of job {}", run_id, job_id)});
}

std::vector<std::string> PlatformClient::tail(const std::string& job_id, const std::string& run_id,
                                              const std::string& path, int lines) {
    if (path.empty()) throw Error::usage("Tail needs a file path inside the run.");
    std::string rel = path.starts_with('/') ? path.substr(1) : path;
    Json j = get(fmt::format("/api/v2/jobs/{}/runs/{}/tail/{}?lines={}", id_segment(job_id, "job"),
                             id_segment(run_id, "run"), http::uri_encode(rel, true), lines),
                 {fmt::format("reading the end of {} in job {}", path, job_id),
                  fmt::format("{} of job {}", path, job_id)});
    std::vector<std::string> out;
    if (auto it = j.find("lines"); j.is_object() && it != j.end() && it->is_array()) {
        for (const auto& l : *it)
            out.push_back(l.is_string() ? l.get<std::string>() : l.dump());
    }
    return out;
}

std::vector<Tag> PlatformClient::job_tags(const std::string& id) {
    return collect<Tag>("/api/v3/jobs/" + id_segment(id, "job") + "/tags/",
                        {"reading the tags of job " + id, "job " + id}, {0, 0, 1000});
}

void PlatformClient::add_job_tag(const std::string& id, const std::string& tag) {
    Json body{{"name", tag}};
    call("POST", "/api/v3/jobs/" + id_segment(id, "job") + "/tags/", &body,
         {fmt::format("tagging job {} with '{}'", id, tag), "job " + id});
}

Json PlatformClient::job_custom_fields(const std::string& id) {
    Json j = get("/api/v3/jobs/" + id_segment(id, "job") + "/custom-fields/",
                 {"reading the custom fields of job " + id, "job " + id});
    return j.is_null() ? Json::object() : j;
}

std::vector<CoreType> PlatformClient::coretypes(bool active_only) {
    return collect<CoreType>(
        active_only ? "/api/v3/coretypes/?isActive=true" : "/api/v3/coretypes/",
        {"listing core types", "the core type list"});
}

std::vector<Analysis> PlatformClient::analyses() {
    return collect<Analysis>("/api/v3/analyses/", {"listing analyses", "the analysis list"});
}

}  // namespace ri::platform
