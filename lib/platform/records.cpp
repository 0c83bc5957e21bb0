#include "platform/records.hpp"

#include <fmt/format.h>

#include "core/units.hpp"

namespace ri::platform {

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

}  // namespace ri::platform
