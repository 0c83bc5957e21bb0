// ri-download: download library files and job outputs from Rescale, or objects and prefixes
// from S3 (s3://) or Azure Blob (az://) into a directory; decrypted, verified, resumable.
#include <algorithm>
#include <iostream>

#include "cli/verbs.hpp"
#include "core/terminal.hpp"
#include "download.hpp"
#include "storage/object_url.hpp"

namespace ri::download {
namespace {

bool is_storage_mode(const Options& o) {
    if (!o.jobs.empty() || !o.folders.empty() || o.urls.empty()) return false;
    return std::all_of(o.urls.begin(), o.urls.end(),
                       [](const std::string& u) { return storage::parse_object_url(u); });
}

int download(cli::ToolRunner& tool, Options& o) {
    Config config = cli::load_config(tool, o.account);
    if (!o.urls.empty() || !o.jobs.empty() || !o.folders.empty()) {
        if (!is_storage_mode(o)) return download_from_library(tool, o, config, {});
        return download_from_storage(tool, o, config, o.urls);
    }
    // stdin: object records (url) are storage mode; file/job records and ids the library.
    if (terminal::stdin_is_terminal())
        throw Error::usage(
            "Give file ids, --job JOB_ID, --folder FOLDER_ID, or s3:// / az:// URLs.");
    std::vector<InputRecord> records;
    RecordReader reader(std::cin);
    while (auto in = reader.next())
        records.push_back(std::move(*in));
    std::vector<std::string> urls;
    bool storage = !records.empty();
    for (const auto& r : records) {
        std::string u = r.record.value("url", r.record.value("path", ""));
        storage = storage && storage::parse_object_url(u).has_value();
        if (storage) urls.push_back(u);
    }
    if (!storage) return download_from_library(tool, o, config, records);
    return download_from_storage(tool, o, config, urls);
}

void add_options(cli::ToolRunner& tool, Options& o) {
    CLI::App& app = tool.app();
    app.add_option("URL", o.urls,
                   "s3://bucket/key, or a prefix ending in '/' (recursive); or library file ids; "
                   "or object, file or job records on stdin")
        ->type_name("URL");
    app.add_option("-o,--output", o.output, "Directory to download into (default .)")
        ->type_name("DIR");
    cli::add_transfer_flags(
        app, o.transfer,
        {.part_size = "Bytes per ranged request, e.g. 16MiB",
         .if_exists =
             "When the local file exists: skip (default), overwrite, or save as 'name (1)'",
         .include = "Only objects whose relative path matches this glob (repeatable)",
         .exclude = "Leave out objects matching this glob (repeatable)"});
    tool.secret(
        app.add_option("--key", o.key, "Key to decrypt encrypted objects, base64 of 32 bytes")
            ->type_name("B64"));
    app.add_option("--key-file", o.key_file, "File with the base64 key")->type_name("FILE");
    app.add_flag("--raw", o.raw, "Save encrypted objects as they are stored (ciphertext)");
    cli::add_repeatable(app, "--job", o.jobs,
                        "Library mode: download the output files of this job (repeatable)",
                        "JOB_ID");
    cli::add_repeatable(app, "--folder", o.folders,
                        "Library mode: download this library folder, recursively (repeatable)",
                        "FOLDER_ID");
    app.add_flag("--skip-checksum", o.skip_checksum,
                 "Library mode: do not compare with the platform's SHA-512");
    cli::add_account_options(tool, o.account, "Library mode: ");
    cli::add_storage_options(app, o.storage);
}

}  // namespace
}  // namespace ri::download

int main(int argc, char** argv) {
    ri::cli::ToolRunner tool(
        "ri-download",
        "Download library files and job outputs from Rescale, or objects and "
        "prefixes from S3 or Azure Blob storage; decrypted, verified, resumable");
    tool.resume_hint("Run the same command again to resume from the parts already saved.");
    return ri::cli::run_tool(tool, argc, argv, ri::download::add_options, ri::download::download);
}
