// The frame every tool runs in: CLI11 parsing with the common flags (--json, --human,
// --progress, --verbose, --quiet, --version), logging and signal setup, the progress stream and
// its sink, and the one place where errors become one readable stderr line (or a JSON error
// event) and an exit code. tools/*/main.cpp stay thin.
#pragma once

#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "core/output.hpp"
#include "core/progress.hpp"

namespace ri::cli {

struct CommonFlags {
    bool json = false;
    bool human = false;
    bool verbose = false;
    bool quiet = false;
    std::string progress = "auto";
};

class ToolRunner {
  public:
    ToolRunner(std::string name, std::string description);

    CLI::App& app() { return app_; }
    const std::string& name() const { return name_; }
    const CommonFlags& flags() const { return flags_; }
    RecordWriter& out() { return *out_; }
    Progress& progress() { return *progress_; }

    // Marks an option's value as a secret: it is registered for redaction right after parsing,
    // before anything is logged.
    void secret(CLI::Option* option) { secret_options_.push_back(option); }
    // Runs right after parsing, before anything is logged: for secrets that depend on other
    // arguments (ri-config set proxy_password VALUE).
    void after_parse(std::function<void()> hook) { after_parse_ = std::move(hook); }
    // What an interrupt (Ctrl+C, SIGTERM) says from now on: how to resume ("Run the same command
    // again to resume: parts already sent are kept.").
    void resume_hint(std::string text) { resume_hint_ = std::move(text); }

    // Parses argv and runs body, returning the process exit code. Handles --help, --version and
    // the hidden --completion bash|zsh|fish and --cli-json (used to generate and test
    // completions and man pages from these very definitions).
    int run(int argc, char** argv, const std::function<int()>& body);

    // A warning on stderr (unless --quiet; a warning event with --progress json) and in the log.
    void warn(std::string_view text);
    // A notice: shown with --verbose, always logged.
    void notice(std::string_view text);
    // Reports one error (detail under --verbose), logs it, and returns its exit code. Used at
    // the top level and for each failed item of a batch; an interrupt is rethrown so that a
    // batch stops at once.
    int report(const std::exception& e);
    ExitCode report_item(const std::exception& e);
    // Runs fn for each id; each failure is reported (report_item) and the batch goes on. Returns
    // the batch's exit code.
    int each(const std::vector<std::string>& ids,
             const std::function<void(const std::string&)>& fn);

  private:
    std::string name_;
    CLI::App app_;
    CommonFlags flags_;
    std::unique_ptr<RecordWriter> out_;
    std::unique_ptr<Progress> progress_;
    std::vector<CLI::Option*> secret_options_;
    std::function<void()> after_parse_;
    std::string resume_hint_;
};

}  // namespace ri::cli
