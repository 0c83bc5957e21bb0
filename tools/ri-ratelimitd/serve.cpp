// ri-ratelimitd serve: the coordinator in the foreground (ri commands start it on their own).
#include <fmt/format.h>

#include <iostream>
#include <memory>

#include "core/config.hpp"
#include "core/process.hpp"
#include "ratelimit/coordinator_protocol.hpp"
#include "ratelimit/coordinator_server.hpp"
#include "ratelimit/local_bucket_store.hpp"
#include "ratelimit/redis_bucket_store.hpp"
#include "ratelimitd.hpp"

namespace ri::ratelimitd {
namespace {

using namespace ratelimit;

struct ServeOptions {
    std::string backend;
    int idle_exit = 300;
};

int run_serve(Context& ctx, const ServeOptions& o) {
    std::filesystem::path socket = ctx.socket_path();
    Config config = Config::load(ctx.profile);
    std::string backend = o.backend.empty() ? config.get_or("ratelimit_backend", "") : o.backend;
    std::unique_ptr<BucketStore> store;
    if (backend.empty())
        store = std::make_unique<LocalBucketStore>(default_bucket_state_path(socket));
    else
        store = std::make_unique<RedisBucketStore>(parse_redis_url(backend));
    ServerOptions options;
    options.socket = socket;
    options.idle_exit = std::chrono::seconds(o.idle_exit == 0 ? 365LL * 24 * 3600 : o.idle_exit);
    std::string described = store->describe();
    options.on_ready = [&] {
        Json ready = {{"kind", "ratelimitd"},
                      {"socket", socket.string()},
                      {"backend", described},
                      {"pid", process::current_pid()}};
        ctx.tool.out().emit(ready, [](const Json& r) {
            return fmt::format("ri-ratelimitd: serving on {} (backend {})",
                               r["socket"].get<std::string>(), r["backend"].get<std::string>());
        });
        std::cout.flush();
    };
    CoordinatorServer server(options, std::move(store));
    if (!server.run()) ctx.tool.notice("another ri-ratelimitd already serves " + socket.string());
    return 0;
}

}  // namespace

void add_serve(Context& ctx, cli::Verbs& verbs) {
    auto o = std::make_shared<ServeOptions>();
    auto* v = ctx.tool.app().add_subcommand(
        "serve", "Run the coordinator in the foreground (ri commands start it on their own)");
    v->add_option("--backend", o->backend,
                  "redis://HOST:PORT[/DB] to keep the buckets in Redis, shared by every host "
                  "(default: setting ratelimit_backend, else this daemon's memory)")
        ->type_name("URL");
    v->add_option("--idle-exit", o->idle_exit,
                  "Exit after this many seconds without clients (0: never)")
        ->type_name("SECONDS")
        ->check(CLI::NonNegativeNumber);
    verbs.push_back({v, [&ctx, o] { return run_serve(ctx, *o); }});
}

}  // namespace ri::ratelimitd
