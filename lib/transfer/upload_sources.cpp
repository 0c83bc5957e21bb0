#include "transfer/upload_sources.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

#include "core/error.hpp"

namespace ri::transfer {
namespace fs = std::filesystem;

namespace {

std::string join_key(const std::string& prefix, const std::string& rel) {
    if (prefix.empty() || prefix.back() == '/') return prefix + rel;
    return prefix + "/" + rel;
}

}  // namespace

SourceScan scan_upload_sources(const std::vector<std::string>& sources,
                               const storage::ObjectUrl& dest, const PathFilter& filter,
                               const std::function<void(const std::string&)>& warn) {
    SourceScan scan;
    bool exact_key = !dest.is_prefix();
    for (const auto& source : sources) {
        std::error_code ec;
        fs::file_status st = fs::status(source, ec);
        if (ec || !fs::exists(st)) {
            throw Error::missing_input(fmt::format("'{}' does not exist.", source), ec.message());
        }
        if (fs::is_regular_file(st)) {
            std::string name = fs::path(source).filename().string();
            std::string key = exact_key ? dest.key : join_key(dest.key, name);
            scan.items.push_back({source, key, nullptr});
            scan.bytes += fs::file_size(source, ec);
            continue;
        }
        if (!fs::is_directory(st)) {
            warn(fmt::format("skipping '{}': not a regular file or directory", source));
            continue;
        }
        if (exact_key) {
            throw Error::usage(fmt::format(
                "'{}' is a directory: the destination must be a prefix ending in '/'.", source));
        }
        // "dir" keeps its name under the prefix; "dir/" puts its contents there (rsync's rule).
        std::string base = source.back() == '/' ? "" : fs::path(source).filename().string();
        std::string root = base.empty() ? dest.key : join_key(dest.key, base) + "/";
        std::vector<UploadItem> found;
        fs::recursive_directory_iterator it(source, fs::directory_options::none, ec), end;
        if (ec) throw file_error(FileRole::input, source, ec.value(), "listing");
        for (; it != end; it.increment(ec)) {
            if (ec) throw file_error(FileRole::input, it->path().string(), ec.value(), "listing");
            std::string rel = fs::relative(it->path(), source, ec).generic_string();
            fs::file_status s = it->symlink_status();
            if (fs::is_directory(s)) {
                if (!filter.keeps_directory(rel)) it.disable_recursion_pending();
                continue;
            }
            if (fs::is_symlink(s)) {
                fs::file_status target = it->status(ec);
                if (ec || !fs::is_regular_file(target)) {
                    warn(fmt::format("skipping '{}': a symlink to something other than a file",
                                     it->path().string()));
                    continue;
                }
            } else if (!fs::is_regular_file(s)) {
                warn(fmt::format("skipping '{}': not a regular file", it->path().string()));
                continue;
            }
            if (!filter.keeps_file(rel)) continue;
            found.push_back({it->path().string(), root + rel, nullptr});
            scan.bytes += fs::file_size(it->path(), ec);
        }
        // A stable order: the same command resumes the same way and reports in order.
        std::sort(found.begin(), found.end(),
                  [](const auto& a, const auto& b) { return a.key < b.key; });
        scan.items.insert(scan.items.end(), found.begin(), found.end());
    }
    if (exact_key && scan.items.size() > 1) {
        throw Error::usage(
            fmt::format("{} files cannot all go to one key '{}': end the destination with '/'.",
                        scan.items.size(), dest.key));
    }
    return scan;
}

}  // namespace ri::transfer
