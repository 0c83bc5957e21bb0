#include "platform/sge_script.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace ri::platform {

namespace {

// A directive's line keeps its line feed out already; CR of a CRLF script is space here.
std::string_view trim(std::string_view s) {
    return strings::trim(s, " \t\r");
}

void add_unique(std::vector<std::string>& list, const std::string& item) {
    if (!item.empty() && std::find(list.begin(), list.end(), item) == list.end())
        list.push_back(item);
}

// A comma list of a directive, each item once, in the order given.
std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    for (const auto& item : strings::split_list(text, ",", " \t\r"))
        add_unique(out, item);
    return out;
}

// "#RESCALE_NAME" -> the setter of its value. The value is already trimmed and non-empty.
struct Directive {
    const char* key;
    void (*apply)(JobSettings&, std::string_view value, std::string_view what);
};

const Directive kDirectives[] = {
    {"RESCALE_NAME", [](JobSettings& s, std::string_view v, std::string_view) { s.name = v; }},
    {"RESCALE_COMMAND",
     [](JobSettings& s, std::string_view v, std::string_view) { s.command = v; }},
    {"RESCALE_ANALYSIS",
     [](JobSettings& s, std::string_view v, std::string_view) { s.analysis = v; }},
    {"RESCALE_ANALYSIS_VERSION",
     [](JobSettings& s, std::string_view v, std::string_view) { s.analysis_version = v; }},
    {"RESCALE_CORES",
     [](JobSettings& s, std::string_view v, std::string_view) { s.core_type = v; }},
    {"RESCALE_CORES_PER_SLOT",
     [](JobSettings& s, std::string_view v, std::string_view w) {
         s.cores_per_slot = parse_positive_count(v, w);
     }},
    {"RESCALE_SLOTS", [](JobSettings& s, std::string_view v,
                         std::string_view w) { s.slots = parse_positive_count(v, w); }},
    {"RESCALE_WALLTIME", [](JobSettings& s, std::string_view v,
                            std::string_view w) { s.walltime_hours = parse_walltime_hours(v, w); }},
    {"RESCALE_TAGS",
     [](JobSettings& s, std::string_view v, std::string_view) {
         for (const auto& t : split_list(v))
             add_unique(s.tags, t);
     }},
    {"RESCALE_PROJECT_ID",
     [](JobSettings& s, std::string_view v, std::string_view) { s.project_id = v; }},
    {"RESCALE_INBOUND_SSH_CIDR",
     [](JobSettings& s, std::string_view v, std::string_view) { s.inbound_ssh_cidr = v; }},
    {"RESCALE_PUBLIC_KEY",
     [](JobSettings& s, std::string_view v, std::string_view) { s.public_key = v; }},
    {"USE_RESCALE_LICENSE",
     [](JobSettings& s, std::string_view v, std::string_view w) {
         if (v != "true" && v != "false")
             throw Error::bad_data(
                 fmt::format("{}: '{}' is not true or false.", w, std::string(v)));
         s.use_rescale_license = v == "true";
     }},
    {"RESCALE_USER_DEFINED_LICENSE_SETTINGS",
     [](JobSettings& s, std::string_view v, std::string_view w) {
         Json j = Json::parse(v, nullptr, false);
         if (j.is_discarded() || !j.is_object())
             throw Error::bad_data(fmt::format(
                 "{}: the value is not a JSON object; write it as "
                 R"({{"featureSets":[{{"name":"USER_SPECIFIED_0","features":[{{"name":"<feature>","count":<seats>}}]}}]}})",
                 w));
         s.user_defined_license_settings = std::move(j);
     }},
    {"RESCALE_AUTOMATION",
     [](JobSettings& s, std::string_view v, std::string_view w) {
         if (v.find_first_of(" \t") != std::string_view::npos)
             throw Error::bad_data(
                 fmt::format("{}: one automation id per line, got '{}'.", w, std::string(v)));
         add_unique(s.automations, std::string(v));
     }},
};

