// The download-folder test of the auto-download installer (seed 003, 8.2): create the folder if
// missing, write a temporary file, read it back, delete it. Run by `ri-config check` and, later,
// by the watcher at start-up, so that a bad folder is found before a night of downloads.
#pragma once

#include <filesystem>

namespace ri {

struct FolderCheck {
    bool created = false;
};

// Throws an Error of the matching class (73 cannot create, 74 I/O) naming the step that failed.
FolderCheck check_download_folder(const std::filesystem::path& dir);

}  // namespace ri
