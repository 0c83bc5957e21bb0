// ri-jobs download: a job's output files into a directory, through the platform download engine
// of ri-download (listed once by the v2 job-files endpoint, decrypted in parallel, checked
// against the platform's SHA-512).
#include <fmt/format.h>

#include "cli/batch_report.hpp"
#include "cli/inputs.hpp"
#include "cli/renderers.hpp"
#include "cli/resume_state.hpp"
#include "jobs.hpp"
#include "transfer/platform_download.hpp"
#include "transfer/records.hpp"

namespace ri::jobs {
namespace {

struct DownloadOptions {
    std::vector<std::string> ids;
    std::string out_dir;
};

int run_download(Context& ctx, const DownloadOptions& o) {
    auto ids = cli::ids_of(cli::collect_ids(o.ids, {"job"}));
    platform::PlatformClient& c = ctx.connect();
    std::optional<StateStore> store;
    auto state = cli::open_resume_state(ctx.tool, store, "downloads");
    cli::BatchReport report(ctx.tool);
    std::vector<transfer::PlatformDownloadItem> items;
    for (const auto& id : ids) {
        try {
            for (auto& item : transfer::job_outputs(c, id, PathFilter()))
                items.push_back(std::move(item));
        } catch (const std::exception& e) {
            report.failed(e);
        }
    }
    transfer::PlatformDownloader downloader(c, state.get(), ctx.tool.progress(), {});
    downloader.run(
        items, o.out_dir,
        [&](const transfer::PlatformDownloadResult& r) {
            report.done(transfer::download_record(r), cli::file_download_line);
        },
        [&](const transfer::PlatformDownloadItem& item, const std::exception& e) {
            report.failed(e, cli::file_download_subject(item));
        });
    return report.exit_code();
}

}  // namespace

void add_download(Context& ctx, cli::Verbs& verbs) {
    auto o = std::make_shared<DownloadOptions>();
    auto* v = ctx.tool.app().add_subcommand("download", "Download a job's output files");
    add_ids(v, o->ids, "Job ids (or job records on stdin)");
    v->add_option("-o,--output", o->out_dir, "Directory to write into")
        ->type_name("DIR")
        ->required();
    verbs.push_back({v, [&ctx, o] {
                         ctx.tool.resume_hint(
                             "Run the same command again to resume from the parts already saved.");
                         return run_download(ctx, *o);
                     }});
}

}  // namespace ri::jobs
