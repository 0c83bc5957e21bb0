// The options several tools share, each spelled once: choices shown in help and completions, the
// platform account (--profile, --api-key, --api-url), the storage endpoint (--storage-profile,
// --endpoint, --region, --path-style, --account), and the values that need parsing the same way
// everywhere (part sizes, worker counts).
#pragma once

#include <CLI/CLI.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/config.hpp"
#include "core/path_filter.hpp"
#include "storage/backend.hpp"
#include "storage/backend_factory.hpp"
#include "storage/object_url.hpp"
#include "transfer/conflict.hpp"

namespace ri::cli {

class ToolRunner;

// Adds a value option restricted to the given choices (shown in help and in completions).
CLI::Option* add_choice_option(CLI::App& app, const std::string& name, std::string& target,
                               const std::vector<std::string>& choices,
                               const std::string& description);
// A repeatable option (--tag A --tag B): one value per use, so that it never swallows the
// positional arguments after it.
CLI::Option* add_repeatable(CLI::App& app, const std::string& name,
                            std::vector<std::string>& target, const std::string& description,
                            const std::string& type_name = "");
// A validator that accepts anything but tells help and completions the usual values.
CLI::Validator choices_hint(const std::vector<std::string>& values);

// The account every platform tool works as. mode_prefix starts each help text ("Library mode: ")
// in tools that also work without the platform.
struct AccountOptions {
    std::string profile;
    std::string api_key;
    std::string api_url;
};
void add_account_options(ToolRunner& tool, AccountOptions& account,
                         std::string_view mode_prefix = "");
// The Config these options select (flags over environment over files), its warnings shown.
Config load_config(ToolRunner& tool, const AccountOptions& account);

// The storage endpoint of an s3:// or az:// URL, for the tools that take one: --storage-profile,
// --endpoint, --region, --path-style, --account (Azure).
using StorageOptions = storage::EndpointOverrides;
void add_storage_options(CLI::App& app, StorageOptions& options);
// The backend for url with these options and the config's storage profile, HTTP retries and
// proxies.
std::unique_ptr<storage::Backend> open_backend(const storage::ObjectUrl& url,
                                               const StorageOptions& options, const Config& config);

// --part-size TEXT ("16MiB"): nullopt when empty; Error::usage naming the flag when it is not a
// positive size.
std::optional<uint64_t> parse_part_size(const std::string& text,
                                        std::string_view flag = "--part-size");
// -j/--concurrency: the value, or the default 8 when not given (0).
int concurrency_or_default(int value);

// The flags ri-upload and ri-download share: -j/--concurrency, --part-size, --if-exists,
// --include, --exclude. Each tool words the help for what it moves ("files", "objects").
struct TransferFlags {
    int concurrency = 0;
    std::string part_size, if_exists = "skip";
    std::vector<std::string> includes, excludes;

    int workers() const { return concurrency_or_default(concurrency); }
    std::optional<uint64_t> part_bytes() const { return parse_part_size(part_size); }
    transfer::IfExists if_exists_policy() const { return transfer::parse_if_exists(if_exists); }
    PathFilter filter() const { return PathFilter(includes, excludes); }
};
struct TransferFlagsHelp {
    std::string part_size, if_exists, include, exclude;
};
void add_transfer_flags(CLI::App& app, TransferFlags& flags, const TransferFlagsHelp& help);

}  // namespace ri::cli
