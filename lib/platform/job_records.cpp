#include "platform/job_records.hpp"

#include <fmt/format.h>

namespace ri::platform {

namespace {

std::string field(const Json& r, const char* key) {
    auto it = r.find(key);
    if (it == r.end() || it->is_null()) return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
}

std::string day_and_time(const std::string& iso) {
    if (iso.size() < 16) return iso;
    std::string s = iso.substr(0, 16);
    s[10] = ' ';
    return s;
}

std::string joined(const Json& list, const char* key = nullptr) {
    std::string out;
    if (!list.is_array()) return out;
    for (const auto& v : list) {
        const Json& x = key ? v.value(key, Json()) : v;
        out += (out.empty() ? "" : ",") + (x.is_string() ? x.get<std::string>() : x.dump());
    }
    return out;
}

}  // namespace

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

std::string job_header() {
    return fmt::format("{:<10} {:<16} {:<16}  {}", "ID", "STATUS", "CREATED", "NAME");
}

std::string job_line(const Json& r) {
    std::string status = field(r, "status");
    for (const char* f : {"deleted", "stop_requested"})
        if (r.contains(f) && r[f] == true)
            status = f == std::string("deleted") ? "(deleted)" : "(stopping)";
    std::string extra;
    if (r.contains("tags")) extra += " [" + joined(r["tags"]) + "]";
    if (r.contains("status_reason")) extra += " - " + field(r, "status_reason");
    return fmt::format("{:<10} {:<16} {:<16}  {}{}", field(r, "id"), status,
                       day_and_time(field(r, "date_inserted")), field(r, "name"), extra);
}

std::string status_header() {
    return fmt::format("{:<20} {:<20}  {}", "DATE", "STATUS", "REASON");
}

std::string status_line(const Json& r) {
    return fmt::format("{:<20} {:<20}  {}", day_and_time(field(r, "date")), field(r, "status"),
                       field(r, "reason"));
}

std::string coretype_header() {
    return fmt::format("{:<14} {:<16} {:<18} {:>8} {:>8}  {}", "CODE", "NAME", "CORES", "MEM/CORE",
                       "$/CORE-H", "PROCESSOR");
}

std::string coretype_line(const Json& r) {
    std::string name = field(r, "name");
    if (r.value("is_active", true) == false) name += " (retired)";
    return fmt::format("{:<14} {:<16} {:<18} {:>8} {:>8}  {}", field(r, "code"), name,
                       joined(r.value("cores", Json::array())), field(r, "memory"),
                       field(r, "price"), field(r, "processor_info"));
}

std::string analysis_header() {
    return fmt::format("{:<16} {:<28} {:<22}  {}", "CODE", "NAME", "VENDOR", "VERSIONS (CODE)");
}

std::string analysis_line(const Json& r) {
    std::string versions;
    if (r.contains("versions"))
        for (const auto& v : r["versions"]) {
            std::string ver = v.value("version", ""), code = v.value("version_code", "");
            versions += (versions.empty() ? "" : ", ") +
                        (ver == code ? ver : fmt::format("{} ({})", ver, code));
        }
    return fmt::format("{:<16} {:<28} {:<22}  {}", field(r, "code"), field(r, "name"),
                       field(r, "vendor"), versions);
}

}  // namespace ri::platform
