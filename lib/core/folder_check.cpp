#include "core/folder_check.hpp"

#include <fmt/format.h>

#include <cstring>

#include "core/error.hpp"
#include "core/file.hpp"
#include "core/process.hpp"

namespace ri {
namespace fs = std::filesystem;

FolderCheck check_download_folder(const fs::path& dir) {
    FolderCheck r;
    std::error_code ec;
    if (!fs::exists(dir, ec)) {
        if (!fs::create_directories(dir, ec) || ec) {
            throw Error::cannot_create(fmt::format("Cannot create the download folder '{}': {}.",
                                                   dir.string(), ec.message()),
                                       ec.message());
        }
        r.created = true;
    } else if (!fs::is_directory(dir, ec)) {
        throw Error::cannot_create(
            fmt::format("The download folder '{}' is not a directory.", dir.string()));
    }
    fs::path probe = dir / fmt::format(".ri-check-{}.tmp", process::current_pid());
    const std::string payload = fmt::format("ri folder check {}\n", process::current_pid());
    try {
        {
            File f = File::create(probe.string(), 0600, /*exclusive=*/true);
            f.write_all({reinterpret_cast<const std::byte*>(payload.data()), payload.size()});
            f.sync();
            f.close();
        }
        File f = File::open_read(probe.string());
        std::string back(payload.size() + 1, '\0');
        size_t n = f.read_full({reinterpret_cast<std::byte*>(back.data()), back.size()});
        back.resize(n);
        if (back != payload)
            throw Error::io(
                fmt::format("The download folder '{}' gave back different bytes than were written.",
                            dir.string()));
    } catch (const Error& e) {
        remove_file(probe.string());
        if (e.code() == ExitCode::missing_input)
            throw Error::io(fmt::format("Cannot read back a test file in '{}'.", dir.string()),
                            e.detail());
        throw Error(
            e.code(),
            fmt::format("The download folder '{}' is not writable: {}", dir.string(), e.message()),
            e.detail());
    }
    if (!fs::remove(probe, ec) || ec) {
        throw Error::io(fmt::format("Cannot delete a test file in the download folder '{}': {}.",
                                    dir.string(), ec ? ec.message() : "it was gone"));
    }
    return r;
}

}  // namespace ri
