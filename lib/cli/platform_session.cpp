#include "cli/platform_session.hpp"

#include <fmt/format.h>

#include "cli/tool_runner.hpp"

namespace ri::cli {

std::unique_ptr<platform::PlatformClient> connect_platform(ToolRunner& tool, const Config& config) {
    platform::PlatformOptions options;
    options.on_retry = [&tool](const std::string& text) { tool.notice(text); };
    auto client = platform::PlatformClient::from_config(config, std::move(options));
    if (!client->base().known && !client->base().loopback)
        tool.warn(fmt::format("{} is not one of Rescale's platform hosts; using it as asked",
                              client->base().url));
    return client;
}

platform::PlatformClient& PlatformContext::connect() {
    if (!client) client = connect_platform(tool, load_config(tool, account));
    return *client;
}

}  // namespace ri::cli
