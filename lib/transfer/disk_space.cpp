#include "transfer/disk_space.hpp"

#include <fmt/format.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>

#include "core/error.hpp"
#include "core/units.hpp"

namespace ri::transfer {

uint64_t free_bytes(const std::filesystem::path& dir) {
    struct statvfs st {};
    if (::statvfs(dir.c_str(), &st) != 0)
        throw file_error(FileRole::output, dir.string(), errno, "checking free space in");
    return static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
}

void require_free_space(const std::filesystem::path& dir, uint64_t needed,
                        const std::string& what) {
    uint64_t margin = std::max<uint64_t>(64ull << 20, needed / 100);
    uint64_t free = free_bytes(dir);
    if (free < needed + margin) {
        throw Error::io(
            fmt::format("Not enough disk space to download this file. Free up space and try again. "
                        "({} needs {}, {} has {} free)",
                        what, units::bytes(needed), dir.string(), units::bytes(free)),
            fmt::format("needed {} + margin {}, free {}", needed, margin, free));
    }
}

}  // namespace ri::transfer
