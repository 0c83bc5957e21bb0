// ri-ratelimitd: one API budget for every ri process of a user (and, with Redis, of every host).
#include "ratelimit/coordinator_protocol.hpp"
#include "ratelimitd.hpp"

namespace ri::ratelimitd {

std::filesystem::path Context::socket_path() const {
    return socket.empty() ? ratelimit::default_socket_path() : std::filesystem::path(socket);
}

}  // namespace ri::ratelimitd

int main(int argc, char** argv) {
    using namespace ri;
    cli::ToolRunner tool("ri-ratelimitd",
                         "Share one API rate budget between every ri process of a user, on one "
                         "host or, through Redis, many");
    CLI::App& app = tool.app();
    app.require_subcommand(1);
    ratelimitd::Context context{tool, {}, {}};
    app.add_option("--socket", context.socket,
                   "Unix socket (default: $RI_RATELIMITD_SOCKET, else $XDG_RUNTIME_DIR/ri/"
                   "ratelimitd.sock or /tmp/ri-UID/ratelimitd.sock)")
        ->type_name("PATH");
    app.add_option("--profile", context.profile, "apiconfig profile section to read settings from");
    cli::Verbs verbs;
    for (auto add : {ratelimitd::add_serve, ratelimitd::add_status, ratelimitd::add_stop})
        add(context, verbs);
    return tool.run(argc, argv, [&] { return cli::run_parsed(verbs); });
}
