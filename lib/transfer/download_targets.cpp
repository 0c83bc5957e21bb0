#include "transfer/download_targets.hpp"

#include <fmt/format.h>

#include "core/error.hpp"

namespace ri::transfer {
namespace fs = std::filesystem;

fs::path confined_path(const fs::path& dir, const std::string& rel) {
    auto refuse = [&](const char* why) {
        return Error::bad_data(
            fmt::format("Refusing to write '{}': {}; nothing is written outside '{}'.", rel, why,
                        dir.string()));
    };
    if (rel.empty()) throw refuse("the name is empty");
    if (rel.front() == '/' || rel.front() == '\\') throw refuse("it is an absolute path");
    if (rel.size() >= 2 && rel[1] == ':' && std::isalpha(static_cast<unsigned char>(rel[0]))) {
        throw refuse("it starts with a drive letter");
    }
    if (rel.find('\\') != std::string::npos) throw refuse("it contains a backslash");
    if (rel.find('\0') != std::string::npos) throw refuse("it contains a NUL byte");
    fs::path out = dir;
    size_t start = 0;
    while (start <= rel.size()) {
        size_t slash = rel.find('/', start);
        std::string part =
            rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
        if (part == "..") throw refuse("it climbs out with '..'");
        if (!part.empty() && part != ".") out /= part;
        if (slash == std::string::npos) break;
        start = slash + 1;
    }
    if (out == dir) throw refuse("it names the directory itself");
    return out;
}

std::vector<DownloadItem> download_targets(storage::Backend& backend, const storage::ObjectUrl& url,
                                           const fs::path& dir, const PathFilter& filter) {
    std::vector<DownloadItem> items;
    if (!url.is_prefix()) {
        std::string name = url.key.substr(url.key.find_last_of('/') + 1);
        DownloadItem item;
        item.key = url.key;
        item.dest = confined_path(dir, name).string();
        items.push_back(std::move(item));
        return items;
    }
    storage::for_each_object(backend, url.key, [&](const storage::ObjectInfo& obj) {
        std::string rel = obj.key.substr(url.key.size());
        if (rel.empty() || rel.back() == '/') return true;  // "folder" marker objects
        if (!filter.keeps_file(rel)) return true;
        DownloadItem item;
        item.key = obj.key;
        item.dest = confined_path(dir, rel).string();
        item.known = obj;
        items.push_back(std::move(item));
        return true;
    });
    return items;
}

}  // namespace ri::transfer
