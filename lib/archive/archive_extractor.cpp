#include "archive/archive_extractor.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <deque>
#include <optional>
#include <set>
#include <vector>

#include "archive/confined_open.hpp"
#include "archive/entry_path.hpp"
#include "archive/libarchive_handle.hpp"
#include "archive/tar_naming.hpp"
#include "archive/unique_fd.hpp"
#include "archive/utf8_locale.hpp"
#include "core/atomic_file.hpp"
#include "core/cancel.hpp"
#include "core/file.hpp"
#include "core/strings.hpp"

namespace fs = std::filesystem;

namespace ri::archive {
namespace {

constexpr int kMaxSymlinkHops = 40;

// A relative path's components ("a//b/" -> "a", "b").
std::vector<std::string> split(std::string_view path) {
    return strings::split_list(path, "/", "");
}

std::string join(const std::vector<std::string>& parts) {
    std::string s;
    for (const auto& p : parts) {
        if (!s.empty()) s += '/';
        s += p;
    }
    return s;
}

// The name a file is written under before it is renamed into place.
std::string partial_name(std::string_view name) {
    std::string p = std::string(name) + kPartialSuffix;
    if (p.size() <= 255) return p;
    return fmt::format(".ri-partial-{:08x}", fnv1a_32(name));
}

class Extractor {
  public:
    Extractor(std::string archive_path, fs::path dest, Progress& progress, const WarnFn& warn,
              Progress::ItemId item)
        : archive_path_(std::move(archive_path)),
          dest_(std::move(dest)),
          progress_(progress),
          item_(item),
          ender_(item ? 0 : -1),
          warn_(warn) {}

    ExtractResult run() {
        open_dest();
        try {
            extract_all();
            verify_symlinks();
            apply_directory_metadata();
        } catch (const std::exception& e) {
            progress_.fail(ender(), e);
            remove_created();
            throw;
        }
        progress_.finish(ender());
        return result_;
    }

  private:
    struct Created {
        std::string rel;
        bool directory;
    };
    struct DirMeta {
        std::string rel;
        uint32_t mode;
        int64_t mtime_sec;
        long mtime_nsec;
    };

    std::string shown(std::string_view rel) const {
        return rel.empty() ? dest_.string() : (dest_ / std::string(rel)).string();
    }

    [[noreturn]] void refuse(const std::string& entry, const std::string& why) const {
        throw Error::bad_data(
            fmt::format("Refusing to extract '{}': entry '{}' {}. Nothing from it was kept in {}.",
                        archive_path_, entry, why, dest_.string()));
    }

