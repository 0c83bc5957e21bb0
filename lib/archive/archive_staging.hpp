// A private directory for archives that exist only to be uploaded, and the one way to delete
// them. Removal trusts no file name alone (seed 000's tarball-deletion safety): an archive is
// removed only when every guardrail holds --
//   1. its real path (symlinks resolved) lies directly inside this staging directory;
//   2. the staging directory is the very one ri created (same device and inode as at creation,
//      named ri-tar-XXXXXX, owned by this user, not writable by group or others);
//   3. the archive is a regular file (not a symlink, directory or device) owned by this user;
//   4. its name has an archive extension (.tar, .tar.gz, .tar.zst);
//   5. its name carries the FNV-32a suffix of ri's archive names (STEM_xxxxxxxx.tar...).
// and the unlink goes through a descriptor of the staging directory, so a path swapped after the
// checks cannot redirect it.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>

namespace ri::archive {

class ArchiveStaging {
  public:
    static constexpr const char* kPrefix = "ri-tar-";

    // Creates BASE/ri-tar-XXXXXX with mode 0700. Throws Error::cannot_create (73).
    static ArchiveStaging create(const std::filesystem::path& base);
    // Takes over a staging directory created earlier (a resumed run). Throws Error::usage when
    // the directory fails guardrail 2 (name, owner, mode).
    static ArchiveStaging adopt(const std::filesystem::path& dir);

    const std::filesystem::path& dir() const { return dir_; }

    // Why archive must not be removed, or nullopt when it provably is one of ri's archives in
    // this staging directory.
    std::optional<std::string> removal_refusal(const std::filesystem::path& archive) const;
    // Removes archive when removal_refusal() has no objection. Returns the refusal otherwise
    // (nothing is removed); never throws for a refusal. A failing unlink is reported the same way.
    std::optional<std::string> remove_archive(const std::filesystem::path& archive) const;
    // Removes the staging directory if it is empty (rmdir never removes anything else).
    bool remove_if_empty() const;

  private:
    ArchiveStaging(std::filesystem::path dir, dev_t dev, ino_t ino)
        : dir_(std::move(dir)), dev_(dev), ino_(ino) {}
    // Opens the staging directory and proves it is the one recorded; -1 and a reason otherwise.
    int open_verified(std::string& why) const;

    std::filesystem::path dir_;  // canonical
    dev_t dev_;
    ino_t ino_;
};

}  // namespace ri::archive
