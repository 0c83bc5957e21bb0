// Launching a job: local inputs uploaded first (through the uploader the caller gives, so this
// layer needs no transfer engine), the job created, then submitted. When the submit fails after
// the create, the draft is real: the caller hears of it (so it can print a true record) and the
// error says "created but not submitted", so nobody creates it again. ri-jobs submit and ri-pur
// launch jobs this way.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "platform/job_spec.hpp"
#include "platform/platform_client.hpp"

namespace ri::platform {

// Uploads local files and returns their library file ids, in order.
using InputUploader = std::function<std::vector<std::string>(const std::vector<std::string>&)>;

struct LaunchOptions {
    bool create_only = false;  // a draft: create, do not submit
    bool decompress = true;    // unpack archive inputs on the cluster
};

struct LaunchResult {
    Job job;
    std::string status;  // "Not Submitted" (a draft), else the status after submit ("Pending")
};

// Validates nothing (the caller checked the spec against the catalog). on_draft sees the job
// when submit failed after the create; on_notice gets what is worth a --verbose line.
LaunchResult launch_job(PlatformClient& client, JobSpec spec,
                        const std::vector<std::string>& local_inputs, const InputUploader& upload,
                        const LaunchOptions& options,
                        const std::function<void(const Job&)>& on_draft = {},
                        const std::function<void(const std::string&)>& on_notice = {});

}  // namespace ri::platform
