// ri-config list, get, set, unset and path: settings, each in the file it belongs to, secrets
// masked unless asked for.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>

#include "config.hpp"
#include "core/config.hpp"
#include "core/paths.hpp"
#include "core/redact.hpp"
#include "core/state_store.hpp"

namespace ri::config_tool {
namespace fs = std::filesystem;
namespace {

struct SettingOptions {
    std::string key, value;
    bool reveal = false;
};

Json setting_record(const Config& c, const SettingSpec& spec, bool reveal) {
    auto v = c.lookup(spec.key);
    Json r{{"kind", "setting"}, {"key", spec.key}, {"secret", spec.secret}};
    if (v) {
        r["value"] = spec.secret && !reveal ? mask_secret(v->value) : v->value;
        r["source"] = v->source;
    } else {
        r["value"] = nullptr;
        r["source"] = "unset";
    }
    return r;
}

std::string setting_line(const Json& r) {
    std::string value = r["value"].is_null() ? "-" : r["value"].get<std::string>();
    return fmt::format("{:<40} {:<32} {}", r["key"].get<std::string>(), value,
                       r["source"].get<std::string>());
}

const SettingSpec& known_setting(const std::string& key) {
    const SettingSpec* spec = find_setting(key);
    if (!spec)
        throw Error::usage(
            fmt::format("Unknown setting '{}'. 'ri-config list' shows them all.", key));
    return *spec;
}

int run_list(Context& ctx) {
    Config c = cli::load_config(ctx.tool, ctx.account);
    ctx.tool.out().human_text(fmt::format("{:<40} {:<32} {}", "KEY", "VALUE", "SOURCE"));
    for (const auto& spec : setting_specs())
        ctx.tool.out().emit(setting_record(c, spec, false), setting_line);
    return 0;
}

int run_get(Context& ctx, const SettingOptions& o) {
    if (o.key.empty()) return run_list(ctx);
    const SettingSpec& spec = known_setting(o.key);
    Config c = cli::load_config(ctx.tool, ctx.account);
    Json r = setting_record(c, spec, o.reveal);
    if (r["value"].is_null())
        throw Error::config(
            fmt::format("{} is not set. Set it with 'ri-config set {} VALUE'.", o.key, o.key));
    ctx.tool.out().emit(r, [](const Json& rec) { return rec["value"].get<std::string>(); });
    return 0;
}

int run_set(Context& ctx, SettingOptions& o) {
    const SettingSpec& spec = known_setting(o.key);
    if (o.value == "-") {
        // Secrets from stdin stay out of shell history and the process list.
        if (!std::getline(std::cin, o.value)) throw Error::usage("No value on stdin.");
        if (!o.value.empty() && o.value.back() == '\r') o.value.pop_back();
    }
    if (spec.secret) register_secret(o.value);
    Config::store(ctx.account.profile, o.key, o.value);
    Config c = cli::load_config(ctx.tool, ctx.account);
    Json r = setting_record(c, spec, false);
    r["file"] =
        spec.ini_keys.empty() ? c.files().config_csv.string() : c.files().apiconfig.string();
    ctx.tool.out().emit(r, [](const Json& rec) {
        return fmt::format("{} = {} (saved to {})", rec["key"].get<std::string>(),
                           rec["value"].get<std::string>(), rec["file"].get<std::string>());
    });
    if (auto v = c.lookup(o.key);
        v && v->source.rfind("apiconfig", 0) != 0 && v->source != "config.csv")
        ctx.tool.warn(
            fmt::format("{} is saved, but {} overrides it in this shell.", o.key, v->source));
    return 0;
}

int run_unset(Context& ctx, const SettingOptions& o) {
    bool removed = Config::unset(ctx.account.profile, o.key);
    ctx.tool.out().emit(
        {{"kind", "unset"}, {"key", o.key}, {"removed", removed}}, [](const Json& r) {
            return r["removed"].get<bool>()
                       ? fmt::format("{} removed", r["key"].get<std::string>())
                       : fmt::format("{} was not set in a file", r["key"].get<std::string>());
        });
    return 0;
}

int run_path(Context& ctx) {
    ConfigFiles f = ConfigFiles::discover();
    auto emit = [&](const char* name, const fs::path& p) {
        ctx.tool.out().emit(
            {{"kind", "path"}, {"name", name}, {"path", p.string()}, {"exists", fs::exists(p)}},
            [](const Json& r) {
                return fmt::format("{:<12} {}{}", r["name"].get<std::string>(),
                                   r["path"].get<std::string>(),
                                   r["exists"].get<bool>() ? "" : "  (not created yet)");
            });
    };
    emit("config_dir", paths::config_dir());
    emit("apiconfig", f.apiconfig);
    emit("token", f.token);
    emit("config_csv", f.config_csv);
    emit("state_dir", paths::state_dir());
    emit("state_db", StateStore::default_path());
    emit("log_dir", paths::log_dir());
    emit("runtime_dir", paths::runtime_dir());
    return 0;
}

}  // namespace

void add_settings_verbs(Context& ctx, cli::Verbs& verbs) {
    CLI::App& app = ctx.tool.app();
    auto o = std::make_shared<SettingOptions>();
    std::vector<std::string> keys;
    for (const auto& spec : setting_specs())
        keys.push_back(spec.key);
    auto* list =
        app.add_subcommand("list", "List every setting with its value (secrets masked) and source");
    auto* get = app.add_subcommand("get", "Print one setting (or all without KEY)");
    get->add_option("KEY", o->key, "Setting name, as shown by list")
        ->check(cli::choices_hint(keys));
    get->add_flag("--reveal", o->reveal, "Print a secret in full (only to stdout)");
    auto* set = app.add_subcommand("set", "Save a setting in the file it belongs to");
    set->add_option("KEY", o->key, "Setting name, as shown by list")
        ->required()
        ->check(cli::choices_hint(keys));
    set->add_option("VALUE", o->value, "Value; - reads it from stdin (use this for secrets)")
        ->required();
    auto* unset = app.add_subcommand("unset", "Remove a setting from its file");
    unset->add_option("KEY", o->key, "Setting name")->required()->check(cli::choices_hint(keys));
    auto* path = app.add_subcommand("path", "Show where configuration, state and logs live");
    // A secret given as an argument is redacted before anything is logged.
    ctx.tool.after_parse([o] {
        if (const SettingSpec* spec = find_setting(o->key); spec && spec->secret && o->value != "-")
            register_secret(o->value);
    });
    verbs.push_back({list, [&ctx] { return run_list(ctx); }});
    verbs.push_back({get, [&ctx, o] { return run_get(ctx, *o); }});
    verbs.push_back({set, [&ctx, o] { return run_set(ctx, *o); }});
    verbs.push_back({unset, [&ctx, o] { return run_unset(ctx, *o); }});
    verbs.push_back({path, [&ctx] { return run_path(ctx); }});
}

}  // namespace ri::config_tool
