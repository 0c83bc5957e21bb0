// ri-sandbox: a local Rescale platform. The API of shared/reference/rescale-platform-api.md
// served over HTTP (cpp-httplib), its state in SQLite under a data directory, its files in a
// real object store (radosgw for S3, Azurite for Azure). docs/sandbox.md lists what it serves and
// which behaviours are inferred rather than documented.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "storage/backend_factory.hpp"

namespace ri::sandbox {

struct Options {
    std::string data_dir;
    int port = 0;  // 0: any free port
    std::string bind = "127.0.0.1";
    std::string users_file;   // JSON users file (docs/sandbox.md); empty: generated once
    std::string storage_url;  // s3://BUCKET[/prefix] or az://[ACCOUNT/]CONTAINER[/prefix]
    storage::EndpointOverrides storage;
    std::string rate_limits = "real";  // real | off | xN (N a positive number)
    std::string jobs = "execute";      // execute | simulate
    double step_seconds = 1.0;         // time between automatic status changes
    std::string simulate_file;         // JSON: outputs of --jobs simulate
};

class Server {
  public:
    explicit Server(Options options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Opens the database and the storage, binds the port. Returns the port.
    int bind();
    std::string url() const;
    // Serves until ri::cancel says stop (SIGINT/SIGTERM), then shuts down cleanly.
    void serve_until_cancelled();

    struct Impl;

  private:
    std::unique_ptr<Impl> impl_;
};

// The users of a sandbox's data directory (id, email, fullName, workspace, pathBase), never
// their keys. Throws Error::missing_input when DIR holds no sandbox.
nlohmann::ordered_json list_users(const std::string& data_dir);

// Parses --rate-limits: 0 for off, 1 for real, N for xN. Throws Error::usage.
double parse_rate_factor(const std::string& text);

}  // namespace ri::sandbox
