#include "core/cli.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <iostream>
#include <map>

#include "core/cancel.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/log.hpp"
#include "core/redact.hpp"

namespace ri {

ToolRunner::ToolRunner(std::string name, std::string description)
    : name_(std::move(name)), app_(std::move(description), name_) {
    app_.set_version_flag("--version", std::string(RI_VERSION), "Print the version and exit");
    app_.fallthrough();  // common flags may come after the subcommand too
    app_.require_subcommand(0);
    auto* common = &app_;
    common->add_flag("--json", flags_.json,
                     "One JSON record per line on stdout (default when piped)");
    common->add_flag("--human", flags_.human, "Human-readable output (default on a terminal)");
    add_choice_option(
        *common, "--progress", flags_.progress, {"auto", "bar", "plain", "json", "none"},
        "Progress on stderr: bar on a terminal, plain lines otherwise (default auto)");
    common->add_flag("-v,--verbose", flags_.verbose, "Show error details and notices on stderr");
    common->add_flag("-q,--quiet", flags_.quiet, "No progress and no warnings on stderr");
    app_.get_option("--json")->excludes("--human");
    app_.footer(
        fmt::format("Exit codes: 0 ok, 1 some items failed, 64 usage, 65 bad data, 66 missing "
                    "input, 69 service "
                    "unavailable, 73 cannot create output, 74 I/O error, 75 temporary failure, 77 "
                    "permission, 78 "
                    "configuration, 130 interrupted.\nSee man {} for details.",
                    name_));
}

CLI::Option* add_choice_option(CLI::App& app, const std::string& name, std::string& target,
                               const std::vector<std::string>& choices,
                               const std::string& description) {
    return app.add_option(name, target, description)->check(CLI::IsMember(choices));
}

CLI::Validator choices_hint(const std::vector<std::string>& values) {
    return CLI::Validator([](std::string&) { return std::string(); },
                          fmt::format("{{{}}}", fmt::join(values, ",")));
}

int ToolRunner::run(int argc, char** argv, const std::function<int()>& body) {
    if (argc >= 2 && std::string_view(argv[1]) == "--completion") {
        if (argc < 3) {
            std::cerr << name_ << ": --completion needs bash, zsh or fish\n";
            return to_int(ExitCode::usage);
        }
        try {
            std::cout << completion_script(app_, argv[2]);
            return 0;
        } catch (const std::exception& e) {
            return report(e);
        }
    }
    if (argc >= 2 && std::string_view(argv[1]) == "--cli-json") {
        std::cout << describe_cli(app_).dump(2) << "\n";
        return 0;
    }
    try {
        app_.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app_.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app_.exit(e);
    } catch (const CLI::CallForVersion&) {
        std::cout << name_ << " " << RI_VERSION << "\n";
        return 0;
    } catch (const CLI::ParseError& e) {
        std::string msg = e.what();
        stderr_line(fmt::format("{}: {} (see '{} --help')", name_, msg, name_));
        return to_int(ExitCode::usage);
    }
    for (CLI::Option* o : secret_options_) {
        for (const auto& v : o->results())
            register_secret(v);
    }
    if (after_parse_) after_parse_();
    log::init(name_);
    {
        std::string line = name_;
        for (int i = 1; i < argc; ++i)
            line += fmt::format(" {}", argv[i]);
        log::info("start: {}", line);
    }
    cancel::install_signal_handlers();
    int code = 0;
    try {
        out_ = std::make_unique<RecordWriter>(resolve_output_mode(flags_.json, flags_.human));
        ProgressMode pm = flags_.quiet ? ProgressMode::none : parse_progress_mode(flags_.progress);
        progress_ = std::make_unique<Progress>(pm);
        code = body();
        progress_->finish();
    } catch (const std::exception& e) {
        if (progress_) progress_->finish();
        code = report(e);
    }
    log::info("exit {}", code);
    return code;
}

int ToolRunner::report(const std::exception& e) {
    if (const auto* err = dynamic_cast<const Error*>(&e)) {
        log::error("{} [{}] {}", err->message(), exit_code_name(err->code()), err->detail());
        stderr_line(fmt::format("{}: {}", name_, err->message()));
        if (flags_.verbose && !err->detail().empty())
            stderr_line(fmt::format("{}: detail: {}", name_, err->detail()));
        if (err->code() == ExitCode::interrupted) log::info("interrupted by signal");
        return to_int(err->code());
    }
    log::error("internal error: {}", e.what());
    stderr_line(fmt::format("{}: internal error: {} (please report this)", name_, e.what()));
    return to_int(ExitCode::internal);
}

ExitCode ToolRunner::report_item(const std::exception& e) {
    if (is_interrupt(e)) throw dynamic_cast<const Error&>(e);
    return static_cast<ExitCode>(report(e));
}

int ToolRunner::each(const std::vector<std::string>& ids,
                     const std::function<void(const std::string&)>& fn) {
    BatchOutcome outcome;
    for (const auto& id : ids) {
        try {
            fn(id);
            outcome.success();
        } catch (const std::exception& e) {
            outcome.failure(report_item(e));
        }
    }
    return to_int(outcome.exit_code());
}

void ToolRunner::warn(std::string_view text) {
    log::warn("{}", text);
    if (!flags_.quiet) stderr_line(fmt::format("{}: {}", name_, text));
}

void ToolRunner::notice(std::string_view text) {
    log::info("{}", text);
    if (flags_.verbose && !flags_.quiet) stderr_line(fmt::format("{}: {}", name_, text));
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

}  // namespace ri
