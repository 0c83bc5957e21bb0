#include "ratelimit/scope.hpp"

namespace ri::ratelimit {

std::string_view scope_name(Scope scope) {
    switch (scope) {
        case Scope::user:
            return "user";
        case Scope::job_submission:
            return "job-submission";
        case Scope::jobs_usage:
            return "jobs-usage";
    }
    return "user";
}

std::optional<Scope> parse_scope(std::string_view name) {
    for (Scope scope : all_scopes)
        if (scope_name(scope) == name) return scope;
    return std::nullopt;
}

Scope classify(std::string_view method, std::string_view path) {
    if (auto query = path.find_first_of("?#"); query != std::string_view::npos)
        path = path.substr(0, query);
    constexpr std::string_view v2_jobs = "/api/v2/jobs/";
    if (path.find(v2_jobs) == std::string_view::npos) return Scope::user;
    // Method-specific rule first: POST .../submit/ spends the submission budget.
    bool submit = path.ends_with("/submit/") || path.ends_with("/submit");
    if (method == "POST" && submit) return Scope::job_submission;
    return Scope::jobs_usage;
}

ScopeLimit default_limit(Scope scope) {
    switch (scope) {
        case Scope::user:
            return {7200.0 / 3600.0, 150};
        case Scope::job_submission:
            return {1000.0 / 3600.0, 50};
        case Scope::jobs_usage:
            return {90000.0 / 3600.0, 300};
    }
    return {2.0, 150};
}

}  // namespace ri::ratelimit
