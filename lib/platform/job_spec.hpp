// What ri-jobs submit (and ri-pur) create: the settings of a job made final (defaults filled in,
// checked against the hardware and software catalog) and the create body of reference §2.3.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/output.hpp"
#include "platform/models.hpp"
#include "platform/platform_client.hpp"
#include "platform/sge_script.hpp"

namespace ri::platform {

struct InputFile {
    std::string id;
    bool decompress = true;
};

struct JobSpec {
    // rescale-cli's defaults (reference §5).
    std::string name = "Unnamed Job";
    std::string command;
    std::string analysis = "user_included";
    std::string analysis_version;  // version or versionCode; empty: the platform's default
    std::string core_type = "emerald";
    int cores_per_slot = 1;
    int slots = 1;
    double walltime_hours = 48;
    std::vector<std::string> tags, automations;
    std::map<std::string, std::string> env;
    std::string project_id, inbound_ssh_cidr, public_key;
    bool use_rescale_license = false;
    bool low_priority = false;
    Json user_defined_license_settings;  // null, or the API's object
    std::vector<InputFile> input_files;

    // The defaults with the settings over them. Throws Error::usage (64) without a command and
    // Error::bad_data (65) for a walltime out of range.
    static JobSpec from_settings(const JobSettings& settings);
    // Adds an input file once (a second mention of the same id is ignored).
    void add_input(const std::string& id, bool decompress);
};

// Checks the core type and the analysis (and its version) against the catalog, before any job
// is created. An unknown or inactive core type, an unknown analysis, an unknown version, or a
// core type the version does not allow is Error::bad_data (65) naming it and what exists. The
// version is rewritten to its versionCode (the API's "version").
void validate_against_catalog(JobSpec& spec, const std::vector<CoreType>& core_types,
                              const std::vector<Analysis>& analyses);

// The create body (reference §2.3): in v3 coreType is {"code": ...}, in v2 a string; walltime
// in hours; each automation as {"automation":{"id"},"environmentVariables":{}} (without
// environmentVariables the platform answers 500).
Json job_create_body(const JobSpec& spec, ApiVersion version = ApiVersion::v3);

}  // namespace ri::platform
