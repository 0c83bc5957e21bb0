#include "platform/job_records.hpp"

#include <fmt/format.h>

namespace ri::platform {

Json job_record(const Job& job, const std::string& status, const std::string& reason) {
    std::string s = status.empty() ? job.status : status;
    std::string why = status.empty() ? job.status_reason : reason;
    Json r{{"kind", "job"}, {"id", job.id}, {"name", job.name}, {"status", s}};
    if (!why.empty()) r["status_reason"] = why;
    if (!job.date_inserted.empty()) r["date_inserted"] = job.date_inserted;
    if (!job.owner.empty()) r["owner"] = job.owner;
    if (job.raw.is_object() && job.raw.contains("tags") && job.raw["tags"].is_array() &&
        !job.raw["tags"].empty()) {
        Json tags = Json::array();
        for (const auto& t : job.raw["tags"])
            tags.push_back(t.is_object() ? t.value("name", "") : t.get<std::string>());
        r["tags"] = tags;
    }
    return r;
}

Json status_record(const std::string& job_id, const JobStatus& s) {
    Json r{{"kind", "status"}, {"job_id", job_id}, {"status", s.status}, {"date", s.status_date}};
    r["reason"] = s.status_reason.empty() ? Json(nullptr) : Json(s.status_reason);
    return r;
}

Json coretype_record(const CoreType& t) {
    const Json& j = t.raw;
    Json r{{"kind", "coretype"}, {"code", t.code}, {"name", t.name}, {"cores", t.cores}};
    for (auto [from, to] : {std::pair{"memory", "memory"},
                            {"price", "price"},
                            {"lowPriorityPrice", "low_priority_price"},
                            {"processorInfo", "processor_info"}}) {
        if (j.is_object() && j.contains(from) && !j[from].is_null()) r[to] = j[from];
    }
    r["is_active"] = t.is_active;
    r["display_order"] = t.display_order;
    return r;
}

Json analysis_record(const Analysis& a, bool full) {
    Json versions = Json::array();
    for (const auto& v : a.versions) {
        Json vr{{"version", v.version}, {"version_code", v.version_code}};
        if (full && !v.allowed_core_types.empty()) vr["allowed_core_types"] = v.allowed_core_types;
        versions.push_back(vr);
    }
    Json r{{"kind", "analysis"}, {"code", a.code}, {"name", a.name}, {"vendor", a.vendor_name}};
    if (full && !a.description.empty()) r["description"] = a.description;
    r["versions"] = versions;
    return r;
}

}  // namespace ri::platform
