#include "archive/directory_packer.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "archive/confined_open.hpp"
#include "archive/entry_path.hpp"
#include "archive/tar_naming.hpp"
#include "archive/tree_scan.hpp"
#include "archive/unique_fd.hpp"
#include "core/atomic_file.hpp"
#include "core/error.hpp"

namespace fs = std::filesystem;

namespace ri::archive {
namespace {

void ensure_output_dir(const fs::path& dir) {
    std::error_code ec;
    if (fs::is_directory(dir, ec)) return;
    fs::create_directories(dir, ec);
    if (ec) throw file_error(FileRole::output, dir.string(), ec.value(), "creating the directory");
}

}  // namespace

std::string normalize_subpath(const std::string& subpath) {
    if (subpath.empty()) return {};
    auto n = normalize_entry_path(subpath);
    if (!n) {
        throw Error::usage(fmt::format(
            "--subpath '{}' leaves the run directory; give a path inside it, like results/final.",
            subpath));
    }
    return *n;
}

PackResult pack_directory(const std::string& dir, const PackOptions& options, Progress& progress,
                          const WarnFn& warn, Progress::ItemId caller_item) {
    PackResult r;
    r.source = dir;
    r.subpath = normalize_subpath(options.subpath);

    // The top-level argument may itself be a symlink to the run: it is what the user named.
    UniqueFd run(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (run.get() < 0) {
        int err = errno;
        if (err == ENOTDIR)
            throw Error::missing_input(fmt::format("'{}' is not a directory.", dir));
        throw file_error(FileRole::input, dir, err, "opening the directory");
    }
    UniqueFd sub;
    int root_fd = run.get();
    std::string display = dir;
    fs::path named = dir;
    if (!r.subpath.empty()) {
        display = (fs::path(dir) / r.subpath).string();
        named = fs::path(dir) / r.subpath;
        sub = UniqueFd(open_beneath(run.get(), r.subpath, O_RDONLY | O_DIRECTORY));
        if (sub.get() < 0) {
            int err = errno;
            if (err == EXDEV || err == ELOOP) {
                throw Error::bad_data(fmt::format(
                    "--subpath '{}' leads out of '{}' through a symlink; refusing to archive it.",
                    r.subpath, dir));
            }
            if (err == ENOENT)
                throw Error::missing_input(
                    fmt::format("'{}' has no subdirectory '{}'.", dir, r.subpath));
            if (err == ENOTDIR)
                throw Error::missing_input(fmt::format("'{}' is not a directory.", display));
            throw file_error(FileRole::input, display, err, "opening the directory");
        }
        root_fd = sub.get();
    }

    ScanOptions scan_options{options.filter, options.flatten};
    TreeScan scan = scan_tree(root_fd, display, scan_options, warn);

    fs::path naming = naming_path(named);
    std::string prefix;
    if (!options.flatten) {
        prefix = naming.filename().string();
        if (prefix.empty()) prefix = "root";
    }
    ensure_output_dir(options.output_dir);
    fs::path archive_path =
        (options.output_dir / archive_file_name(named, options.format.compression))
            .lexically_normal();
    r.archive = archive_path.string();

    Progress::ItemId item = caller_item;
    if (item) {
        progress.resize(item, scan.bytes);
        progress.start(item, "packing");
    } else {
        item = progress.begin("packing", display, scan.bytes);
    }
    Progress::ItemId ender = caller_item ? 0 : item;  // the caller ends its own item
    try {
        AtomicOutput out(r.archive);
        {
            ArchiveWriter writer(out.file().fd(), r.archive, options.format);
            r.bytes = writer.write_tree(root_fd, display, scan, prefix, {&progress, item}, warn);
            writer.close();
        }
        r.size = out.file().size();
        out.commit();
    } catch (const std::exception& e) {
        progress.fail(ender, e);
        throw;
    }
    progress.finish(ender);
    r.files = scan.files;
    r.directories = scan.directories;
    r.symlinks = scan.symlinks;
    return r;
}

}  // namespace ri::archive
