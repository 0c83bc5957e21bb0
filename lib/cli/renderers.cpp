#include "cli/renderers.hpp"

#include <fmt/format.h>

#include "core/units.hpp"

namespace ri::cli {
namespace {

// A field as text: strings as they are, numbers and the rest as JSON, missing as "".
std::string field(const Json& r, const char* key) {
    auto it = r.find(key);
    if (it == r.end() || it->is_null()) return {};
    return it->is_string() ? it->get<std::string>() : it->dump();
}

// "2019-01-28T21:34:04.447607Z" -> "2019-01-28 21:34"
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

std::string flags_of(const Json& r) {
    std::string out;
    for (const char* f : {"deleted", "recovered", "moved", "created", "in_trash"}) {
        if (r.contains(f) && r[f].is_boolean() && r[f].get<bool>())
            out += std::string(" (") + f + ")";
    }
    if (r.contains("tags") && r["tags"].is_array() && !r["tags"].empty())
        out += " [" + joined(r["tags"]) + "]";
    return out;
}

}  // namespace

std::string item_header() {
    return fmt::format("{:<10} {:>10}  {:<16}  {}", "ID", "SIZE", "DATE", "NAME");
}

std::string file_line(const Json& r) {
    std::string size = r.contains("size") && r["size"].is_number_unsigned()
                           ? units::bytes(r["size"].get<uint64_t>())
                           : "";
    return fmt::format("{:<10} {:>10}  {:<16}  {}{}", field(r, "id"), size,
                       day_and_time(field(r, "date_uploaded")), field(r, "name"), flags_of(r));
}

std::string folder_line(const Json& r) {
    return fmt::format("{:<10} {:>10}  {:<16}  {}/{}", field(r, "id"), "-",
                       day_and_time(field(r, "date")), field(r, "name"), flags_of(r));
}

std::string item_line(const Json& r) {
    return field(r, "kind") == "folder" ? folder_line(r) : file_line(r);
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

namespace {

std::string transfer_line(const Json& r, const char* done_word, const char* skipped_word,
                          const char* from, const char* to) {
    uint64_t size =
        r.contains("size") && r["size"].is_number_unsigned() ? r["size"].get<uint64_t>() : 0;
    return fmt::format("{} {} -> {} ({})", r.contains("skipped") ? skipped_word : done_word,
                       field(r, from), field(r, to), units::bytes(size));
}

}  // namespace

std::string object_upload_line(const Json& r) {
    return transfer_line(r, "uploaded", "skipped ", "path", "url");
}

std::string file_upload_line(const Json& r) {
    return transfer_line(r, "uploaded", "skipped ", "path", "id");
}

std::string object_download_line(const Json& r) {
    return transfer_line(r, "downloaded", "skipped   ", "url", "path");
}

std::string file_download_line(const Json& r) {
    return transfer_line(r, "downloaded", "skipped   ", "id", "path");
}

std::string file_download_subject(const transfer::PlatformDownloadItem& item) {
    return fmt::format("download file {} ('{}')", item.file.id, item.relative_path);
}

}  // namespace ri::cli
