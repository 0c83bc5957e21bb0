// Settings and where they come from. Files live in ~/.config/rescale/ (compatible with
// rescale-cli and Interlink): `apiconfig` (INI: a [default] or named profile section with
// apibaseurl/apikey as rescale-cli writes it; the [rescale] and [interlink.autoDownload]
// sections of the auto-download spec), `token` (Interlink's API key file) and `config.csv`
// (Interlink's key,value settings). Precedence: flags > environment > apiconfig profile >
// token > config.csv > defaults. Secrets are never written to config.csv.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ri {

enum class SettingType { text, integer, boolean, url, choice, path };

struct SettingSpec {
    std::string key;  // ri's name: api_key, auto_download.enabled, upload_workers...
    std::string description;
    SettingType type = SettingType::text;
    bool secret = false;
    std::string env;                    // environment variable, if any
    std::string ini_section;            // "" = the active profile; else a fixed section
    std::vector<std::string> ini_keys;  // first is written, all are read
    std::string csv_key;                // config.csv key; empty if not stored there
    std::string default_value;
    std::vector<std::string> choices;
};

const std::vector<SettingSpec>& setting_specs();
const SettingSpec* find_setting(std::string_view key);

struct SettingValue {
    std::string value;
    std::string source;  // "flag", "env RESCALE_API_KEY", "apiconfig [default]", "token",
                         // "config.csv", "default"
};

struct ConfigFiles {
    std::filesystem::path apiconfig;
    std::filesystem::path token;
    std::filesystem::path config_csv;
    static ConfigFiles discover();  // honours RESCALE_CONFIG_FILE
};

class Config {
  public:
    // Loads every source once. Warnings (insecure token file) are collected, not printed.
    static Config load(const std::string& profile = "",
                       std::map<std::string, std::string> flags = {});

    std::optional<SettingValue> lookup(std::string_view key) const;
    std::string get_or(std::string_view key, std::string fallback) const;
    const ConfigFiles& files() const { return files_; }
    const std::string& profile() const { return profile_; }
    const std::vector<std::string>& warnings() const { return warnings_; }

    // Validates and stores a value in the file the setting belongs to, atomically, keeping the
    // rest of the file. Secrets go to apiconfig (mode 0600), never to config.csv.
    static void store(const std::string& profile, std::string_view key, const std::string& value);
    static bool unset(const std::string& profile, std::string_view key);
    // Throws Error::usage naming the problem when value does not fit the setting.
    static void validate(const SettingSpec& spec, const std::string& value);

  private:
    ConfigFiles files_;
    std::string profile_;
    std::map<std::string, std::string> flags_;
    std::map<std::string, std::string> ini_values_;  // key -> value from apiconfig
    std::map<std::string, std::string> ini_sources_;
    std::optional<std::string> token_;
    std::map<std::string, std::string> csv_values_;
    std::vector<std::string> warnings_;
};

// Warning text of seed 000 when a secret-bearing file is readable by group or others.
std::optional<std::string> insecure_file_warning(const std::filesystem::path& file,
                                                 std::string_view what);

// Writes a small file atomically (temp + rename) with the given mode.
void write_file_atomic(const std::filesystem::path& path, std::string_view content, int mode);

// key,value rows of Interlink's config.csv; a "key,value" header row is skipped.
std::map<std::string, std::string> parse_key_value_csv(std::string_view text);

}  // namespace ri
