#include "platform/records.hpp"

#include <fmt/format.h>

#include "core/units.hpp"

namespace ri::platform {

namespace {

std::string field(const Json& r, const char* key) {
    auto it = r.find(key);
    return it != r.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string day_and_time(const std::string& iso) {
    // "2019-01-28T21:34:04.447607Z" -> "2019-01-28 21:34"
    if (iso.size() < 16) return iso;
    std::string s = iso.substr(0, 16);
    s[10] = ' ';
    return s;
}

std::string flags_of(const Json& r) {
    std::string out;
    for (const char* f : {"deleted", "recovered", "moved", "created", "in_trash"}) {
        if (r.contains(f) && r[f].is_boolean() && r[f].get<bool>())
            out += std::string(" (") + f + ")";
    }
    if (r.contains("tags") && r["tags"].is_array() && !r["tags"].empty()) {
        std::string tags;
        for (const auto& t : r["tags"])
            tags += (tags.empty() ? "" : ",") + t.get<std::string>();
        out += " [" + tags + "]";
    }
    return out;
}

}  // namespace

Json file_record(const CloudFile& f) {
    Json r{{"kind", "file"}, {"id", f.id}, {"name", f.name}, {"size", f.decrypted_size}};
    if (f.type_id) r["type_id"] = f.type_id;
    if (!f.date_uploaded.empty()) r["date_uploaded"] = f.date_uploaded;
    if (!f.sha512.empty()) r["sha512"] = f.sha512;
    if (!f.folder_id.empty()) r["folder_id"] = f.folder_id;
    if (!f.relative_path.empty() && f.relative_path != f.name) r["relative_path"] = f.relative_path;
    if (!f.tags.empty()) r["tags"] = f.tags;
    if (f.raw.is_object() && f.raw.contains("isUploaded") && !f.is_uploaded)
        r["is_uploaded"] = false;
    return r;
}

Json folder_record(const Folder& f) {
    Json r{{"kind", "folder"}, {"id", f.id}, {"name", f.name}};
    if (!f.parent_id.empty()) r["parent_id"] = f.parent_id;
    if (!f.date.empty()) r["date"] = f.date;
    return r;
}

Json item_record(const FolderItem& item) {
    return item.type == FolderItem::Type::file ? file_record(item.file)
                                               : folder_record(item.folder);
}

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

}  // namespace ri::platform
