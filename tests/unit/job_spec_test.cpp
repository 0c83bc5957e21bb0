// Job specs against the catalog, and the create body in the shapes of the platform reference §2.3.
#include "platform/job_spec.hpp"

#include <catch2/catch.hpp>

#include "core/error.hpp"

using namespace ri;
using namespace ri::platform;

namespace {

std::vector<CoreType> core_types() {
    return {CoreType::from_json(Json::parse(
                R"({"code":"emerald","name":"Emerald","cores":[1,2,4],"isActive":true})")),
            CoreType::from_json(
                Json::parse(R"({"code":"onyx","name":"Onyx","cores":[1,2],"isActive":true})")),
            CoreType::from_json(
                Json::parse(R"({"code":"old","name":"Old","cores":[1],"isActive":false})"))};
}

std::vector<Analysis> analyses() {
    return {
        Analysis::from_json(Json::parse(
            R"({"code":"user_included","name":"BYOS","versions":[{"id":"a","version":"0","versionCode":"0","allowedCoreTypes":[]}]})")),
        Analysis::from_json(Json::parse(
            R"({"code":"openfoam","name":"OpenFOAM","versions":[{"id":"b","version":"11","versionCode":"11-openmpi","allowedCoreTypes":["emerald"]}]})"))};
}

std::string refusal(JobSpec spec) {
    try {
        validate_against_catalog(spec, core_types(), analyses());
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::bad_data);
        return e.message();
    }
    FAIL("not refused");
    return {};
}

JobSpec spec_with(const std::string& command = "./run.sh") {
    JobSettings s;
    s.command = command;
    return JobSpec::from_settings(s);
}

}  // namespace

TEST_CASE("job spec: catalog checks name what is unknown") {
    JobSpec ok = spec_with();
    CHECK_NOTHROW(validate_against_catalog(ok, core_types(), analyses()));

    JobSpec s = spec_with();
    s.core_type = "unobtainium";
    CHECK_THAT(refusal(s), Catch::Contains("Unknown core type 'unobtainium'") &&
                               Catch::Contains("emerald, onyx"));
    s.core_type = "old";
    CHECK_THAT(refusal(s), Catch::Contains("'old' is no longer offered"));
    s = spec_with();
    s.analysis = "nastran";
    CHECK_THAT(refusal(s), Catch::Contains("Unknown analysis 'nastran'"));
    s = spec_with();
    s.analysis = "openfoam";
    s.analysis_version = "12";
    CHECK_THAT(refusal(s), Catch::Contains("Unknown version '12' of analysis 'openfoam'") &&
                               Catch::Contains("11 (version code 11-openmpi)"));
    s.analysis_version = "11";
    s.core_type = "onyx";
    CHECK_THAT(refusal(s), Catch::Contains("'onyx' is not allowed for openfoam version 11"));
    // A version by its display name becomes its versionCode.
    s.core_type = "emerald";
    validate_against_catalog(s, core_types(), analyses());
    CHECK(s.analysis_version == "11-openmpi");
    CHECK(job_create_body(s)["jobanalyses"][0]["analysis"] ==
          Json::parse(R"({"code":"openfoam","version":"11-openmpi"})"));
}

TEST_CASE("job spec: the create body, v3 and v2") {
    JobSpec s = spec_with("sh run.sh");
    s.name = "Job1";
    s.core_type = "emerald";
    s.cores_per_slot = 4;
    s.walltime_hours = 1.5;
    s.env = {{"K", "V"}};
    s.tags = {"a", "b"};
    s.low_priority = true;
    s.automations = {"au1"};
    s.add_input("qWcein", true);
    s.add_input("zzz", false);
    s.add_input("qWcein", false);  // a second mention is ignored
    Json want = Json::parse(R"({"name":"Job1","isLowPriority":true,"tags":["a","b"],
      "jobanalyses":[{"command":"sh run.sh","analysis":{"code":"user_included"},
        "hardware":{"coreType":{"code":"emerald"},"coresPerSlot":4,"slots":1,"walltime":1.5},
        "inputFiles":[{"id":"qWcein","decompress":true},{"id":"zzz","decompress":false}],
        "envVars":{"K":"V"},"useRescaleLicense":false,"onDemandLicenseSeller":null,
        "userDefinedLicenseSettings":null}],
      "jobAutomations":[{"automation":{"id":"au1"},"environmentVariables":{}}]})");
    CHECK(job_create_body(s) == want);
    CHECK(job_create_body(s, ApiVersion::v2)["jobanalyses"][0]["hardware"]["coreType"] ==
          "emerald");
}
