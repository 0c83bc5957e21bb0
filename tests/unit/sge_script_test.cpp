// SGE-style job scripts (tests/fixtures/sge): every directive of the platform reference §5, the
// #$ fallbacks, #RESCALE_* over #$, flags over both, rescale-cli's defaults, and bad scripts.
#include "platform/sge_script.hpp"

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>

#include "core/error.hpp"
#include "platform/job_spec.hpp"

using namespace ri;
using namespace ri::platform;
namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) {
    fs::path dir = std::getenv("RI_SOURCE_DIR")
                       ? fs::path(std::getenv("RI_SOURCE_DIR")) / "tests/fixtures/sge"
                       : fs::path(__FILE__).parent_path().parent_path() / "fixtures/sge";
    return (dir / name).string();
}

// The message of the bad_data error that parsing `name` raises.
std::string error_of(const std::string& name) {
    try {
        read_sge_script(fixture(name));
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::bad_data);
        return e.message();
    }
    FAIL("no error for " << name);
    return {};
}

}  // namespace

TEST_CASE("sge: every #RESCALE_* directive") {
    JobSettings s = read_sge_script(fixture("full.sh")).settings();
    CHECK(s.name == "CFD sweep 7");
    CHECK(s.command == "./run.sh --case 7");  // the directive, not the body
    CHECK(s.analysis == "openfoam");
    CHECK(s.analysis_version == "11");
    CHECK(s.core_type == "onyx");  // #RESCALE_CORES is the core type code
    CHECK(s.cores_per_slot == 4);
    CHECK(s.slots == 2);
    CHECK(s.walltime_hours == 12);
    CHECK(s.tags == std::vector<std::string>{"sweep", "nightly"});
    CHECK(s.project_id == "prj42");
    CHECK(s.inbound_ssh_cidr == "10.0.0.0/8");
    CHECK(s.public_key == "ssh-ed25519 AAAAC3Nz user@host");
    CHECK(s.use_rescale_license == true);
    CHECK(s.env == std::map<std::string, std::string>{{"CASE_DIR", "/work/case 7"},
                                                      {"OMP_NUM_THREADS", "4"}});
    REQUIRE(s.user_defined_license_settings);
    CHECK((*s.user_defined_license_settings)["featureSets"][0]["features"][0]["count"] == 2);
    CHECK(s.automations == std::vector<std::string>{"auto1", "auto2"});

    JobSpec spec = JobSpec::from_settings(s);
    Json body = job_create_body(spec);
    CHECK(body["name"] == "CFD sweep 7");
    CHECK(body["projectId"] == "prj42");
    CHECK(body["cidrRule"] == "10.0.0.0/8");
    CHECK(body["tags"] == Json::array({"sweep", "nightly"}));
    const Json& ja = body["jobanalyses"][0];
    CHECK(ja["hardware"] ==
          Json::parse(R"({"coreType":{"code":"onyx"},"coresPerSlot":4,"slots":2,"walltime":12})"));
    CHECK(ja["useRescaleLicense"] == true);
    CHECK(ja["envVars"]["OMP_NUM_THREADS"] == "4");
    CHECK(ja["userDefinedLicenseSettings"]["featureSets"][0]["name"] == "USER_SPECIFIED_0");
    CHECK(body["jobAutomations"] ==
          Json::parse(R"([{"automation":{"id":"auto1"},"environmentVariables":{}},
                          {"automation":{"id":"auto2"},"environmentVariables":{}}])"));
}

TEST_CASE("sge: the #$ fallbacks alone") {
    JobSettings s = read_sge_script(fixture("qsub.sh")).settings();
    CHECK(s.name == "qsub-job");
    CHECK(s.cores_per_slot == 8);
    CHECK(s.analysis == "abaqus");
    CHECK(s.core_type == "nickel");
    CHECK(s.walltime_hours == 6);
    CHECK(s.command == "abaqus job=model interactive");
}

