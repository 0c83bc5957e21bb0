// The PlatformClient a command-line tool uses: made from the tool's Config, retries shown as
// notices (with --verbose) and a warning when the URL is not one of Rescale's platform hosts;
// and the context the verbs of a platform tool share.
#pragma once

#include <memory>

#include "cli/options.hpp"
#include "core/config.hpp"
#include "platform/platform_client.hpp"

namespace ri::cli {

class ToolRunner;

std::unique_ptr<platform::PlatformClient> connect_platform(ToolRunner& tool, const Config& config);

// What every verb of ri-files and ri-jobs shares: the tool, the account, and a platform client
// made on first use (so that --help and usage errors never read a config or open a connection).
struct PlatformContext {
    ToolRunner& tool;
    AccountOptions account;
    std::unique_ptr<platform::PlatformClient> client;

    platform::PlatformClient& connect();
};

}  // namespace ri::cli
