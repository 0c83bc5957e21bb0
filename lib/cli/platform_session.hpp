// The PlatformClient a command-line tool uses: made from the tool's Config, retries shown as
// notices (with --verbose) and a warning when the URL is not one of Rescale's platform hosts.
#pragma once

#include <memory>

#include "core/config.hpp"
#include "platform/platform_client.hpp"

namespace ri::cli {

class ToolRunner;

std::unique_ptr<platform::PlatformClient> connect_platform(ToolRunner& tool, const Config& config);

}  // namespace ri::cli