TEST_CASE("sge: #RESCALE_* wins over #$, flags win over both") {
    SgeScript script = read_sge_script(fixture("precedence.sh"));
    JobSettings s = script.settings();
    CHECK(s.name == "from-rescale");
    CHECK(s.cores_per_slot == 16);
    CHECK(s.core_type == "emerald");
    CHECK(s.walltime_hours == 5);
    CHECK(script.qsub.name == "also-qsub");  // the later qsub line, but still under #RESCALE_NAME
    CHECK(script.qsub.cores_per_slot == 6);

    JobSettings flags;
    flags.core_type = "onyx";
    flags.walltime_hours = 2;
    flags.tags = {"cli"};
    flags.env = {{"A", "1"}};
    s.override_with(flags);
    CHECK(s.core_type == "onyx");
    CHECK(s.walltime_hours == 2);
    CHECK(s.name == "from-rescale");  // not given as a flag: the directive stays
    CHECK(s.tags == std::vector<std::string>{"cli"});
    CHECK(s.env.at("A") == "1");
}

TEST_CASE("sge: no directives: the body is the command, rescale-cli's defaults fill the rest") {
    JobSpec spec = JobSpec::from_settings(read_sge_script(fixture("body.sh")).settings());
    CHECK(spec.command == "echo start\n./solver --in input.dat\necho done");
    CHECK(spec.name == "Unnamed Job");
    CHECK(spec.core_type == "emerald");
    CHECK(spec.analysis == "user_included");
    CHECK(spec.cores_per_slot == 1);
    CHECK(spec.slots == 1);
    CHECK(spec.walltime_hours == 48);
    Json body = job_create_body(spec);
    CHECK(body["jobanalyses"][0]["hardware"]["walltime"] == 48);
    CHECK(body["jobanalyses"][0]["analysis"] == Json{{"code", "user_included"}});  // no version
    CHECK(body["jobAutomations"] == Json::array());
    CHECK(!body.contains("tags"));
    CHECK(body["isLowPriority"] == false);
}

TEST_CASE("sge: bad scripts are refused with the line and what is wrong") {
    std::string m = error_of("bad_walltime.sh");
    CHECK_THAT(m, Catch::Contains("bad_walltime.sh line 3"));
    CHECK_THAT(m, Catch::Contains("#RESCALE_WALLTIME"));
    CHECK_THAT(m, Catch::Contains("HOURS, not seconds"));
    CHECK_THAT(m, Catch::Contains("(1 h)"));
    CHECK_THAT(error_of("bad_license.sh"), Catch::Contains("'maybe' is not true or false"));
    CHECK_THAT(error_of("bad_count.sh"),
               Catch::Contains("line 3: #RESCALE_SLOTS: 'two' is not a whole number"));
    CHECK_THAT(error_of("unknown_directive.sh"),
               Catch::Contains("#RESCALE_CORETYPE: unknown directive"));
    CHECK_THAT(error_of("bad_license_json.sh"), Catch::Contains("not a JSON object"));
    CHECK_THROWS_AS(parse_sge_script("#RESCALE_NAME\n", "x"), Error);  // no value
    CHECK_THROWS_AS(parse_sge_script("#$ -l rescale_walltime=86400\n", "x"), Error);
    CHECK_THROWS_AS(parse_sge_script("#$ -l rescale_gpu=1\n", "x"), Error);
    // Other qsub resources and options mean nothing on Rescale and are skipped.
    CHECK_NOTHROW(parse_sge_script("#$ -l h_vmem=4G,h_rt=1:00:00\n#$ -V\n", "x"));
    try {
        read_sge_script(fixture("no-such-script.sh"));
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::missing_input);
    }
}

TEST_CASE("sge: walltime and counts from flags") {
    CHECK(parse_walltime_hours("1.5", "--walltime") == 1.5);
    CHECK(parse_walltime_hours("336", "--walltime") == 336);
    CHECK_THROWS_AS(parse_walltime_hours("337", "--walltime"), Error);
    CHECK_THROWS_AS(parse_walltime_hours("0", "--walltime"), Error);
    CHECK_THROWS_AS(parse_walltime_hours("2h", "--walltime"), Error);
    CHECK(parse_positive_count(" 4 ", "n") == 4);
    CHECK_THROWS_AS(parse_positive_count("0", "n"), Error);
    CHECK_THROWS_AS(parse_positive_count("4x", "n"), Error);
    JobSettings s;
    try {
        JobSpec::from_settings(s);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::usage);
        CHECK_THAT(e.message(), Catch::Contains("no command"));
    }
}
