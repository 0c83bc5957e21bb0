#include "platform/job_launch.hpp"

#include <fmt/format.h>

#include "core/error.hpp"
#include "platform/job_watch.hpp"

namespace ri::platform {

LaunchResult launch_job(PlatformClient& c, JobSpec spec,
                        const std::vector<std::string>& local_inputs, const InputUploader& upload,
                        const LaunchOptions& options,
                        const std::function<void(const Job&)>& on_draft,
                        const std::function<void(const std::string&)>& on_notice) {
    if (!local_inputs.empty()) {
        if (!upload) throw Error::internal("launch_job has local inputs but no uploader");
        for (const auto& id : upload(local_inputs))
            spec.add_input(id, options.decompress);
    }
    Job job = c.create_job(job_create_body(spec));
    if (job.name.empty()) job.name = spec.name;
    if (options.create_only) return {job, "Not Submitted"};
    try {
        c.submit_job(job.id);
    } catch (const Error& e) {
        if (on_draft) on_draft(job);
        throw Error(e.code(),
                    fmt::format("Job {} was created but not submitted: {}", job.id, e.message()),
                    e.detail());
    }
    std::string status = "Pending";
    try {
        status = latest_status(c, job.id).status;
        if (status == "Not Submitted") status = "Pending";
    } catch (const Error& e) {
        if (on_notice)
            on_notice(fmt::format("job {} submitted; its status could not be read: {}", job.id,
                                  e.message()));
    }
    return {job, status};
}

}  // namespace ri::platform
