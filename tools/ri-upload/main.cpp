// ri-upload: upload files and directories to the Rescale library (encrypted, registered), or to
// S3 (s3://bucket/prefix/) or Azure Blob (az://account/container/prefix/); resumable.
#include <fmt/format.h>

#include <cctype>
#include <filesystem>

#include "cli/verbs.hpp"
#include "storage/object_url.hpp"
#include "upload.hpp"

namespace ri::upload {
namespace {

bool looks_like_url(std::string_view arg) {
    auto colon = arg.find(":/");
    if (colon == std::string_view::npos || colon == 0) return false;
    for (size_t i = 0; i < colon; ++i) {
        char c = arg[i];
        bool ok = std::isalpha(static_cast<unsigned char>(c)) ||
                  (i > 0 && (std::isdigit(static_cast<unsigned char>(c)) || c == '+' || c == '-' ||
                             c == '.'));
        if (!ok) return false;
    }
    return true;
}

int upload(cli::ToolRunner& tool, Options& o) {
    Config config = cli::load_config(tool, o.account);
    if (o.cleanup) return cleanup(tool, o, config);
    // A last argument that is a URL of another kind is a mistake, not a file to upload to the
    // library (unless such a file really exists).
    if (!o.args.empty() && looks_like_url(o.args.back()) &&
        !storage::parse_object_url(o.args.back()) && !std::filesystem::exists(o.args.back()))
        throw Error::usage(fmt::format(
            "'{}' is not an s3:// or az:// URL (without a URL, ri-upload uploads to the Rescale "
            "library).",
            o.args.back()));
    if (o.args.empty() || !storage::parse_object_url(o.args.back()))
        return upload_to_library(tool, o, config);
    return upload_to_storage(tool, o, config);
}

void add_options(cli::ToolRunner& tool, Options& o) {
    CLI::App& app = tool.app();
    app.add_option("ARGS", o.args,
                   "PATH... [then s3://bucket/prefix/ or az://account/container/prefix/]; without "
                   "a URL the files go to the Rescale library")
        ->type_name("PATH");
    cli::add_transfer_flags(
        app, o.transfer,
        {.part_size = "Multipart part size, e.g. 16MiB (grows for huge files)",
         .if_exists =
             "When the object exists: skip it (default), overwrite it, or upload as 'name (1)'",
         .include = "Only files matching this glob (repeatable; ';'-separated lists too)",
         .exclude = "Leave out files matching this glob (repeatable)"});
    cli::add_repeatable(app, "--metadata", o.metadata,
                        "User metadata KEY=VALUE on every object (repeatable)");
    app.add_flag("--encrypt", o.encrypt,
                 "Encrypt in the platform's format (AES-256-CBC; IV in the object's metadata)");
    tool.secret(
        app.add_option("--key", o.key, "Encryption key, base64 of 32 bytes")->type_name("B64"));
    app.add_option("--key-file", o.key_file,
                   "File with the base64 key (created, mode 0600, if missing)")
        ->type_name("FILE");
    app.add_flag("--cleanup", o.cleanup,
                 "Abort orphaned multipart uploads under the URL that no local state knows");
    app.add_option("--older-than", o.older_than_hours,
                   "--cleanup: only uploads started this many hours ago (default 24)");
    app.add_option("--folder-id", o.folder_id,
                   "Library mode: the folder to upload into (default My Library)")
        ->type_name("ID");
    cli::add_repeatable(app, "--tag", o.tags, "Library mode: tag each uploaded file (repeatable)");
    app.add_flag("-r,--recursive", o.recursive,
                 "Library mode: upload directories as library folders, recursively");
    app.add_flag("--pre-encrypt", o.pre_encrypt,
                 "Library mode: encrypt to a temporary file first, then upload (legacy)");
    app.add_flag("--check-conflicts", o.check_conflicts,
                 "Library mode: look for files of the same name before uploading");
    cli::add_account_options(tool, o.account, "Library mode: ");
    cli::add_storage_options(app, o.storage);
}

}  // namespace

transfer::PlanOptions plan_from(const Options& o) {
    transfer::PlanOptions plan;
    if (auto size = o.transfer.part_bytes()) {
        plan.part_size = *size;
        plan.multipart_threshold = *size;  // a file bigger than one part goes in parts
    }
    return plan;
}

}  // namespace ri::upload

int main(int argc, char** argv) {
    ri::cli::ToolRunner tool(
        "ri-upload",
        "Upload files to the Rescale library (encrypted, registered), or to S3 "
        "or Azure Blob storage; resumable");
    return ri::cli::run_tool(tool, argc, argv, ri::upload::add_options, ri::upload::upload);
}
