// The hardware (core types) and software (analyses) catalog: realistic entries in the shapes of
// the reference (§2.4). Codes such as emerald and onyx and analyses such as user_included are
// the ones clients and PUR CSVs use; prices and sizes are plausible, not the platform's.
#include "sandbox/sandbox_impl.hpp"

namespace ri::sandbox {
namespace {

Json core_type(const char* code, const char* name, std::vector<int> cores, int memory, int storage,
               double price, const char* low, int order, const char* cpu, bool active = true,
               bool primary = false) {
    Json j;
    j["code"] = code;
    j["name"] = name;
    j["cores"] = cores;
    j["memory"] = memory;
    j["storage"] = storage;
    j["price"] = price;
    j["lowPriorityPrice"] = low;
    j["walltimeRequired"] = false;
    j["isDeprecated"] = !active;
    j["isActive"] = active;
    j["isPrimary"] = primary;
    j["hasSsd"] = true;
    j["compute"] = nullptr;
    j["io"] = "50.0";
    j["displayOrder"] = order;
    j["remoteVizAllowed"] = true;
    j["processorInfo"] = cpu;
    j["storageIo"] = "Standard";
    j["description"] = "";
    j["categoryCodes"] = Json::array({"compute"});
    return j;
}

Json version(const char* version, const char* code, std::vector<std::string> core_types,
             const char* std_cmd) {
    return Json{{"id", std::string("v") + code},
                {"version", version},
                {"versionCode", code},
                {"allowedCoreTypes", core_types},
                {"stdCommand", std_cmd},
                {"mpiCommand", "mpirun -np $RESCALE_CORES_PER_SLOT"},
                {"smpCommand", ""},
                {"eula", ""}};
}

Json analysis(const char* code, const char* name, const char* vendor, Json versions, int order,
              const char* industry) {
    return Json{{"code", code},
                {"name", name},
                {"description", std::string(name) + " on Rescale"},
                {"vendorName", vendor},
                {"versions", std::move(versions)},
                {"industries", Json::array({{{"name", industry}, {"icon", ""}}})},
                {"displayOrder", order},
                {"thumbnail", nullptr},
                {"supportDesks", Json::array()},
                {"hasRescaleLicense", false},
                {"pricing", ""},
                {"licenseSettings", Json::array()},
                {"optimizerType", nullptr},
                {"resources", Json::array()}};
}

const std::vector<std::string> all_types = {"emerald", "onyx",   "adamite",  "nickel",
                                            "marble",  "carbon", "dolomite", "standard-plus"};

}  // namespace

const Json& core_types() {
    static const Json list = Json::array({
        core_type("emerald", "Emerald", {1, 2, 4, 8, 16, 32}, 8000, 100, 0.1139, "0.0720", 10,
                  "Intel Xeon E5-2670 (Sandy Bridge)", true, true),
        core_type("onyx", "Onyx", {1, 2, 4, 9, 18, 36}, 7500, 100, 0.1520, "0.0940", 20,
                  "Intel Xeon Platinum 8124M (Skylake)", true, true),
        core_type("adamite", "Adamite", {24}, 8000, 37, 0.1751, "0.0988", 33,
                  "Intel Xeon E5-2680 v3 (Haswell)"),
        core_type("nickel", "Nickel", {2, 4, 8, 16, 32, 64}, 4000, 80, 0.0950, "0.0600", 40,
                  "AMD EPYC 7R32 (Rome)"),
        core_type("marble", "Marble", {4, 8, 16, 32, 48}, 16000, 200, 0.2100, "0.1300", 50,
                  "Intel Xeon Platinum 8259CL (Cascade Lake), high memory"),
        core_type("carbon", "Carbon", {32, 64, 96}, 4000, 400, 0.1300, "0.0800", 60,
                  "Intel Xeon Platinum 8375C (Ice Lake), EFA"),
        core_type("dolomite", "Dolomite", {1, 2, 4, 8}, 3750, 40, 0.0690, "0.0410", 70,
                  "Intel Xeon E5-2666 v3 (Haswell)"),
        core_type("standard-plus", "Standard Plus", {1, 2, 4, 8, 16}, 3750, 32, 0.0800, "0.0500",
                  80, "Intel Xeon (legacy)", false),
    });
    return list;
}

const Json& analyses() {
    static const Json list = Json::array({
        analysis("user_included", "Bring Your Own Software", "Rescale",
                 Json::array({version("0", "0", all_types, "./run.sh")}), 1, "General"),
        analysis("openfoam", "OpenFOAM", "OpenFOAM Foundation",
                 Json::array({version("v2012", "v2012-openmpi", all_types, "simpleFoam"),
                              version("9", "9-openmpi", all_types, "simpleFoam"),
                              version("11", "11-openmpi", all_types, "simpleFoam")}),
                 10, "CFD"),
        analysis(
            "ansys_fluent", "ANSYS Fluent", "ANSYS",
            Json::array({version("2023 R1", "2023r1", all_types, "fluent 3ddp -g -i run.jou"),
                         version("2024 R1", "2024r1", all_types, "fluent 3ddp -g -i run.jou")}),
            20, "CFD"),
        analysis("abaqus", "Abaqus", "Dassault Systemes",
                 Json::array({version("2023", "2023", all_types, "abaqus job=model interactive")}),
                 30, "FEA"),
        analysis("lsdyna", "LS-DYNA", "Ansys LST",
                 Json::array({version("R13.1", "r13.1-mpp", all_types, "ls-dyna i=model.k")}), 40,
                 "Crash"),
        analysis("star_ccm_plus", "Simcenter STAR-CCM+", "Siemens",
                 Json::array({version("2306", "18.04.008-r8", all_types, "starccm+ -batch")}), 50,
                 "CFD"),
    });
    return list;
}

const Json* find_core_type(const std::string& code) {
    for (const auto& t : core_types())
        if (t["code"] == code) return &t;
    return nullptr;
}

const Json* find_analysis(const std::string& code) {
    for (const auto& a : analyses())
        if (a["code"] == code) return &a;
    return nullptr;
}

}  // namespace ri::sandbox
