// The records the transfer tools print (docs/conventions.md), built once for every tool that
// transfers: `object` (ri-upload and ri-download on s3:// and az://), `file` for an uploaded
// library file (ri-upload, ri-jobs submit --upload), `download` for a downloaded library file
// (ri-download, ri-jobs download, ri-watch).
#pragma once

#include "core/output.hpp"
#include "transfer/download_engine.hpp"
#include "transfer/platform_download.hpp"
#include "transfer/platform_upload.hpp"
#include "transfer/upload_engine.hpp"

namespace ri::transfer {

// {"kind":"object","url","path","size","etag"(+ "skipped", "encrypted"/"iv", "resumed_parts")}
Json object_record(const UploadResult& result);
// {"kind":"object","url","path","size","etag"(+ "skipped", "decrypted", "resumed_parts")}
Json object_record(const DownloadResult& result);
// file_record of the registered file, with "size", "sha512", "path" (+ "skipped",
// "resumed_parts")
Json uploaded_file_record(const PlatformUploadResult& result);
// {"kind":"download","id","name","path","size","sha512"(+ "skipped", "resumed")}
Json download_record(const PlatformDownloadResult& result);

}  // namespace ri::transfer
