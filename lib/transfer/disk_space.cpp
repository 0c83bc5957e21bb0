#include "transfer/disk_space.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>

#include "core/error.hpp"
#include "core/units.hpp"

namespace ri::transfer {

uint64_t free_bytes(const std::filesystem::path& dir) {
    std::error_code ec;
    auto space = std::filesystem::space(dir, ec);
    if (ec) throw file_error(FileRole::output, dir.string(), ec.value(), "checking free space in");
    return space.available;
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
