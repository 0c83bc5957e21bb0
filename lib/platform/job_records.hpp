// The records ri-jobs prints (docs/conventions.md): `job`, `status`, `coretype`, `analysis` and
// `log`, snake_case with "kind" first (their human lines are lib/cli/renderers.hpp).
#pragma once

#include <string>

#include "core/output.hpp"
#include "platform/models.hpp"

namespace ri::platform {

// {"kind":"job","id","name","status","status_reason"?,"date_inserted"?,"owner"?,"tags"?}.
// `status` overrides the job's own (the single-job GET has none).
Json job_record(const Job& job, const std::string& status = {},
                const std::string& status_reason = {});
// {"kind":"status","job_id","status","date","reason"}
Json status_record(const std::string& job_id, const JobStatus& status);
// {"kind":"coretype","code","name","cores","memory","price","low_priority_price",
//  "processor_info","is_active","display_order"}
Json coretype_record(const CoreType& type);
// {"kind":"analysis","code","name","vendor","versions":[{"version","version_code",
//  "allowed_core_types"?}]} (allowed core types only with `full`).
Json analysis_record(const Analysis& analysis, bool full);

}  // namespace ri::platform
