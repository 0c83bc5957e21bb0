// The platform's rate-limit scopes and which one a call spends (platform reference §4).
// Scope is chosen from the method and path, most specific rule first: POST .../submit/ under
// /api/v2/jobs/ is job-submission; any other /api/v2/jobs/ call is jobs-usage; everything else
// (all of /api/v3/, v2 files, users, catalog) is the user scope.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace ri::ratelimit {

enum class Scope { user, job_submission, jobs_usage };

inline constexpr Scope all_scopes[] = {Scope::user, Scope::job_submission, Scope::jobs_usage};

// "user", "job-submission", "jobs-usage": the platform's names.
std::string_view scope_name(Scope scope);
std::optional<Scope> parse_scope(std::string_view name);

// path: the URL path (a query string, if present, is ignored).
Scope classify(std::string_view method, std::string_view path);

struct ScopeLimit {
    double hard_per_second;  // the platform's limit
    double burst;            // token-bucket capacity
    // What ri aims for: 85% of the hard limit, as Interlink does.
    double target_per_second() const { return hard_per_second * 0.85; }
    // The window utilization is measured over: the time the bucket takes to refill its burst at
    // the target rate, at least 60 s (user 88 s, job-submission 212 s, jobs-usage 60 s).
    double usage_window_seconds() const;
    // Calls counted in that window over what the platform allows in it.
    double utilization(double calls_in_window) const {
        return calls_in_window / (hard_per_second * usage_window_seconds());
    }
};

// user 7200/h (2/s, burst 150); job-submission 1000/h (burst 50); jobs-usage 90000/h (25/s,
// burst 300).
ScopeLimit default_limit(Scope scope);

}  // namespace ri::ratelimit
