#include "storage/storage_profile.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <optional>
#include <vector>

#include "core/config.hpp"
#include "core/error.hpp"
#include "core/ini.hpp"
#include "core/log.hpp"
#include "core/redact.hpp"
#include "core/strings.hpp"

namespace ri::storage {
namespace {

// One setting and the names it has in each source.
struct Field {
    std::string_view flag;
    std::vector<std::string_view> env;
    std::vector<std::string_view> ini;  // keys of [storage.NAME], first match wins
    bool secret = false;
};

const Field kEndpoint{
    "s3.endpoint", {"AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"}, {"endpoint", "s3_endpoint"}};
const Field kRegion{"s3.region", {"AWS_REGION", "AWS_DEFAULT_REGION"}, {"region"}};
const Field kPathStyle{"s3.path_style", {}, {"path_style"}};
const Field kAccessKey{"s3.access_key", {"AWS_ACCESS_KEY_ID"}, {"access_key", "aws_access_key_id"}};
const Field kSecretKey{
    "s3.secret_key", {"AWS_SECRET_ACCESS_KEY"}, {"secret_key", "aws_secret_access_key"}, true};
const Field kSessionToken{
    "s3.session_token", {"AWS_SESSION_TOKEN"}, {"session_token", "aws_session_token"}, true};
const Field kAzEndpoint{"az.endpoint", {"AZURE_STORAGE_ENDPOINT"}, {"azure_endpoint"}};
const Field kAzAccount{"az.account", {"AZURE_STORAGE_ACCOUNT"}, {"azure_account", "account_name"}};
const Field kAzKey{"az.key", {"AZURE_STORAGE_KEY"}, {"azure_key", "account_key"}, true};
const Field kAzSas{"az.sas", {"AZURE_STORAGE_SAS_TOKEN"}, {"azure_sas_token", "sas_token"}, true};

const std::vector<const Field*>& all_fields() {
    static const std::vector<const Field*> fields = {
        &kEndpoint,     &kRegion,     &kPathStyle, &kAccessKey, &kSecretKey,
        &kSessionToken, &kAzEndpoint, &kAzAccount, &kAzKey,     &kAzSas};
    return fields;
}

enum class Source { flag, env, profile };

// The values of one source, secrets registered as they are read.
class Layer {
  public:
    std::optional<std::string> get(const Field& f) const {
        auto it = values_.find(std::string(f.flag));
        if (it == values_.end()) return std::nullopt;
        return it->second;
    }
    void put(const Field& f, std::string value) {
        if (value.empty()) return;
        if (f.secret) register_secret(value);
        values_[std::string(f.flag)] = std::move(value);
    }

  private:
    std::map<std::string, std::string> values_;
};

std::string trim(std::string_view s) {
    return std::string(strings::trim(s));
}

Layer flag_layer(const std::map<std::string, std::string>& flags) {
    Layer layer;
    for (const auto& [key, value] : flags) {
        auto it = std::find_if(all_fields().begin(), all_fields().end(),
                               [&](const Field* f) { return f->flag == key; });
        if (it == all_fields().end())
            throw Error::internal(fmt::format("Unknown storage setting '{}'.", key));
        layer.put(**it, trim(value));
    }
    return layer;
}

Layer env_layer() {
    Layer layer;
    for (const Field* f : all_fields()) {
        for (auto name : f->env) {
            const char* v = std::getenv(std::string(name).c_str());
            if (v && *v) {
                layer.put(*f, trim(v));
                break;
            }
        }
    }
    return layer;
}

Layer profile_layer(const std::string& requested_name) {
    Layer layer;
    std::string name = requested_name;
    if (name.empty()) {
        if (const char* v = std::getenv("RI_STORAGE_PROFILE"); v && *v) name = v;
    }
    const bool explicit_name = !name.empty();
    if (!explicit_name) name = "default";

    ConfigFiles files = ConfigFiles::discover();
    IniDocument ini = IniDocument::load(files.apiconfig.string());
    const std::string section = "storage." + name;
    if (!ini.has_section(section)) {
        if (explicit_name) {
            throw Error::config(
                fmt::format("Storage profile '{}' is not in {}: add a [{}] section.", name,
                            files.apiconfig.string(), section));
        }
        return layer;
    }
    for (const Field* f : all_fields()) {
        for (auto key : f->ini) {
            if (auto v = ini.get(section, key); v && !v->empty()) {
                layer.put(*f, trim(*v));
                break;
            }
        }
    }
    if (auto warning = insecure_file_warning(files.apiconfig, "Storage profile file"))
        log::warn("{}", *warning);
    return layer;
}

bool parse_bool(const std::string& value, std::string_view what) {
    std::string v = strings::lower(value);
    if (v == "true" || v == "yes" || v == "1" || v == "on") return true;
    if (v == "false" || v == "no" || v == "0" || v == "off") return false;
    throw Error::config(fmt::format("{} must be true or false, not '{}'.", what, value));
}

}  // namespace

StorageProfile load_storage_profile(const std::string& profile_name,
                                    const std::map<std::string, std::string>& flags) {
    // Every source is read (and its secrets registered) before any is chosen.
    const Layer layers[] = {flag_layer(flags), env_layer(), profile_layer(profile_name)};

    auto first = [&](const Field& f) -> std::optional<std::string> {
        for (const auto& layer : layers) {
            if (auto v = layer.get(f)) return v;
        }
        return std::nullopt;
    };
    // Credentials are a unit: the first source that has any part of them gives all of them, so
    // a stale AWS_SESSION_TOKEN never pairs with keys given on the command line.
    auto credential_source = [&](std::initializer_list<const Field*> group) -> const Layer* {
        for (const auto& layer : layers) {
            for (const Field* f : group) {
                if (layer.get(*f)) return &layer;
            }
        }
        return nullptr;
    };

    StorageProfile p;
    p.s3.endpoint = first(kEndpoint).value_or("");
    p.s3.region = first(kRegion).value_or(p.s3.region);
    if (auto v = first(kPathStyle)) p.s3.path_style = parse_bool(*v, "s3.path_style");
    if (const Layer* l = credential_source({&kAccessKey, &kSecretKey})) {
        p.s3.access_key = l->get(kAccessKey).value_or("");
        p.s3.secret_key = l->get(kSecretKey).value_or("");
        p.s3.session_token = l->get(kSessionToken).value_or("");
    }

    p.azure.endpoint = first(kAzEndpoint).value_or("");
    p.azure.account = first(kAzAccount).value_or("");
    if (const Layer* l = credential_source({&kAzKey, &kAzSas})) {
        p.azure.account_key = l->get(kAzKey).value_or("");
        p.azure.sas_token = l->get(kAzSas).value_or("");
    }
    if (!p.azure.sas_token.empty() && p.azure.sas_token.front() == '?')
        p.azure.sas_token.erase(0, 1);
    return p;
}

}  // namespace ri::storage
