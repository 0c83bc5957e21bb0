#include "cli/options.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <map>

#include "cli/tool_runner.hpp"
#include "core/error.hpp"
#include "core/units.hpp"
#include "storage/backend_factory.hpp"

namespace ri::cli {

CLI::Option* add_choice_option(CLI::App& app, const std::string& name, std::string& target,
                               const std::vector<std::string>& choices,
                               const std::string& description) {
    return app.add_option(name, target, description)->check(CLI::IsMember(choices));
}

CLI::Validator choices_hint(const std::vector<std::string>& values) {
    return CLI::Validator([](std::string&) { return std::string(); },
                          fmt::format("{{{}}}", fmt::join(values, ",")));
}

void add_account_options(ToolRunner& tool, AccountOptions& account, std::string_view mode_prefix) {
    CLI::App& app = tool.app();
    std::string prefix(mode_prefix);
    auto help = [&](const char* text) { return prefix + text; };
    app.add_option("--profile", account.profile,
                   help("apiconfig profile section to use (default: default, or RESCALE_PROFILE)"))
        ->type_name("NAME");
    tool.secret(app.add_option("--api-key", account.api_key,
                               help("API key for this run (overrides RESCALE_API_KEY and files)"))
                    ->type_name("KEY"));
    app.add_option("--api-url", account.api_url,
                   help("Platform URL for this run (overrides RESCALE_API_URL and files)"))
        ->type_name("URL");
}

Config load_config(ToolRunner& tool, const AccountOptions& account) {
    std::map<std::string, std::string> flags;
    if (!account.api_key.empty()) flags["api_key"] = account.api_key;
    if (!account.api_url.empty()) flags["api_url"] = account.api_url;
    Config config = Config::load(account.profile, flags);
    for (const auto& w : config.warnings())
        tool.warn(w);
    return config;
}

void add_storage_options(CLI::App& app, StorageOptions& o) {
    app.add_option("--storage-profile", o.profile,
                   "Storage profile: the apiconfig section [storage.NAME]");
    app.add_option("--endpoint", o.endpoint,
                   "Storage endpoint URL (S3-compatible server, Azurite...)");
    app.add_option("--region", o.region, "S3 region (default us-east-1, or AWS_REGION)");
    app.add_flag("--path-style", o.path_style,
                 "S3 path-style addressing (most S3-compatible servers need it)");
    app.add_option("--account", o.account, "Azure storage account (default: from the az:// URL)");
}

std::unique_ptr<storage::Backend> open_backend(const storage::ObjectUrl& url,
                                               const StorageOptions& o, const Config& config) {
    return storage::open_backend(url, o, config);
}

std::optional<uint64_t> parse_part_size(const std::string& text, std::string_view flag) {
    if (text.empty()) return std::nullopt;
    auto size = units::parse_size(text);
    if (!size || *size == 0) throw Error::usage(fmt::format("{} '{}' is not a size.", flag, text));
    return size;
}

int concurrency_or_default(int value) {
    return value > 0 ? value : 8;
}

CLI::Option* add_repeatable(CLI::App& app, const std::string& name,
                            std::vector<std::string>& target, const std::string& description,
                            const std::string& type_name) {
    auto* option = app.add_option(name, target, description)->allow_extra_args(false);
    if (!type_name.empty()) option->type_name(type_name);
    return option;
}

void add_transfer_flags(CLI::App& app, TransferFlags& flags, const TransferFlagsHelp& help) {
    app.add_option("-j,--concurrency", flags.concurrency,
                   "Parts and files in flight at once (default 8)");
    app.add_option("--part-size", flags.part_size, help.part_size)->type_name("SIZE");
    add_choice_option(app, "--if-exists", flags.if_exists, {"skip", "overwrite", "rename"},
                      help.if_exists);
    add_repeatable(app, "--include", flags.includes, help.include);
    add_repeatable(app, "--exclude", flags.excludes, help.exclude);
}

}  // namespace ri::cli
