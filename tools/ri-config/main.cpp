// ri-config: settings, credentials and the checks of the auto-download installer.
#include "config.hpp"

int main(int argc, char** argv) {
    using namespace ri;
    cli::ToolRunner tool("ri-config", "Show and change ri settings, and check that they work");
    tool.app().require_subcommand(1);
    config_tool::Context context{tool, {}};
    cli::add_account_options(tool, context.account);
    cli::Verbs verbs;
    config_tool::add_settings_verbs(context, verbs);
    config_tool::add_check(context, verbs);
    return tool.run(argc, argv, [&] { return cli::run_parsed(verbs); });
}
