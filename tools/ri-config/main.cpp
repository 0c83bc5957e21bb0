// ri-config: settings, credentials and the checks of the auto-download installer.
#include <fmt/format.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>

#include "core/cli.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/folder_check.hpp"
#include "core/paths.hpp"
#include "core/redact.hpp"
#include "core/state_store.hpp"
#include "platform/platform_client.hpp"
#include "storage/backend_factory.hpp"

namespace fs = std::filesystem;
using namespace ri;

namespace {

struct Options {
    AccountOptions account;
    std::string key, value, folder;
    bool reveal = false;
    bool offline = false;
};

Config load(ToolRunner& tool, const Options& o) {
    Config c = load_config(tool, o.account);
    return c;
}

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

int run_list(ToolRunner& tool, const Options& o) {
    Config c = load(tool, o);
    tool.out().human_text(fmt::format("{:<40} {:<32} {}", "KEY", "VALUE", "SOURCE"));
    for (const auto& spec : setting_specs())
        tool.out().emit(setting_record(c, spec, false), setting_line);
    return 0;
}

int run_get(ToolRunner& tool, const Options& o) {
    if (o.key.empty()) return run_list(tool, o);
    const SettingSpec* spec = find_setting(o.key);
    if (!spec)
        throw Error::usage(
            fmt::format("Unknown setting '{}'. 'ri-config list' shows them all.", o.key));
    Config c = load(tool, o);
    Json r = setting_record(c, *spec, o.reveal);
    if (r["value"].is_null()) {
        throw Error::config(
            fmt::format("{} is not set. Set it with 'ri-config set {} VALUE'.", o.key, o.key));
    }
    tool.out().emit(r, [](const Json& rec) { return rec["value"].get<std::string>(); });
    return 0;
}

int run_set(ToolRunner& tool, Options& o) {
    const SettingSpec* spec = find_setting(o.key);
    if (!spec)
        throw Error::usage(
            fmt::format("Unknown setting '{}'. 'ri-config list' shows them all.", o.key));
    if (o.value == "-") {
        // Secrets from stdin stay out of shell history and the process list.
        if (!std::getline(std::cin, o.value)) throw Error::usage("No value on stdin.");
        if (!o.value.empty() && o.value.back() == '\r') o.value.pop_back();
    }
    if (spec->secret) register_secret(o.value);
    Config::store(o.account.profile, o.key, o.value);
    Config c = load(tool, o);
    Json r = setting_record(c, *spec, false);
    r["file"] =
        spec->ini_keys.empty() ? c.files().config_csv.string() : c.files().apiconfig.string();
    tool.out().emit(r, [](const Json& rec) {
        return fmt::format("{} = {} (saved to {})", rec["key"].get<std::string>(),
                           rec["value"].get<std::string>(), rec["file"].get<std::string>());
    });
    if (auto v = c.lookup(o.key);
        v && v->source.rfind("apiconfig", 0) != 0 && v->source != "config.csv") {
        tool.warn(fmt::format("{} is saved, but {} overrides it in this shell.", o.key, v->source));
    }
    return 0;
}

int run_unset(ToolRunner& tool, const Options& o) {
    bool removed = Config::unset(o.account.profile, o.key);
    tool.out().emit({{"kind", "unset"}, {"key", o.key}, {"removed", removed}}, [](const Json& r) {
        return r["removed"].get<bool>()
                   ? fmt::format("{} removed", r["key"].get<std::string>())
                   : fmt::format("{} was not set in a file", r["key"].get<std::string>());
    });
    return 0;
}

int run_path(ToolRunner& tool) {
    ConfigFiles f = ConfigFiles::discover();
    auto emit = [&](const char* name, const fs::path& p) {
        tool.out().emit(
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

int run_check(ToolRunner& tool, const Options& o) {
    Config c = load(tool, o);
    std::optional<ExitCode> first_failure;
    auto emit = [&](const Json& r) {
        tool.out().emit(r, [](const Json& rec) {
            return fmt::format("{:<4} {:<18} {}", rec["ok"].get<bool>() ? "ok" : "FAIL",
                               rec["check"].get<std::string>(), rec["message"].get<std::string>());
        });
    };
    auto fail = [&](const char* name, const Error& e, Json extra = Json::object()) {
        Json r{{"kind", "check"}, {"check", name}, {"ok", false}, {"message", e.message()}};
        r.update(extra);
        emit(r);
        if (!first_failure) first_failure = e.code();
    };

    // Credentials present, and file permissions safe.
    if (auto key = c.lookup("api_key")) {
        emit({{"kind", "check"},
              {"check", "api_key"},
              {"ok", true},
              {"message", "found in " + key->source}});
    } else {
        fail(
            "api_key",
            Error::config(
                "No API key: set RESCALE_API_KEY, or run 'ri-config set api_key -' and paste it."));
    }
    bool perms_ok = true;
    for (const auto& w : c.warnings()) {
        if (w.find("insecure permissions") != std::string::npos) {
            perms_ok = false;
            fail("file_permissions", Error::permission(w));
        }
    }
    if (perms_ok)
        emit({{"kind", "check"},
              {"check", "file_permissions"},
              {"ok", true},
              {"message", "config files are private"}});

    std::string url = c.get_or("api_url", "");
    bool url_ok = false;
    try {
        Config::validate(*find_setting("api_url"), url);
        emit({{"kind", "check"}, {"check", "api_url"}, {"ok", true}, {"message", url}});
        url_ok = true;
    } catch (const Error& e) {
        fail("api_url", Error::config(e.message()));
    }

    // The platform answers users/me with this key (skipped with --offline, or when there is
    // no key or URL to try). Few retries: a check should say "unreachable" in seconds.
    auto key = c.lookup("api_key");
    if (!o.offline && url_ok && key && !key->value.empty()) {
        try {
            platform::PlatformOptions po;
            po.http = storage::client_options_from(c);
            po.max_retries = 2;
            platform::PlatformClient client(url, key->value, std::move(po));
            auto me = client.me();
            emit({{"kind", "check"},
                  {"check", "platform"},
                  {"ok", true},
                  {"message", fmt::format("{} accepted the API key ({})", client.host(),
                                          me.email.empty() ? "no email given" : me.email)}});
        } catch (const Error& e) {
            fail("platform", e);
        }
    }

    std::string folder =
        o.folder.empty() ? c.get_or("auto_download.default_download_folder", "") : o.folder;
    if (folder.empty()) {
        fail("download_folder",
             Error::config("No download folder: set auto_download.default_download_folder or pass "
                           "--folder DIR."));
    } else {
        try {
            FolderCheck r = check_download_folder(paths::expand_user(folder));
            emit({{"kind", "check"},
                  {"check", "download_folder"},
                  {"ok", true},
                  {"path", folder},
                  {"created", r.created},
                  {"message", fmt::format("{}: create{}, write, read back, delete: ok", folder,
                                          r.created ? "d" : " (exists)")}});
        } catch (const Error& e) {
            fail("download_folder", e, {{"path", folder}});
        }
    }
    // A check run fails with the class of its first failing check, so a script can tell a bad
    // folder (73) from a missing key (78) or an unsafe token file (77).
    return to_int(first_failure.value_or(ExitCode::ok));
}

}  // namespace

int main(int argc, char** argv) {
    ToolRunner tool("ri-config", "Show and change ri settings, and check that they work");
    CLI::App& app = tool.app();
    app.require_subcommand(1);
    Options o;
    add_account_options(tool, o.account);

    auto* list =
        app.add_subcommand("list", "List every setting with its value (secrets masked) and source");
    auto* get = app.add_subcommand("get", "Print one setting (or all without KEY)");
    std::vector<std::string> keys;
    for (const auto& spec : setting_specs())
        keys.push_back(spec.key);
    get->add_option("KEY", o.key, "Setting name, as shown by list")->check(choices_hint(keys));
    get->add_flag("--reveal", o.reveal, "Print a secret in full (only to stdout)");
    auto* set = app.add_subcommand("set", "Save a setting in the file it belongs to");
    set->add_option("KEY", o.key, "Setting name, as shown by list")
        ->required()
        ->check(choices_hint(keys));
    set->add_option("VALUE", o.value, "Value; - reads it from stdin (use this for secrets)")
        ->required();
    auto* unset = app.add_subcommand("unset", "Remove a setting from its file");
    unset->add_option("KEY", o.key, "Setting name")->required()->check(choices_hint(keys));
    auto* path = app.add_subcommand("path", "Show where configuration, state and logs live");
    auto* check =
        app.add_subcommand("check", "Check credentials, file permissions and the download folder");
    check
        ->add_option("--folder", o.folder,
                     "Download folder to test (default: auto_download.default_download_folder)")
        ->type_name("DIR");
    check->add_flag("--offline", o.offline,
                    "Skip the platform check (asking users/me with the API key)");

    tool.after_parse([&] {
        if (const SettingSpec* spec = find_setting(o.key); spec && spec->secret && o.value != "-") {
            register_secret(o.value);
        }
    });
    return tool.run(argc, argv, [&]() -> int {
        if (list->parsed()) return run_list(tool, o);
        if (get->parsed()) return run_get(tool, o);
        if (set->parsed()) return run_set(tool, o);
        if (unset->parsed()) return run_unset(tool, o);
        if (path->parsed()) return run_path(tool);
        if (check->parsed()) return run_check(tool, o);
        return to_int(ExitCode::usage);
    });
}
