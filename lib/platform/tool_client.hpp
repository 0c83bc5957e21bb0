// The PlatformClient a command-line tool uses: made from the tool's Config, retries shown as
// notices (with --verbose) and a warning when the URL is not one of Rescale's platform hosts.
#pragma once

#include <memory>

#include "platform/platform_client.hpp"

namespace ri {
class ToolRunner;
}

namespace ri::platform {

std::unique_ptr<PlatformClient> client_for_tool(ToolRunner& tool, const Config& config);

}  // namespace ri::platform
