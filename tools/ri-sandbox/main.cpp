// ri-sandbox: a local Rescale platform (API + real storage) for offline rehearsal, demos and tests.
#include <fmt/format.h>

#include "cli/options.hpp"
#include "cli/tool_runner.hpp"
#include "core/error.hpp"
#include "core/process.hpp"
#include "sandbox/sandbox.hpp"

using namespace ri;
using namespace ri::cli;

int main(int argc, char** argv) {
    ToolRunner tool(
        "ri-sandbox",
        "A local Rescale platform (API + real storage) for offline use, demos and tests");
    CLI::App& app = tool.app();
    app.require_subcommand(1);
    sandbox::Options o;

    auto* serve = app.add_subcommand("serve", "Serve the platform API until SIGINT/SIGTERM");
    serve
        ->add_option("--data", o.data_dir,
                     "Directory of the sandbox's state (SQLite) and scratch space")
        ->type_name("DIR")
        ->required();
    serve->add_option("--port", o.port, "TCP port (default 0: any free port)");
    serve->add_option("--bind", o.bind, "Address to listen on (default 127.0.0.1)");
    serve
        ->add_option("--users", o.users_file,
                     "JSON users file (default: two generated users in DIR/users.json)")
        ->type_name("FILE");
    serve
        ->add_option("--storage", o.storage_url,
                     "Object store of every user's files: s3://BUCKET[/prefix] or "
                     "az://ACCOUNT/CONTAINER[/prefix]")
        ->type_name("URL")
        ->required();
    serve
        ->add_option("--rate-limits", o.rate_limits,
                     "Per-user API rate limits: real, off, or xN (the real limits times N)")
        ->check(choices_hint({"real", "off", "x10"}));
    add_choice_option(*serve, "--jobs", o.jobs, {"execute", "simulate"},
                      "execute: run job commands under /bin/sh; simulate: make configured outputs "
                      "(default execute)");
    serve->add_option("--step-seconds", o.step_seconds,
                      "Seconds between automatic job status changes (default 1)");
    serve
        ->add_option("--simulate-outputs", o.simulate_file,
                     "JSON file of the outputs --jobs simulate produces")
        ->type_name("FILE");
    cli::add_storage_options(*serve, o.storage);

    auto* users = app.add_subcommand(
        "users", "List the users of a sandbox's data directory (never their keys)");
    std::string users_data;
    users->add_option("--data", users_data, "The sandbox's data directory")
        ->type_name("DIR")
        ->required();

    return tool.run(argc, argv, [&]() -> int {
        if (users->parsed()) {
            for (const auto& u : sandbox::list_users(users_data))
                tool.out().emit(u, [](const Json& r) {
                    return fmt::format("{}  {}  {}", r["id"].get<std::string>(),
                                       r["email"].get<std::string>(),
                                       r["full_name"].get<std::string>());
                });
            return 0;
        }
        sandbox::parse_rate_factor(o.rate_limits);
        sandbox::Server server(o);
        server.bind();
        tool.out().emit({{"kind", "sandbox"},
                         {"url", server.url()},
                         {"data", o.data_dir},
                         {"pid", process::current_pid()}},
                        [&](const Json&) {
                            return fmt::format("ri-sandbox: serving {} (data {})", server.url(),
                                               o.data_dir);
                        });
        std::fflush(stdout);
        server.serve_until_cancelled();
        return 0;
    });
}
