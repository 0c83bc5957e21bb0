// ri-encrypt hash: the SHA-512 and size of files.
#include <fmt/format.h>

#include "cli/batch_report.hpp"
#include "cli/inputs.hpp"
#include "core/file.hpp"
#include "crypto/file_hasher.hpp"
#include "encrypt.hpp"

namespace ri::encrypt {
namespace {

int run_hash(cli::ToolRunner& tool, const std::vector<std::string>& args) {
    auto inputs = cli::collect_inputs(args);
    auto items = queue_inputs(tool, inputs);
    auto hash_line = [](const Json& rec) {
        return fmt::format("{}  {}", rec["sha512"].get<std::string>(),
                           rec["path"].get<std::string>());
    };
    cli::BatchReport report(tool);
    for (size_t i = 0; i < inputs.size(); ++i) {
        const auto& path = inputs[i];
        report.run(
            items[i],
            [&]() -> Json {
                File in = File::open_read(path);
                tool.progress().start(items[i], "hashing");
                auto r = crypto::hash_file(in, advance(tool, items[i]));
                tool.progress().finish(items[i]);
                return {{"kind", "hash"}, {"path", path}, {"sha512", r.sha512}, {"size", r.size}};
            },
            hash_line);
    }
    return report.exit_code();
}

}  // namespace

void add_hash(cli::ToolRunner& tool, cli::Verbs& verbs) {
    auto inputs = std::make_shared<std::vector<std::string>>();
    auto* v = tool.app().add_subcommand("hash", "Print the SHA-512 and size of files");
    v->add_option("FILE", *inputs, "Files to hash (or paths/records on stdin)")->type_name("FILE");
    verbs.push_back({v, [&tool, inputs] { return run_hash(tool, *inputs); }});
}

}  // namespace ri::encrypt
