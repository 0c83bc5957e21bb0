// SGE-style job scripts as rescale-cli `submit` reads them (platform reference §5): `#RESCALE_*`
// directives, the qsub fallbacks `#$ -N`, `#$ -pe smp N` and `#$ -l rescale_*=...`, and the
// script body as the command when there is no #RESCALE_COMMAND.
//
// Job settings are layered: defaults < `#$` fallbacks < `#RESCALE_*` directives < command-line
// flags (ri-jobs submit) or CSV columns (ri-pur). Each layer is a JobSettings whose fields are
// set only when that layer said something; override_with() puts one layer over another.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/output.hpp"

namespace ri::platform {

// The most walltime a job may ask for, in hours (two weeks). Larger values are nearly always
// a legacy script that meant seconds (3600, 86400) and are refused.
inline constexpr double kMaxWalltimeHours = 336;

struct JobSettings {
    std::optional<std::string> name, command, analysis, analysis_version;
    std::optional<std::string> core_type;  // #RESCALE_CORES is the core type code
    std::optional<int> cores_per_slot, slots;
    std::optional<double> walltime_hours;
    std::optional<std::string> project_id, inbound_ssh_cidr, public_key;
    std::optional<bool> use_rescale_license, low_priority;
    std::optional<Json> user_defined_license_settings;  // a JSON object
    // Lists accumulate over layers (duplicates dropped); an env value of a higher layer wins.
    std::vector<std::string> tags, automations;
    std::map<std::string, std::string> env;

    // This layer with every field that `higher` sets taken from `higher`.
    void override_with(const JobSettings& higher);
};

struct SgeScript {
    JobSettings qsub;     // from the #$ lines
    JobSettings rescale;  // from the #RESCALE_* lines
    std::string body;     // non-comment, non-empty lines, joined by newlines
    // qsub < rescale, and the body as the command when no directive named one.
    JobSettings settings() const;
};

// Parses a script's text; `source` names it in errors ("run.sh line 4: ..."). Throws
// Error::bad_data (65) for a directive it cannot use: an unknown #RESCALE_ name, a count that is
// not a positive whole number, USE_RESCALE_LICENSE other than true/false, license settings that
// are not a JSON object, a walltime over 336 hours.
SgeScript parse_sge_script(std::string_view text, std::string_view source);
// Reads and parses a script file (66 when it cannot be read).
SgeScript read_sge_script(const std::string& path);

// Helpers shared with flag and CSV parsing; `what` names the value in the error.
int parse_positive_count(std::string_view text, std::string_view what);
// Hours (a whole or decimal number), above 0 and at most 336 (else "probably seconds").
double parse_walltime_hours(std::string_view text, std::string_view what);
void check_walltime_hours(double hours, std::string_view what);

}  // namespace ri::platform
