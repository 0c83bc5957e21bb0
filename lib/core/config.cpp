#include "core/config.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/file.hpp"
#include "core/ini.hpp"
#include "core/paths.hpp"
#include "core/redact.hpp"
#include "core/strings.hpp"

namespace ri {
namespace fs = std::filesystem;

namespace {

constexpr const char* kDefaultProfile = "default";
constexpr const char* kRescaleSection = "rescale";
constexpr const char* kAutoDownloadSection = "interlink.autoDownload";

std::vector<SettingSpec> make_specs() {
    using T = SettingType;
    std::vector<SettingSpec> s;
    auto add = [&](SettingSpec spec) { s.push_back(std::move(spec)); };
    add({"api_key",
         "Rescale API key",
         T::text,
         true,
         "RESCALE_API_KEY",
         "",
         {"apikey", "api_key"},
         "",
         "",
         {}});
    add({"api_url",
         "Rescale platform URL",
         T::url,
         false,
         "RESCALE_API_URL",
         "",
         {"apibaseurl", "platform_url"},
         "api_base_url",
         "https://platform.rescale.com",
         {}});
    add({"auto_download.enabled",
         "Auto-download finished jobs",
         T::boolean,
         false,
         "",
         kAutoDownloadSection,
         {"enabled"},
         "",
         "false",
         {}});
    add({"auto_download.correctness_tag",
         "Tag a job must carry to be auto-downloaded",
         T::text,
         false,
         "",
         kAutoDownloadSection,
         {"correctness_tag"},
         "",
         "isCorrect:true",
         {}});
    add({"auto_download.default_download_folder",
         "Folder auto-downloads go to",
         T::path,
         false,
         "",
         kAutoDownloadSection,
         {"default_download_folder"},
         "",
         "",
         {}});
    add({"auto_download.scan_interval_minutes",
         "Minutes between scans for finished jobs",
         T::integer,
         false,
         "",
         kAutoDownloadSection,
         {"scan_interval_minutes"},
         "",
         "10",
         {}});
    add({"auto_download.lookback_days",
         "How far back to look for finished jobs (days)",
         T::integer,
         false,
         "",
         kAutoDownloadSection,
         {"lookback_days"},
         "",
         "7",
         {}});
    auto csv = [&](std::string key, std::string desc, T type, std::string def,
                   std::vector<std::string> choices = {}) {
        add({key,
             std::move(desc),
             type,
             false,
             "",
             "",
             {},
             key,
             std::move(def),
             std::move(choices)});
    };
    csv("tar_workers", "Parallel archive workers", T::integer, "4");
    csv("upload_workers", "Parallel upload workers", T::integer, "4");
    csv("job_workers", "Parallel job-creation workers", T::integer, "4");
    csv("proxy_mode", "Proxy mode", T::choice, "no-proxy", {"no-proxy", "system", "basic", "ntlm"});
    csv("proxy_host", "Proxy host", T::text, "");
    csv("proxy_port", "Proxy port", T::integer, "");
    csv("proxy_user", "Proxy user name", T::text, "");
    add({"proxy_password",
         "Proxy password",
         T::text,
         true,
         "RESCALE_PROXY_PASSWORD",
         "",
         {"proxy_password"},
         "",
         "",
         {}});
    csv("no_proxy", "Hosts that bypass the proxy (comma-separated, wildcards and CIDR)", T::text,
        "");
    csv("exclude_pattern", "Files to leave out of archives (;-separated globs)", T::text, "");
    csv("include_pattern", "Only these files in archives (;-separated globs)", T::text, "");
    csv("flatten_tar", "Store archive entries without directories", T::boolean, "false");
    csv("run_subpath", "Subdirectory of each run to archive", T::text, "");
    csv("tar_compression", "Archive compression", T::choice, "none", {"none", "gzip", "zstd"});
    csv("max_retries", "Retries for failed calls", T::integer, "10");
    csv("detailed_logging", "Debug lines in the log", T::boolean, "false");
    csv("org_code", "Organization code for project assignment", T::text, "");
    csv("validation_pattern", "File that must exist in each run directory", T::text, "");
    add({"ratelimit_coordinator",
         "Share one API budget across processes through ri-ratelimitd (auto) or keep it per "
         "process (off)",
         T::choice,
         false,
         "RI_RATELIMIT_COORDINATOR",
         "",
         {},
         "ratelimit_coordinator",
         "auto",
         {"auto", "off"}});
    add({"ratelimit_backend",
         "Where ri-ratelimitd keeps the buckets: empty for its memory, or redis://HOST:PORT[/DB] "
         "to share them across hosts",
         T::text,
         false,
         "RI_RATELIMIT_BACKEND",
         "",
         {},
         "ratelimit_backend",
         "",
         {}});
    return s;
}

std::string env(const std::string& name) {
    if (name.empty()) return "";
    const char* v = std::getenv(name.c_str());
    return v ? std::string(v) : std::string();
}

std::string read_small_file(const fs::path& path) {
    std::ifstream f(path, std::ios::binary);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string trim_ws(std::string_view s) {
    return std::string(strings::trim(s));
}

bool is_loopback_host(std::string_view host) {
    return host == "localhost" || host == "[::1]" || host.starts_with("127.");
}

// Parses one CSV record of a key,value file (RFC 4180 quoting). Hand-written: two columns of
// settings do not justify a C CSV library without a CMake package; the PUR jobs CSV reader
// will share this with a fuller grammar if it needs one.
std::vector<std::string> split_csv_row(std::string_view line) {
    std::vector<std::string> cells(1);
    bool quoted = false;
    for (size_t i = 0; i < line.size(); ++i) {
        char c = line[i];
        if (quoted) {
            if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
                cells.back() += '"';
                ++i;
            } else if (c == '"') {
                quoted = false;
            } else {
                cells.back() += c;
            }
        } else if (c == '"') {
            quoted = true;
        } else if (c == ',') {
            cells.emplace_back();
        } else if (c != '\r') {
            cells.back() += c;
        }
    }
    return cells;
}

std::string csv_quote(const std::string& v) {
    if (v.find_first_of(",\"\n") == std::string::npos) return v;
    std::string out = "\"";
    for (char c : v) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}

std::string profile_or_default(const std::string& profile) {
    if (!profile.empty()) return profile;
    if (auto p = env("RESCALE_PROFILE"); !p.empty()) return p;
    return kDefaultProfile;
}

}  // namespace

const std::vector<SettingSpec>& setting_specs() {
    static const std::vector<SettingSpec> specs = make_specs();
    return specs;
}

const SettingSpec* find_setting(std::string_view key) {
    for (const auto& s : setting_specs()) {
        if (s.key == key) return &s;
    }
    return nullptr;
}

ConfigFiles ConfigFiles::discover() {
    fs::path dir = paths::config_dir();
    ConfigFiles f{dir / "apiconfig", dir / "token", dir / "config.csv"};
    if (auto custom = env("RESCALE_CONFIG_FILE"); !custom.empty())
        f.apiconfig = paths::expand_user(custom);
    return f;
}

std::map<std::string, std::string> parse_key_value_csv(std::string_view text) {
    std::map<std::string, std::string> out;
    std::istringstream in{std::string(text)};
    std::string line;
    bool first = true;
    while (std::getline(in, line)) {
        auto cells = split_csv_row(line);
        std::string key = trim_ws(cells[0]);
        bool header = first && key == "key";
        first = false;
        if (key.empty() || key[0] == '#' || header) continue;
        out[key] = cells.size() > 1 ? trim_ws(cells[1]) : "";
    }
    return out;
}

std::optional<std::string> insecure_file_warning(const fs::path& file, std::string_view what) {
    if (!readable_by_others(file.string())) return std::nullopt;
    return fmt::format(
        "Warning: {} {} has insecure permissions {:04o}. Consider using 'chmod 600 {}'", what,
        file.string(), file_status(file.string()).mode, file.string());
}

void write_file_atomic(const fs::path& path, std::string_view content, int mode) {
    paths::ensure_private_dir(path.parent_path());
    AtomicOutput out(path.string(), mode);
    out.file().write_all(std::as_bytes(std::span(content.data(), content.size())));
    out.file().sync();
    out.commit();
}

Config Config::load(const std::string& profile, std::map<std::string, std::string> flags) {
    Config c;
    c.files_ = ConfigFiles::discover();
    c.profile_ = profile_or_default(profile);
    c.flags_ = std::move(flags);

    IniDocument ini = IniDocument::load(c.files_.apiconfig.string());
    if (!profile.empty() && !ini.has_section(c.profile_) && fs::exists(c.files_.apiconfig)) {
        throw Error::config(
            fmt::format("Profile '{}' is not in {}.", c.profile_, c.files_.apiconfig.string()));
    }
    bool ini_has_secret = false;
    for (const auto& spec : setting_specs()) {
        std::vector<std::string> sections;
        if (spec.ini_section.empty()) {
            sections = {c.profile_, kRescaleSection};
        } else {
            sections = {spec.ini_section};
        }
        for (const auto& section : sections) {
            bool found = false;
            for (const auto& k : spec.ini_keys) {
                if (auto v = ini.get(section, k); v && !v->empty()) {
                    c.ini_values_[spec.key] = *v;
                    c.ini_sources_[spec.key] = fmt::format("apiconfig [{}]", section);
                    if (spec.secret) {
                        register_secret(*v);
                        ini_has_secret = true;
                    }
                    found = true;
                    break;
                }
            }
            if (found) break;
        }
    }
    if (ini_has_secret) {
        if (auto w = insecure_file_warning(c.files_.apiconfig, "Config file"))
            c.warnings_.push_back(*w);
    }
    if (fs::exists(c.files_.token)) {
        if (auto w = insecure_file_warning(c.files_.token, "Token file")) c.warnings_.push_back(*w);
        std::string t = trim_ws(read_small_file(c.files_.token));
        if (!t.empty()) {
            register_secret(t);
            c.token_ = t;
        }
    }
    if (fs::exists(c.files_.config_csv)) {
        c.csv_values_ = parse_key_value_csv(read_small_file(c.files_.config_csv));
        // Interlink ignores secrets found in config.csv; so does ri, but it says so.
        for (const char* secret_key : {"api_key", "proxy_password"}) {
            if (c.csv_values_.erase(secret_key)) {
                c.warnings_.push_back(fmt::format(
                    "Warning: {} ignores '{}' in {}: secrets belong in apiconfig (mode 0600).",
                    "ri", secret_key, c.files_.config_csv.string()));
            }
        }
        if (auto it = c.csv_values_.find("tenant_url");
            it != c.csv_values_.end() && !c.csv_values_.count("api_base_url")) {
            c.csv_values_["api_base_url"] = it->second;
        }
    }
    for (const auto& spec : setting_specs()) {
        if (spec.secret) {
            if (auto v = env(spec.env); !v.empty()) register_secret(v);
            if (auto it = c.flags_.find(spec.key); it != c.flags_.end())
                register_secret(it->second);
        }
    }
    return c;
}

std::optional<SettingValue> Config::lookup(std::string_view key) const {
    const SettingSpec* spec = find_setting(key);
    if (!spec) return std::nullopt;
    if (auto it = flags_.find(spec->key); it != flags_.end() && !it->second.empty())
        return SettingValue{it->second, "flag"};
    if (auto v = env(spec->env); !v.empty()) return SettingValue{v, "env " + spec->env};
    if (auto it = ini_values_.find(spec->key); it != ini_values_.end()) {
        return SettingValue{it->second, ini_sources_.at(spec->key)};
    }
    if (spec->key == "api_key" && token_) return SettingValue{*token_, "token"};
    if (!spec->csv_key.empty()) {
        if (auto it = csv_values_.find(spec->csv_key);
            it != csv_values_.end() && !it->second.empty()) {
            return SettingValue{it->second, "config.csv"};
        }
    }
    if (!spec->default_value.empty()) return SettingValue{spec->default_value, "default"};
    return std::nullopt;
}

std::string Config::get_or(std::string_view key, std::string fallback) const {
    auto v = lookup(key);
    return v ? v->value : std::move(fallback);
}

void Config::validate(const SettingSpec& spec, const std::string& value) {
    auto bad = [&](std::string why) {
        throw Error::usage(fmt::format("Invalid value for {}: {}.", spec.key, why));
    };
    switch (spec.type) {
        case SettingType::integer: {
            if (value.empty() || value.size() > 9 ||
                !std::all_of(value.begin(), value.end(),
                             [](unsigned char ch) { return std::isdigit(ch); })) {
                bad(fmt::format("'{}' is not a whole number", value));
            }
            break;
        }
        case SettingType::boolean:
            if (value != "true" && value != "false")
                bad(fmt::format("'{}' is not true or false", value));
            break;
        case SettingType::choice:
            if (std::find(spec.choices.begin(), spec.choices.end(), value) == spec.choices.end()) {
                bad(fmt::format("'{}' is not one of {}", value, fmt::join(spec.choices, ", ")));
            }
            break;
        case SettingType::url: {
            std::string_view v = value;
            if (v.starts_with("https://")) {
                if (v.size() <= 8) bad("the URL has no host");
            } else if (v.starts_with("http://")) {
                std::string_view host =
                    v.substr(7, v.find_first_of(":/", 7) == std::string_view::npos
                                    ? std::string_view::npos
                                    : v.find_first_of(":/", 7) - 7);
                if (!is_loopback_host(host))
                    bad("plain http is only allowed for a local (loopback) platform; use https://");
            } else {
                bad(fmt::format("'{}' is not an http(s) URL", value));
            }
            break;
        }
        case SettingType::text:
        case SettingType::path:
            if (value.find('\n') != std::string::npos) bad("it contains a line break");
            break;
    }
}

void Config::store(const std::string& profile, std::string_view key, const std::string& value) {
    const SettingSpec* spec = find_setting(key);
    if (!spec)
        throw Error::usage(
            fmt::format("Unknown setting '{}'. 'ri-config list' shows them all.", key));
    validate(*spec, value);
    ConfigFiles files = ConfigFiles::discover();
    if (!spec->ini_keys.empty()) {
        IniDocument ini = IniDocument::load(files.apiconfig.string());
        std::string section =
            spec->ini_section.empty() ? profile_or_default(profile) : spec->ini_section;
        ini.set(section, spec->ini_keys.front(), value);
        write_file_atomic(files.apiconfig, ini.to_string(), 0600);
        return;
    }
    // Only non-secret settings reach config.csv (make_specs gives every secret an ini key).
    std::map<std::string, std::string> rows;
    std::vector<std::string> order;
    if (fs::exists(files.config_csv)) {
        std::istringstream in(read_small_file(files.config_csv));
        std::string line;
        while (std::getline(in, line)) {
            auto cells = split_csv_row(line);
            std::string k = trim_ws(cells[0]);
            if (k.empty() || k == "key" || rows.count(k)) continue;
            order.push_back(k);
            rows[k] = cells.size() > 1 ? trim_ws(cells[1]) : "";
        }
    }
    if (!rows.count(spec->csv_key)) order.push_back(spec->csv_key);
    rows[spec->csv_key] = value;
    std::string out = "key,value\n";
    for (const auto& k : order)
        out += csv_quote(k) + "," + csv_quote(rows[k]) + "\n";
    write_file_atomic(files.config_csv, out, 0644);
}

bool Config::unset(const std::string& profile, std::string_view key) {
    const SettingSpec* spec = find_setting(key);
    if (!spec)
        throw Error::usage(
            fmt::format("Unknown setting '{}'. 'ri-config list' shows them all.", key));
    ConfigFiles files = ConfigFiles::discover();
    bool removed = false;
    if (!spec->ini_keys.empty()) {
        IniDocument ini = IniDocument::load(files.apiconfig.string());
        std::string section =
            spec->ini_section.empty() ? profile_or_default(profile) : spec->ini_section;
        for (const auto& k : spec->ini_keys)
            removed = ini.remove(section, k) || removed;
        if (removed) write_file_atomic(files.apiconfig, ini.to_string(), 0600);
        return removed;
    }
    if (!fs::exists(files.config_csv)) return false;
    std::istringstream in(read_small_file(files.config_csv));
    std::string line, out;
    while (std::getline(in, line)) {
        if (trim_ws(split_csv_row(line)[0]) == spec->csv_key) {
            removed = true;
            continue;
        }
        out += line + "\n";
    }
    if (removed) write_file_atomic(files.config_csv, out, 0644);
    return removed;
}

}  // namespace ri
