#include "cli/tool_runner.hpp"

#include <fmt/format.h>

#include <iostream>

#include "cli/completion.hpp"
#include "cli/options.hpp"
#include "core/cancel.hpp"
#include "core/log.hpp"
#include "core/redact.hpp"

namespace ri::cli {

ToolRunner::ToolRunner(std::string name, std::string description)
    : name_(std::move(name)), app_(std::move(description), name_) {
    app_.set_version_flag("--version", std::string(RI_VERSION), "Print the version and exit");
    app_.fallthrough();  // common flags may come after the subcommand too
    app_.require_subcommand(0);
    app_.add_flag("--json", flags_.json, "One JSON record per line on stdout (default when piped)");
    app_.add_flag("--human", flags_.human, "Human-readable output (default on a terminal)");
    add_choice_option(
        app_, "--progress", flags_.progress, {"auto", "bar", "plain", "json", "none"},
        "Progress on stderr: bar on a terminal, plain lines otherwise, json events (default auto)");
    app_.add_flag("-v,--verbose", flags_.verbose, "Show error details and notices on stderr");
    app_.add_flag("-q,--quiet", flags_.quiet, "No progress and no warnings on stderr");
    app_.get_option("--json")->excludes("--human");
    app_.footer(
        fmt::format("Exit codes: 0 ok, 1 some items failed, 64 usage, 65 bad data, 66 missing "
                    "input, 69 service "
                    "unavailable, 73 cannot create output, 74 I/O error, 75 temporary failure, 77 "
                    "permission, 78 "
                    "configuration, 130 interrupted.\nSee man {} for details.",
                    name_));
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
        stderr_line(fmt::format("{}: {} (see '{} --help')", name_, e.what(), name_));
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
        progress_ =
            std::make_unique<Progress>(pm, SinkOptions{name_, flags_.verbose, flags_.quiet});
        set_user_notice_handler([this](std::string_view text) { progress_->warning(text); });
        code = body();
    } catch (const std::exception& e) {
        code = report(e);
    }
    set_user_notice_handler({});
    if (progress_) progress_->close(static_cast<ExitCode>(code));
    log::info("exit {}", code);
    return code;
}

int ToolRunner::report(const std::exception& e) {
    const auto* err = dynamic_cast<const Error*>(&e);
    if (!err) {
        log::error("internal error: {}", e.what());
        std::string message = fmt::format("internal error: {} (please report this)", e.what());
        if (progress_)
            progress_->error(ExitCode::internal, message);
        else
            stderr_line(fmt::format("{}: {}", name_, message));
        return to_int(ExitCode::internal);
    }
    std::string message = err->message();
    if (err->code() == ExitCode::interrupted) {
        log::info("interrupted by signal");
        if (!resume_hint_.empty()) message = "Interrupted. " + resume_hint_;
    }
    log::error("{} [{}] {}", message, exit_code_name(err->code()), err->detail());
    if (progress_) {
        progress_->error(err->code(), message, err->detail());
    } else {
        stderr_line(fmt::format("{}: {}", name_, message));
        if (flags_.verbose && !err->detail().empty())
            stderr_line(fmt::format("{}: detail: {}", name_, err->detail()));
    }
    return to_int(err->code());
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
    if (progress_)
        progress_->warning(text);
    else if (!flags_.quiet)
        stderr_line(fmt::format("{}: {}", name_, text));
}

void ToolRunner::notice(std::string_view text) {
    log::info("{}", text);
    if (progress_)
        progress_->notice(text);
    else if (flags_.verbose && !flags_.quiet)
        stderr_line(fmt::format("{}: {}", name_, text));
}

}  // namespace ri::cli