    void open_dest() {
        std::error_code ec;
        if (!fs::is_directory(dest_, ec)) {
            fs::create_directories(dest_, ec);
            if (ec)
                throw file_error(FileRole::output, dest_.string(), ec.value(),
                                 "creating the directory");
        }
        dest_fd_ = UniqueFd(::open(dest_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (dest_fd_.get() < 0)
            throw file_error(FileRole::output, dest_.string(), errno, "opening the directory");
    }

    // Opens (creating what is missing) the directory rel below DIR without following any
    // symlink. entry names the archive entry for messages.
    int directory_fd(const std::string& rel, const std::string& entry) {
        if (rel.empty()) return dest_fd_.get();
        if (rel == cached_rel_ && cached_fd_.get() >= 0) return cached_fd_.get();
        UniqueFd cur;
        int base = dest_fd_.get();
        std::string so_far;
        for (const std::string& comp : split(rel)) {
            so_far = so_far.empty() ? comp : so_far + "/" + comp;
            int fd = ::openat(base, comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            if (fd < 0 && errno == ENOENT) {
                if (::mkdirat(base, comp.c_str(), 0777) == 0) {
                    created_.push_back({so_far, true});
                } else if (errno != EEXIST) {
                    throw file_error(FileRole::output, shown(so_far), errno,
                                     "creating the directory");
                }
                fd = ::openat(base, comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
            }
            if (fd < 0) {
                int err = errno;
                if (err == ELOOP || err == ENOTDIR) {
                    struct stat st {};
                    bool link = ::fstatat(base, comp.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
                                S_ISLNK(st.st_mode);
                    refuse(
                        entry,
                        link ? fmt::format("would be written through the symlink '{}'", so_far)
                             : fmt::format("needs '{}' to be a directory, and it is not", so_far));
                }
                throw file_error(FileRole::output, shown(so_far), err, "opening the directory");
            }
            cur = UniqueFd(fd);
            base = fd;
        }
        cached_fd_ = std::move(cur);
        cached_rel_ = rel;
        return cached_fd_.get();
    }

    void forget_cached_directory() {
        cached_fd_.reset();
        cached_rel_.clear();
    }

    // Puts the finished partial file/link under its final name, replacing a file or symlink
    // that is there (rename never follows a symlink at the destination).
    void commit(int dir_fd, const std::string& partial, const std::string& rel) {
        std::string name(name_of(rel));
        if (::renameat(dir_fd, partial.c_str(), dir_fd, name.c_str()) != 0) {
            int err = errno;
            ::unlinkat(dir_fd, partial.c_str(), 0);
            if (err == EISDIR || err == ENOTEMPTY || err == EEXIST)
                throw Error::cannot_create(fmt::format(
                    "Cannot extract '{}': a directory of that name is in the way.", shown(rel)));
            throw file_error(FileRole::output, shown(rel), err, "renaming into place");
        }
        created_.push_back({rel, false});
    }

    void extract_file(struct archive* a, archive_entry* e, const std::string& rel) {
        int dir_fd = directory_fd(std::string(parent_of(rel)), rel);
        std::string partial = partial_name(name_of(rel));
        ::unlinkat(dir_fd, partial.c_str(), 0);
        int fd = ::openat(dir_fd, partial.c_str(),
                          O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0) throw file_error(FileRole::output, shown(rel), errno, "creating");
        File out(fd, shown(rel), FileRole::output);
        bool done = false;
        struct PartialGuard {
            int dir_fd;
            const std::string& partial;
            bool& done;
            ~PartialGuard() {
                if (!done) ::unlinkat(dir_fd, partial.c_str(), 0);
            }
        } guard{dir_fd, partial, done};
        const void* buf = nullptr;
        size_t size = 0;
        la_int64_t offset = 0;
        uint64_t end = 0;
        for (;;) {
            int rc = archive_read_data_block(a, &buf, &size, &offset);
            if (rc == ARCHIVE_EOF) break;
            if (rc < ARCHIVE_WARN) throw read_failure(a, archive_path_);
            if (size > 0) {
                out.pwrite_all({static_cast<const std::byte*>(buf), size},
                               static_cast<uint64_t>(offset));
                end = std::max(end, static_cast<uint64_t>(offset) + size);
                result_.bytes += size;
            }
            advance_progress(a);
            cancel::check();
        }
        uint64_t declared = archive_entry_size_is_set(e) ? archive_entry_size(e) : end;
        if (declared > end) out.truncate(declared);  // a sparse file ending in a hole
        // Permissions without setuid/setgid: an archive does not get to hand out privileges.
        if (::fchmod(fd, archive_entry_perm(e) & 01777) != 0)
            throw file_error(FileRole::output, shown(rel), errno, "setting the mode of");
        set_times(fd, e);
        out.close();
        commit(dir_fd, partial, rel);
        done = true;
        extracted_files_.insert(rel);
        ++result_.files;
    }

    void set_times(int fd, archive_entry* e) {
        timespec ts[2];
        ts[0].tv_sec = ts[1].tv_sec = archive_entry_mtime(e);
        ts[0].tv_nsec = ts[1].tv_nsec = archive_entry_mtime_nsec(e);
        ::futimens(fd, ts);
    }

    void extract_symlink(archive_entry* e, const std::string& rel) {
        const char* t = archive_entry_symlink(e);
        std::string target = t ? t : "";
        if (link_target_escapes(rel, target))
            refuse(rel, fmt::format("is a symlink to '{}', outside the target directory", target));
        int dir_fd = directory_fd(std::string(parent_of(rel)), rel);
        std::string partial = partial_name(name_of(rel));
        ::unlinkat(dir_fd, partial.c_str(), 0);
        if (::symlinkat(target.c_str(), dir_fd, partial.c_str()) != 0)
            throw file_error(FileRole::output, shown(rel), errno, "creating the symlink");
        timespec ts[2];
        ts[0].tv_sec = ts[1].tv_sec = archive_entry_mtime(e);
        ts[0].tv_nsec = ts[1].tv_nsec = archive_entry_mtime_nsec(e);
        ::utimensat(dir_fd, partial.c_str(), ts, AT_SYMLINK_NOFOLLOW);
        commit(dir_fd, partial, rel);
        extracted_files_.erase(rel);
        symlinks_.push_back(rel);
        ++result_.symlinks;
    }

    void extract_hardlink(archive_entry* e, const std::string& rel) {
        auto target = normalize_entry_path(archive_entry_hardlink(e));
        if (!target || target->empty())
            refuse(rel, fmt::format("is a hard link to '{}', outside the target directory",
                                    archive_entry_hardlink(e)));
        if (!extracted_files_.count(*target))
            refuse(rel, fmt::format("is a hard link to '{}', which is not a file extracted "
                                    "earlier from this archive",
                                    *target));
        // Both directories are opened without following symlinks; keep the target's open while
        // the link's is resolved (the cache holds one).
        std::string target_parent(parent_of(*target));
        UniqueFd target_dir(::dup(directory_fd(target_parent, rel)));
        forget_cached_directory();
        int dir_fd = directory_fd(std::string(parent_of(rel)), rel);
        std::string partial = partial_name(name_of(rel));
        ::unlinkat(dir_fd, partial.c_str(), 0);
        std::string target_name(name_of(*target));
        struct stat st {};
        if (::fstatat(target_dir.get(), target_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISREG(st.st_mode))
            refuse(rel,
                   fmt::format("is a hard link to '{}', which is not a regular file", *target));
        if (::linkat(target_dir.get(), target_name.c_str(), dir_fd, partial.c_str(), 0) != 0)
            throw file_error(FileRole::output, shown(rel), errno, "creating the hard link");
        commit(dir_fd, partial, rel);
        extracted_files_.insert(rel);
        ++result_.hardlinks;
    }

    void extract_directory(archive_entry* e, const std::string& rel) {
        std::string parent(parent_of(rel));
        int parent_fd = directory_fd(parent, rel);
        std::string name(name_of(rel));
        struct stat st {};
        if (::fstatat(parent_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            !S_ISDIR(st.st_mode)) {
            // A file or symlink where the archive has a directory: the archive wins, as with tar.
            if (::unlinkat(parent_fd, name.c_str(), 0) != 0)
                throw file_error(FileRole::output, shown(rel), errno, "replacing");
        }
        forget_cached_directory();
        extracted_files_.erase(rel);
        directory_fd(rel, rel);  // creates it (and records it) if missing
        dirs_.push_back({rel, archive_entry_perm(e) & 01777, archive_entry_mtime(e),
                         archive_entry_mtime_nsec(e)});
        ++result_.directories;
    }

    void advance_progress(struct archive* a) {
        auto now = static_cast<uint64_t>(archive_filter_bytes(a, -1));
        if (now > consumed_) {
            progress_.advance(item_, now - consumed_);
            consumed_ = now;
        }
    }

    void extract_all() {
        ScopedUtf8Locale locale;
        File in = File::open_read(archive_path_);
        if (item_) {
            progress_.resize(item_, in.size());
            progress_.start(item_, "extracting");
        } else {
            item_ = progress_.begin("extracting", archive_path_, in.size());
        }
        ArchiveReadPtr a = open_tar_reader(in.fd(), archive_path_);
        archive_entry* e = nullptr;
        while (next_entry(a.get(), &e, archive_path_)) {
            const char* raw = archive_entry_pathname(e);
            if (!raw) raw = archive_entry_pathname_utf8(e);
            if (!raw) refuse("(unnamed)", "has a name that cannot be read");
            auto rel = normalize_entry_path(raw);
            if (!rel) {
                refuse(raw, std::string_view(raw).starts_with('/') ? "has an absolute path"
                                                                   : "has '..' in its path");
            }
            if (archive_entry_hardlink(e)) {
                if (rel->empty()) refuse(raw, "is a hard link in place of the target directory");
                extract_hardlink(e, *rel);
            } else if (rel->empty()) {
                // "./": the target directory itself; its metadata is left as it is.
            } else {
                switch (archive_entry_filetype(e)) {
                    case AE_IFREG:
                        extract_file(a.get(), e, *rel);
                        break;
                    case AE_IFDIR:
                        extract_directory(e, *rel);
                        break;
                    case AE_IFLNK:
                        extract_symlink(e, *rel);
                        break;
                    default:
                        warn_(fmt::format("{}: '{}' is a device, FIFO or socket; skipped.",
                                          archive_path_, raw));
                        ++result_.skipped;
                        break;
                }
            }
            advance_progress(a.get());
        }
    }

    // Resolves the symlink at rel through what is on disk now, inside DIR only. True when it
    // leads out of DIR (or loops).
    bool symlink_escapes(const std::string& rel) {
        std::vector<std::string> stack = split(parent_of(rel));
        std::deque<std::string> pending;
        int hops = 0;
        // Queues a link's target; false when it is absolute (out of DIR).
        auto push_target = [&](const std::string& target) -> bool {
            if (target.starts_with('/')) return false;
            auto parts = split(target);
            pending.insert(pending.begin(), parts.begin(), parts.end());
            return true;
        };
        auto read_link = [&](const std::string& path) -> std::optional<std::string> {
            std::string target(4096, '\0');
            ssize_t n = ::readlinkat(dest_fd_.get(), path.c_str(), target.data(), target.size());
            if (n < 0) return std::nullopt;
            target.resize(static_cast<size_t>(n));
            return target;
        };
        auto first = read_link(rel);
        if (!first) return false;  // replaced by a later entry: no longer a symlink
        if (!push_target(*first)) return true;
        while (!pending.empty()) {
            std::string c = std::move(pending.front());
            pending.pop_front();
            if (c == ".") continue;
            if (c == "..") {
                if (stack.empty()) return true;
                stack.pop_back();
                continue;
            }
            stack.push_back(c);
            std::string path = join(stack);
            struct stat st {};
            // Every component before the last one in stack is a real directory (links were
            // replaced by their targets), so this lstat follows nothing.
            if (::fstatat(dest_fd_.get(), path.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
            if (S_ISLNK(st.st_mode)) {
                if (++hops > kMaxSymlinkHops) return true;
                stack.pop_back();
                auto next = read_link(path);
                if (!next || !push_target(*next)) return true;
            }
        }
        return false;
    }

    void verify_symlinks() {
        for (const std::string& rel : symlinks_) {
            if (symlink_escapes(rel)) {
                std::string target(4096, '\0');
                ssize_t n = ::readlinkat(dest_fd_.get(), rel.c_str(), target.data(), target.size());
                target.resize(n > 0 ? static_cast<size_t>(n) : 0);
                refuse(rel, fmt::format("is a symlink to '{}', which leads outside the target "
                                        "directory through other symlinks",
                                        target));
            }
        }
    }

    // Modes and times of directories last, deepest first: writing into a directory changes its
    // mtime, and a read-only mode would stop the files inside from being written.
    void apply_directory_metadata() {
        forget_cached_directory();
        for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
            int fd = -1;
            try {
                fd = directory_fd(it->rel, it->rel);
            } catch (const Error&) {
                continue;
            }
            ::fchmod(fd, it->mode);
            timespec ts[2];
            ts[0].tv_sec = ts[1].tv_sec = it->mtime_sec;
            ts[0].tv_nsec = ts[1].tv_nsec = it->mtime_nsec;
            ::futimens(fd, ts);
            forget_cached_directory();
        }
    }

    // After a refusal or failure: remove what this run created, newest first. Directories go
    // only if empty (rmdir), so nothing that was in DIR before is touched.
    void remove_created() noexcept {
        forget_cached_directory();
        for (auto it = created_.rbegin(); it != created_.rend(); ++it) {
            std::string parent(parent_of(it->rel));
            std::string name(name_of(it->rel));
            int fd = parent.empty() ? dest_fd_.get() : -1;
            UniqueFd owned;
            if (fd < 0) {
                owned = UniqueFd(open_no_symlinks(dest_fd_.get(), parent, O_RDONLY | O_DIRECTORY));
                fd = owned.get();
            }
            if (fd < 0) continue;
            if (it->directory) {
                ::fchmodat(fd, name.c_str(), 0700, 0);
                ::unlinkat(fd, name.c_str(), AT_REMOVEDIR);
            } else {
                ::unlinkat(fd, name.c_str(), 0);
            }
        }
    }

    std::string archive_path_;
    fs::path dest_;
    Progress& progress_;
    Progress::ItemId item_ = 0;
    // The item to end: our own (announced here), or none when the caller owns it.
    int64_t ender_ = -1;
    Progress::ItemId ender() const { return ender_ < 0 ? item_ : 0; }
    const WarnFn& warn_;
    UniqueFd dest_fd_;
    UniqueFd cached_fd_;
    std::string cached_rel_;
    ExtractResult result_;
    std::vector<Created> created_;
    std::vector<DirMeta> dirs_;
    std::vector<std::string> symlinks_;
    std::set<std::string> extracted_files_;
    uint64_t consumed_ = 0;
};

}  // namespace

ExtractResult extract_archive(const std::string& archive_path, const fs::path& dest,
                              Progress& progress, const WarnFn& warn, Progress::ItemId item) {
    return Extractor(archive_path, dest, progress, warn, item).run();
}

}  // namespace ri::archive
