#include "platform/job_spec.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "core/error.hpp"

namespace ri::platform {

namespace {

std::string names_of(const std::vector<std::string>& names, size_t max = 12) {
    std::string out;
    for (size_t i = 0; i < names.size() && i < max; ++i)
        out += (i ? ", " : "") + names[i];
    if (names.size() > max) out += fmt::format(", ... ({} in all)", names.size());
    return out;
}

}  // namespace

JobSpec JobSpec::from_settings(const JobSettings& s) {
    JobSpec spec;
    if (s.name && !s.name->empty()) spec.name = *s.name;
    if (s.command) spec.command = *s.command;
    if (s.analysis && !s.analysis->empty()) spec.analysis = *s.analysis;
    if (s.analysis_version) spec.analysis_version = *s.analysis_version;
    if (s.core_type && !s.core_type->empty()) spec.core_type = *s.core_type;
    if (s.cores_per_slot) spec.cores_per_slot = *s.cores_per_slot;
    if (s.slots) spec.slots = *s.slots;
    if (s.walltime_hours) spec.walltime_hours = *s.walltime_hours;
    if (s.project_id) spec.project_id = *s.project_id;
    if (s.inbound_ssh_cidr) spec.inbound_ssh_cidr = *s.inbound_ssh_cidr;
    if (s.public_key) spec.public_key = *s.public_key;
    if (s.use_rescale_license) spec.use_rescale_license = *s.use_rescale_license;
    if (s.low_priority) spec.low_priority = *s.low_priority;
    if (s.user_defined_license_settings)
        spec.user_defined_license_settings = *s.user_defined_license_settings;
    spec.tags = s.tags;
    spec.automations = s.automations;
    spec.env = s.env;
    if (spec.command.find_first_not_of(" \t\r\n") == std::string::npos)
        throw Error::usage(
            "The job has no command: give --command, a #RESCALE_COMMAND line, or a script with "
            "commands in it.");
    if (spec.cores_per_slot < 1 || spec.slots < 1)
        throw Error::bad_data("Cores per slot and slots must be 1 or more.");
    check_walltime_hours(spec.walltime_hours, "walltime");
    return spec;
}

void JobSpec::add_input(const std::string& id, bool decompress) {
    if (id.empty()) return;
    for (const auto& f : input_files)
        if (f.id == id) return;
    input_files.push_back({id, decompress});
}

void validate_against_catalog(JobSpec& spec, const std::vector<CoreType>& core_types,
                              const std::vector<Analysis>& analyses) {
    auto ct = std::find_if(core_types.begin(), core_types.end(),
                           [&](const CoreType& c) { return c.code == spec.core_type; });
    std::vector<std::string> active;
    for (const auto& c : core_types)
        if (c.is_active) active.push_back(c.code);
    if (ct == core_types.end())
        throw Error::bad_data(
            fmt::format("Unknown core type '{}'. Core types: {} (see ri-jobs "
                        "hardware list).",
                        spec.core_type, names_of(active)));
    if (!ct->is_active)
        throw Error::bad_data(fmt::format("Core type '{}' is no longer offered. Core types: {}.",
                                          spec.core_type, names_of(active)));

    auto an = std::find_if(analyses.begin(), analyses.end(),
                           [&](const Analysis& a) { return a.code == spec.analysis; });
    if (an == analyses.end()) {
        std::vector<std::string> codes;
        for (const auto& a : analyses)
            codes.push_back(a.code);
        throw Error::bad_data(
            fmt::format("Unknown analysis '{}'. Analyses: {} (see ri-jobs software list).",
                        spec.analysis, names_of(codes)));
    }
    if (spec.analysis_version.empty()) return;
    auto ver = std::find_if(an->versions.begin(), an->versions.end(), [&](const auto& v) {
        return v.version_code == spec.analysis_version || v.version == spec.analysis_version;
    });
    if (ver == an->versions.end()) {
        std::vector<std::string> known;
        for (const auto& v : an->versions)
            known.push_back(v.version == v.version_code
                                ? v.version_code
                                : fmt::format("{} (version code {})", v.version, v.version_code));
        throw Error::bad_data(fmt::format(
            "Unknown version '{}' of analysis '{}'. Versions: {} (see ri-jobs software get {}).",
            spec.analysis_version, spec.analysis, names_of(known), spec.analysis));
    }
    if (!ver->allowed_core_types.empty() &&
        std::find(ver->allowed_core_types.begin(), ver->allowed_core_types.end(), spec.core_type) ==
            ver->allowed_core_types.end())
        throw Error::bad_data(fmt::format(
            "Core type '{}' is not allowed for {} version {}. Allowed: {}.", spec.core_type,
            spec.analysis, ver->version, names_of(ver->allowed_core_types)));
    spec.analysis_version = ver->version_code;
}

Json job_create_body(const JobSpec& spec, ApiVersion version) {
    Json analysis{{"code", spec.analysis}};
    if (!spec.analysis_version.empty()) analysis["version"] = spec.analysis_version;
    Json walltime = spec.walltime_hours == std::floor(spec.walltime_hours)
                        ? Json(static_cast<int64_t>(spec.walltime_hours))
                        : Json(spec.walltime_hours);
    Json hardware{{"coreType", version == ApiVersion::v3 ? Json{{"code", spec.core_type}}
                                                         : Json(spec.core_type)},
                  {"coresPerSlot", spec.cores_per_slot},
                  {"slots", spec.slots},
                  {"walltime", walltime}};
    Json inputs = Json::array();
    for (const auto& f : spec.input_files)
        inputs.push_back({{"id", f.id}, {"decompress", f.decompress}});
    Json env = Json::object();
    for (const auto& [k, v] : spec.env)
        env[k] = v;
    Json ja{{"command", spec.command},
            {"analysis", analysis},
            {"hardware", hardware},
            {"inputFiles", inputs},
            {"envVars", env},
            {"useRescaleLicense", spec.use_rescale_license},
            {"onDemandLicenseSeller", nullptr},
            {"userDefinedLicenseSettings", spec.user_defined_license_settings}};
    Json body{{"name", spec.name}, {"isLowPriority", spec.low_priority}};
    if (!spec.tags.empty()) body["tags"] = spec.tags;
    if (!spec.project_id.empty()) body["projectId"] = spec.project_id;
    if (!spec.inbound_ssh_cidr.empty()) body["cidrRule"] = spec.inbound_ssh_cidr;
    if (!spec.public_key.empty()) body["publicKey"] = spec.public_key;
    body["jobanalyses"] = Json::array({ja});
    Json automations = Json::array();
    for (const auto& id : spec.automations)
        automations.push_back(
            {{"automation", {{"id", id}}}, {"environmentVariables", Json::object()}});
    body["jobAutomations"] = automations;
    return body;
}

}  // namespace ri::platform
