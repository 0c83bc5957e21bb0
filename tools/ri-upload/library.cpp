// ri-upload without a URL: the Rescale library, encrypted with a new key per file, registered.
#include <fmt/format.h>

#include "cli/batch_report.hpp"
#include "cli/inputs.hpp"
#include "cli/platform_session.hpp"
#include "cli/renderers.hpp"
#include "cli/resume_state.hpp"
#include "core/path_filter.hpp"
#include "transfer/platform_upload.hpp"
#include "transfer/records.hpp"
#include "upload.hpp"

namespace ri::upload {

int upload_to_library(cli::ToolRunner& tool, Options& o, const Config& config) {
    if (o.encrypt || !o.key.empty() || !o.key_file.empty() || !o.metadata.empty())
        throw Error::usage(
            "--encrypt, --key, --key-file and --metadata are for s3:// and az:// destinations: "
            "library uploads are always encrypted with a new key per file.");
    std::vector<std::string> sources = o.args;
    if (sources.empty()) sources = cli::collect_inputs({}, {"path"});
    auto client = cli::connect_platform(tool, config);
    transfer::PlatformUploadOptions options;
    options.concurrency = o.transfer.workers();
    options.plan = plan_from(o);
    options.folder_id = o.folder_id;
    options.if_exists = o.transfer.if_exists_policy();
    options.check_conflicts = o.check_conflicts;
    options.pre_encrypt = o.pre_encrypt;
    options.tags = o.tags;
    PathFilter filter = o.transfer.filter();
    auto items =
        transfer::platform_upload_items(*client, sources, o.folder_id, o.recursive, filter);
    std::optional<StateStore> store;
    auto state = cli::open_resume_state(tool, store, "this upload");
    tool.resume_hint(
        "Run the same command again to resume: parts already sent are kept and no file is "
        "registered twice.");
    cli::BatchReport report(tool);
    transfer::PlatformUploader uploader(*client, state.get(), tool.progress(), options);
    uploader.run(
        items,
        [&](const transfer::PlatformUploadResult& r) {
            report.done(transfer::uploaded_file_record(r), cli::file_upload_line,
                        r.skipped ? fmt::format("skipped {}: '{}' is already in the folder "
                                                "(--if-exists overwrite or rename)",
                                                r.source, r.file.name)
                                  : "");
        },
        [&](const transfer::PlatformUploadItem& item, const std::exception& e) {
            report.failed(e, "upload " + item.source);
        });
    return report.exit_code();
}

}  // namespace ri::upload
