#include "ratelimit/scope.hpp"

#include <algorithm>
#include <cmath>

#include "core/enum_names.hpp"

namespace ri::ratelimit {

constexpr std::array<NamedValue<Scope>, 3> kScopeNames{{{Scope::user, "user"},
                                                        {Scope::job_submission, "job-submission"},
                                                        {Scope::jobs_usage, "jobs-usage"}}};

std::string_view scope_name(Scope scope) {
    return name_in(kScopeNames, scope, "user");
}

std::optional<Scope> parse_scope(std::string_view name) {
    return parse_in(kScopeNames, name);
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

double ScopeLimit::usage_window_seconds() const {
    return std::max(60.0, std::round(burst / target_per_second()));
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
