// ri-config: settings, credentials and the checks of the auto-download installer.
#include "config.hpp"

int main(int argc, char** argv) {
    ri::cli::ToolRunner tool("ri-config", "Show and change ri settings, and check that they work");
    ri::config_tool::Context context{tool, {}};
    ri::cli::add_account_options(tool, context.account);
    return ri::cli::run_verbs(tool, argc, argv, context,
                              {ri::config_tool::add_settings_verbs, ri::config_tool::add_check});
}
