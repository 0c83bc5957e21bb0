#include "archive/tree_scan.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <memory>

#include "archive/entry_path.hpp"
#include "core/cancel.hpp"
#include "core/error.hpp"

namespace ri::archive {
namespace {

struct DirCloser {
    void operator()(DIR* d) const { ::closedir(d); }
};

class Scanner {
  public:
    Scanner(const std::string& display, const ScanOptions& options, const WarnFn& warn)
        : display_(display), options_(options), warn_(warn) {}

    TreeScan run(int root_fd) {
        struct stat st {};
        if (::fstat(root_fd, &st) != 0)
            throw file_error(FileRole::input, display_, errno, "reading the directory");
        if (!options_.flatten) add(std::string(), std::string(), st);
        walk(root_fd, std::string());
        return std::move(scan_);
    }

  private:
    std::string shown(const std::string& rel) const {
        return rel.empty() ? display_ : display_ + "/" + rel;
    }

    void add(std::string rel, std::string name, const struct stat& st) {
        TreeEntry e;
        e.rel_path = std::move(rel);
        e.name = std::move(name);
        e.mode = st.st_mode & 07777;
        e.mtime_sec = st.st_mtim.tv_sec;
        e.mtime_nsec = st.st_mtim.tv_nsec;
        e.uid = st.st_uid;
        e.gid = st.st_gid;
        if (S_ISDIR(st.st_mode)) {
            e.type = EntryType::directory;
            ++scan_.directories;
        } else if (S_ISLNK(st.st_mode)) {
            e.type = EntryType::symlink;
            ++scan_.symlinks;
        } else {
            e.type = EntryType::file;
            e.size = static_cast<uint64_t>(st.st_size);
            ++scan_.files;
            scan_.bytes += e.size;
        }
        scan_.entries.push_back(std::move(e));
    }

    std::vector<std::string> list(int dir_fd, const std::string& rel) {
        int fd = ::dup(dir_fd);
        if (fd < 0) throw file_error(FileRole::input, shown(rel), errno, "reading the directory");
        std::unique_ptr<DIR, DirCloser> dir(::fdopendir(fd));
        if (!dir) {
            int err = errno;
            ::close(fd);
            throw file_error(FileRole::input, shown(rel), err, "reading the directory");
        }
        std::vector<std::string> names;
        errno = 0;
        while (dirent* d = ::readdir(dir.get())) {
            std::string_view n = d->d_name;
            if (n != "." && n != "..") names.emplace_back(n);
            errno = 0;
        }
        if (errno != 0)
            throw file_error(FileRole::input, shown(rel), errno, "reading the directory");
        std::sort(names.begin(), names.end());
        return names;
    }

    void walk(int dir_fd, const std::string& rel) {
        cancel::check();
        for (const std::string& name : list(dir_fd, rel)) {
            std::string child = rel.empty() ? name : rel + "/" + name;
            struct stat st {};
            if (::fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
                if (errno == ENOENT) {
                    warn_(fmt::format("{} disappeared while being archived; left out.",
                                      shown(child)));
                    continue;
                }
                throw file_error(FileRole::input, shown(child), errno, "reading");
            }
            if (S_ISDIR(st.st_mode)) {
                if (!options_.filter.keeps_directory(child)) continue;
                int fd =
                    ::openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                    throw file_error(FileRole::input, shown(child), errno, "opening the directory");
                struct Closer {
                    int fd;
                    ~Closer() { ::close(fd); }
                } closer{fd};
                if (!options_.flatten) add(child, child, st);
                walk(fd, child);
            } else if (S_ISREG(st.st_mode)) {
                if (!options_.filter.keeps_file(child)) continue;
                if (options_.flatten) {
                    auto [it, fresh] = flat_names_.emplace(name, child);
                    if (!fresh) {
                        throw Error::bad_data(fmt::format(
                            "--flatten: '{}' and '{}' would both be stored as '{}'. Rename one, "
                            "exclude one, or drop --flatten.",
                            shown(it->second), shown(child), name));
                    }
                    add(child, name, st);
                } else {
                    add(child, child, st);
                }
            } else if (S_ISLNK(st.st_mode)) {
                if (!options_.filter.keeps_file(child)) continue;
                if (options_.flatten) {
                    warn_(
                        fmt::format("{} is a symlink; --flatten stores regular files only, so it "
                                    "is left out.",
                                    shown(child)));
                    continue;
                }
                std::string target(static_cast<size_t>(st.st_size > 0 ? st.st_size : 255) + 1,
                                   '\0');
                ssize_t n = ::readlinkat(dir_fd, name.c_str(), target.data(), target.size());
                if (n < 0)
                    throw file_error(FileRole::input, shown(child), errno, "reading the link");
                target.resize(static_cast<size_t>(n));
                if (link_target_escapes(child, target)) {
                    warn_(
                        fmt::format("{} is a symlink to '{}', outside {}; it is stored as a link "
                                    "and will not resolve where the archive is extracted.",
                                    shown(child), target, display_));
                }
                add(child, child, st);
                scan_.entries.back().link_target = std::move(target);
            } else {
                const char* what = S_ISSOCK(st.st_mode)   ? "a socket"
                                   : S_ISFIFO(st.st_mode) ? "a FIFO"
                                                          : "a device";
                warn_(fmt::format("{} is {}; left out of the archive.", shown(child), what));
            }
        }
    }

    const std::string& display_;
    const ScanOptions& options_;
    const WarnFn& warn_;
    TreeScan scan_;
    std::map<std::string, std::string> flat_names_;  // stored name -> relative path
};

}  // namespace

TreeScan scan_tree(int root_fd, const std::string& display, const ScanOptions& options,
                   const WarnFn& warn) {
    return Scanner(display, options, warn).run(root_fd);
}

}  // namespace ri::archive
