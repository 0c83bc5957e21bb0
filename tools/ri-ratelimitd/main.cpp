// ri-ratelimitd: one API budget for every ri process of a user (and, with Redis, of every host).
#include "ratelimit/coordinator_protocol.hpp"
#include "ratelimitd.hpp"

namespace ri::ratelimitd {

std::filesystem::path Context::socket_path() const {
    return socket.empty() ? ratelimit::default_socket_path() : std::filesystem::path(socket);
}

}  // namespace ri::ratelimitd

int main(int argc, char** argv) {
    ri::cli::ToolRunner tool("ri-ratelimitd",
                             "Share one API rate budget between every ri process of a user, on "
                             "one host or, through Redis, many");
    ri::ratelimitd::Context context{tool, {}, {}};
    tool.app()
        .add_option("--socket", context.socket,
                    "Unix socket (default: $RI_RATELIMITD_SOCKET, else $XDG_RUNTIME_DIR/ri/"
                    "ratelimitd.sock or /tmp/ri-UID/ratelimitd.sock)")
        ->type_name("PATH");
    tool.app().add_option("--profile", context.profile,
                          "apiconfig profile section to read settings from");
    return ri::cli::run_verbs(
        tool, argc, argv, context,
        {ri::ratelimitd::add_serve, ri::ratelimitd::add_status, ri::ratelimitd::add_stop});
}
