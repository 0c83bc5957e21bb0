// The human lines of the records (on a terminal, or with --human): one function per kind, and
// the table header above each list. The records themselves (JSON, what pipes carry) are built
// by the layers that own what they describe (platform/records.hpp, transfer/records.hpp).
#pragma once

#include <string>

#include "core/output.hpp"
#include "transfer/platform_download.hpp"

namespace ri::cli {

// Library files and folders: "ID  SIZE  DATE  NAME".
std::string item_header();
std::string file_line(const Json& record);
std::string folder_line(const Json& record);
std::string item_line(const Json& record);  // either kind

std::string job_header();
std::string job_line(const Json& record);
std::string status_header();
std::string status_line(const Json& record);
std::string coretype_header();
std::string coretype_line(const Json& record);
std::string analysis_header();
std::string analysis_line(const Json& record);

// Transfers: "uploaded PATH -> URL (SIZE)", "downloaded ID -> PATH (SIZE)", with "skipped" when
// the record says so.
std::string object_upload_line(const Json& record);
std::string file_upload_line(const Json& record);
std::string object_download_line(const Json& record);
std::string file_download_line(const Json& record);

// What a failed library download was, for "failed to download file ID ('PATH'):".
std::string file_download_subject(const transfer::PlatformDownloadItem& item);

}  // namespace ri::cli