void parse_rescale_line(JobSettings& s, std::string_view line, const std::string& where) {
    // line starts after '#': "RESCALE_NAME value", "RESCALE_ENV_X value",
    // "RESCALE_USER_DEFINED_LICENSE_SETTINGS={...}".
    size_t end = line.find_first_of(" \t=");
    std::string key(line.substr(0, end));
    std::string_view value = end == std::string_view::npos ? "" : trim(line.substr(end + 1));
    std::string what = fmt::format("{}: #{}", where, key);
    if (value.empty()) throw Error::bad_data(fmt::format("{} has no value.", what));
    if (key.starts_with("RESCALE_ENV_")) {
        std::string name = key.substr(std::strlen("RESCALE_ENV_"));
        if (name.empty()) throw Error::bad_data(fmt::format("{}: no variable name.", what));
        s.env[name] = std::string(value);
        return;
    }
    if (line[end] == '=' && key != "RESCALE_USER_DEFINED_LICENSE_SETTINGS")
        throw Error::bad_data(fmt::format("{}: write the value after a space, not '='.", what));
    for (const auto& d : kDirectives) {
        if (key == d.key) return d.apply(s, value, what);
    }
    throw Error::bad_data(fmt::format(
        "{}: unknown directive (known: #RESCALE_NAME, _COMMAND, _ANALYSIS, _ANALYSIS_VERSION, "
        "_CORES, _CORES_PER_SLOT, _SLOTS, _WALLTIME, _TAGS, _PROJECT_ID, _INBOUND_SSH_CIDR, "
        "_PUBLIC_KEY, _ENV_<NAME>, _USER_DEFINED_LICENSE_SETTINGS, _AUTOMATION, "
        "#USE_RESCALE_LICENSE).",
        what));
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    size_t i = 0;
    while (i < s.size()) {
        while (i < s.size() && (s[i] == ' ' || s[i] == '\t'))
            ++i;
        size_t j = i;
        while (j < s.size() && s[j] != ' ' && s[j] != '\t')
            ++j;
        if (j > i) out.push_back(s.substr(i, j - i));
        i = j;
    }
    return out;
}

// "#$ -N name", "#$ -pe smp 4", "#$ -l rescale_coretype=onyx,h_rt=...". Other qsub options
// (-cwd, -j, -o, -V, -l h_rt=...) mean nothing on Rescale and are skipped.
void parse_qsub_line(JobSettings& s, std::string_view rest, const std::string& where) {
    auto w = words(rest);
    if (w.empty()) return;
    if (w[0] == "-N") {
        std::string_view name = trim(rest.substr(rest.find("-N") + 2));
        if (name.empty()) throw Error::bad_data(fmt::format("{}: #$ -N has no name.", where));
        s.name = name;
    } else if (w[0] == "-pe") {
        if (w.size() < 3)
            throw Error::bad_data(
                fmt::format("{}: #$ -pe needs an environment and a count.", where));
        s.cores_per_slot = parse_positive_count(w[2], fmt::format("{}: #$ -pe", where));
    } else if (w[0] == "-l") {
        std::string_view list = trim(rest.substr(rest.find("-l") + 2));
        for (const auto& pair : split_list(list)) {
            size_t eq = pair.find('=');
            if (eq == std::string::npos) continue;
            std::string key(trim(std::string_view(pair).substr(0, eq)));
            std::string value(trim(std::string_view(pair).substr(eq + 1)));
            std::string what = fmt::format("{}: #$ -l {}", where, key);
            if (!key.starts_with("rescale_")) continue;
            if (value.empty()) throw Error::bad_data(fmt::format("{} has no value.", what));
            if (key == "rescale_code")
                s.analysis = value;
            else if (key == "rescale_coretype")
                s.core_type = value;
            else if (key == "rescale_cores")
                s.cores_per_slot = parse_positive_count(value, what);
            else if (key == "rescale_walltime")
                s.walltime_hours = parse_walltime_hours(value, what);
            else if (key == "rescale_name")
                s.name = value;
            else
                throw Error::bad_data(fmt::format(
                    "{}: unknown resource (known: rescale_code, rescale_coretype, rescale_cores, "
                    "rescale_walltime, rescale_name).",
                    what));
        }
    }
}

