// What the verbs of ri-ratelimitd share: the tool, the socket and profile options, and one
// request to a running daemon.
#pragma once

#include <filesystem>
#include <string>

#include "cli/tool_runner.hpp"
#include "cli/verbs.hpp"

namespace ri::ratelimitd {

struct Context {
    cli::ToolRunner& tool;
    std::string socket;  // --socket ("" = default_socket_path())
    std::string profile;

    std::filesystem::path socket_path() const;
};

// One request to a running daemon (never starts one): its reply, or Error::unavailable.
Json ask(const std::filesystem::path& socket, const Json& request);

// serve.cpp: the daemon itself; control.cpp: status and stop.
void add_serve(Context& c, cli::Verbs& verbs);
void add_status(Context& c, cli::Verbs& verbs);
void add_stop(Context& c, cli::Verbs& verbs);

}  // namespace ri::ratelimitd
