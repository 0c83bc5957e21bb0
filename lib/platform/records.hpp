// The records the platform tools print (docs/conventions.md): `file` and `folder`, snake_case,
// "kind" first (their human lines are lib/cli/renderers.hpp). Shared so that ri-files, ri-upload,
// ri-download and ri-jobs describe a library file the same way, and each can read the others'.
#pragma once

#include <string>

#include "core/output.hpp"
#include "platform/models.hpp"

namespace ri::platform {

// {"kind":"file","id","name","size","type_id","date_uploaded","sha512"?,"folder_id"?,
//  "relative_path"?,"tags"?,"is_uploaded" (only when false)}. Never the encryption key.
Json file_record(const CloudFile& file);
// {"kind":"folder","id","name","parent_id"?,"date"?}
Json folder_record(const Folder& folder);
Json item_record(const FolderItem& item);

}  // namespace ri::platform
