#include "platform/tool_client.hpp"

#include <fmt/format.h>

#include "core/cli.hpp"
#include "core/config.hpp"

namespace ri::platform {

std::unique_ptr<PlatformClient> client_for_tool(ToolRunner& tool, const Config& config) {
    PlatformOptions options;
    options.on_retry = [&tool](const std::string& text) { tool.notice(text); };
    auto client = PlatformClient::from_config(config, std::move(options));
    if (!client->base().known && !client->base().loopback)
        tool.warn(fmt::format("{} is not one of Rescale's platform hosts; using it as asked",
                              client->base().url));
    return client;
}

}  // namespace ri::platform
