// ri-config check: credentials present, config files private, the URL sane, the platform
// accepting the key, and the download folder usable (seed 003 §8.2). The exit code is the class
// of the first failing check, so a script can tell a bad folder (73) from a missing key (78) or
// an unsafe token file (77).
#include <fmt/format.h>

#include <optional>

#include "config.hpp"
#include "core/config.hpp"
#include "core/folder_check.hpp"
#include "core/paths.hpp"
#include "http/http_client.hpp"
#include "platform/platform_client.hpp"

namespace ri::config_tool {
namespace {

struct CheckOptions {
    std::string folder;
    bool offline = false;
};

class CheckRun {
  public:
    explicit CheckRun(cli::ToolRunner& tool) : tool_(tool) {}

    void ok(const char* name, const std::string& message, Json extra = Json::object()) {
        Json r{{"kind", "check"}, {"check", name}, {"ok", true}};
        r.update(extra);
        r["message"] = message;
        emit(r);
    }
    void fail(const char* name, const Error& e, Json extra = Json::object()) {
        Json r{{"kind", "check"}, {"check", name}, {"ok", false}, {"message", e.message()}};
        r.update(extra);
        emit(r);
        if (!first_failure_) first_failure_ = e.code();
    }
    int exit_code() const { return to_int(first_failure_.value_or(ExitCode::ok)); }

  private:
    void emit(const Json& r) {
        tool_.out().emit(r, [](const Json& rec) {
            return fmt::format("{:<4} {:<18} {}", rec["ok"].get<bool>() ? "ok" : "FAIL",
                               rec["check"].get<std::string>(), rec["message"].get<std::string>());
        });
    }
    cli::ToolRunner& tool_;
    std::optional<ExitCode> first_failure_;
};

void check_credentials(CheckRun& run, const Config& c) {
    if (auto key = c.lookup("api_key"))
        run.ok("api_key", "found in " + key->source);
    else
        run.fail("api_key", Error::config("No API key: set RESCALE_API_KEY, or run 'ri-config "
                                          "set api_key -' and paste it."));
    bool perms_ok = true;
    for (const auto& w : c.warnings()) {
        if (w.find("insecure permissions") == std::string::npos) continue;
        perms_ok = false;
        run.fail("file_permissions", Error::permission(w));
    }
    if (perms_ok) run.ok("file_permissions", "config files are private");
}

// The platform answers users/me with this key. Few retries: a check should say "unreachable"
// in seconds.
void check_platform(CheckRun& run, const Config& c, const std::string& url) {
    auto key = c.lookup("api_key");
    if (!key || key->value.empty()) return;
    try {
        platform::PlatformOptions po;
        po.http = http::client_options_from(c);
        po.max_retries = 2;
        platform::PlatformClient client(url, key->value, std::move(po));
        auto me = client.me();
        run.ok("platform", fmt::format("{} accepted the API key ({})", client.host(),
                                       me.email.empty() ? "no email given" : me.email));
    } catch (const Error& e) {
        run.fail("platform", e);
    }
}

void check_folder(CheckRun& run, const std::string& folder) {
    if (folder.empty()) {
        run.fail("download_folder",
                 Error::config("No download folder: set auto_download.default_download_folder or "
                               "pass --folder DIR."));
        return;
    }
    try {
        FolderCheck r = check_download_folder(paths::expand_user(folder));
        run.ok("download_folder",
               fmt::format("{}: create{}, write, read back, delete: ok", folder,
                           r.created ? "d" : " (exists)"),
               {{"path", folder}, {"created", r.created}});
    } catch (const Error& e) {
        run.fail("download_folder", e, {{"path", folder}});
    }
}

int run_check(Context& ctx, const CheckOptions& o) {
    Config c = cli::load_config(ctx.tool, ctx.account);
    CheckRun run(ctx.tool);
    check_credentials(run, c);
    std::string url = c.get_or("api_url", "");
    bool url_ok = false;
    try {
        Config::validate(*find_setting("api_url"), url);
        run.ok("api_url", url);
        url_ok = true;
    } catch (const Error& e) {
        run.fail("api_url", Error::config(e.message()));
    }
    if (!o.offline && url_ok) check_platform(run, c, url);
    check_folder(
        run, o.folder.empty() ? c.get_or("auto_download.default_download_folder", "") : o.folder);
    return run.exit_code();
}

}  // namespace

void add_check(Context& ctx, cli::Verbs& verbs) {
    auto o = std::make_shared<CheckOptions>();
    auto* check = ctx.tool.app().add_subcommand(
        "check", "Check credentials, file permissions and the download folder");
    check
        ->add_option("--folder", o->folder,
                     "Download folder to test (default: auto_download.default_download_folder)")
        ->type_name("DIR");
    check->add_flag("--offline", o->offline,
                    "Skip the platform check (asking users/me with the API key)");
    verbs.push_back({check, [&ctx, o] { return run_check(ctx, *o); }});
}

}  // namespace ri::config_tool