template <class T>
void take(std::optional<T>& field, const std::optional<T>& higher) {
    if (higher) field = higher;
}

}  // namespace

int parse_positive_count(std::string_view text, std::string_view what) {
    text = trim(text);
    int v = 0;
    auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || p != text.data() + text.size() || v < 1)
        throw Error::bad_data(
            fmt::format("{}: '{}' is not a whole number of 1 or more.", what, std::string(text)));
    return v;
}

void check_walltime_hours(double hours, std::string_view what) {
    if (!(hours > 0))
        throw Error::bad_data(fmt::format("{}: the walltime must be more than 0 hours.", what));
    if (hours > kMaxWalltimeHours)
        throw Error::bad_data(fmt::format(
            "{}: walltime {:g} is over {:g} hours. The walltime is in HOURS, not seconds; {:g} "
            "looks like seconds ({:g} h). Write it in hours.",
            what, hours, kMaxWalltimeHours, hours, std::ceil(hours / 3600.0)));
}

double parse_walltime_hours(std::string_view text, std::string_view what) {
    text = trim(text);
    std::string s(text);
    char* end = nullptr;
    errno = 0;
    double v = s.empty() ? 0 : std::strtod(s.c_str(), &end);
    if (s.empty() || errno != 0 || end != s.c_str() + s.size() || !std::isfinite(v))
        throw Error::bad_data(fmt::format("{}: '{}' is not a number of hours.", what, s));
    check_walltime_hours(v, what);
    return v;
}

void JobSettings::override_with(const JobSettings& h) {
    take(name, h.name);
    take(command, h.command);
    take(analysis, h.analysis);
    take(analysis_version, h.analysis_version);
    take(core_type, h.core_type);
    take(cores_per_slot, h.cores_per_slot);
    take(slots, h.slots);
    take(walltime_hours, h.walltime_hours);
    take(project_id, h.project_id);
    take(inbound_ssh_cidr, h.inbound_ssh_cidr);
    take(public_key, h.public_key);
    take(use_rescale_license, h.use_rescale_license);
    take(low_priority, h.low_priority);
    take(user_defined_license_settings, h.user_defined_license_settings);
    for (const auto& t : h.tags)
        add_unique(tags, t);
    for (const auto& a : h.automations)
        add_unique(automations, a);
    for (const auto& [k, v] : h.env)
        env[k] = v;
}

JobSettings SgeScript::settings() const {
    JobSettings s = qsub;
    s.override_with(rescale);
    if (!s.command && !body.empty()) s.command = body;
    return s;
}

SgeScript parse_sge_script(std::string_view text, std::string_view source) {
    SgeScript script;
    size_t line_no = 0, pos = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view raw = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line_no;
        std::string_view line = trim(raw);
        if (line.empty()) continue;
        std::string where = fmt::format("{} line {}", std::string(source), line_no);
        if (line.starts_with("#$")) {
            parse_qsub_line(script.qsub, line.substr(2), where);
        } else if (line.starts_with("#RESCALE_") || line.starts_with("#USE_RESCALE_LICENSE")) {
            parse_rescale_line(script.rescale, line.substr(1), where);
        } else if (!line.starts_with('#')) {
            if (!script.body.empty()) script.body += '\n';
            script.body += line;
        }
    }
    return script;
}

SgeScript read_sge_script(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw file_error(FileRole::input, path, errno, "reading the job script");
    std::ostringstream ss;
    ss << in.rdbuf();
    auto slash = path.find_last_of('/');
    return parse_sge_script(ss.str(), slash == std::string::npos ? path : path.substr(slash + 1));
}

}  // namespace ri::platform
