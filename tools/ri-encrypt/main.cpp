// ri-encrypt: encrypt, decrypt and hash files in the Rescale platform's formats.
#include <fmt/format.h>

#include <filesystem>

#include "encrypt.hpp"

namespace ri::encrypt {
namespace fs = std::filesystem;

void refuse_same_file(const std::string& in, const std::string& out) {
    std::error_code ec;
    if (fs::equivalent(in, out, ec) ||
        fs::weakly_canonical(in, ec) == fs::weakly_canonical(out, ec)) {
        throw Error::usage(
            fmt::format("The output '{}' is the input file; choose another -o.", out));
    }
}

crypto::ProgressFn advance(cli::ToolRunner& tool, Progress::ItemId item) {
    return [&tool, item](uint64_t n) { tool.progress().advance(item, n); };
}

std::vector<Progress::ItemId> queue_inputs(cli::ToolRunner& tool,
                                           const std::vector<std::string>& inputs) {
    std::vector<Progress::ItemId> ids;
    for (const auto& in : inputs) {
        std::error_code ec;
        auto size = fs::file_size(in, ec);
        ids.push_back(tool.progress().queue(in, ec ? 0 : size));
    }
    return ids;
}

}  // namespace ri::encrypt

int main(int argc, char** argv) {
    ri::cli::ToolRunner tool("ri-encrypt",
                             "Encrypt, decrypt and hash files in the Rescale platform's formats");
    return ri::cli::run_verbs(
        tool, argc, argv, tool,
        {ri::encrypt::add_encrypt, ri::encrypt::add_decrypt, ri::encrypt::add_hash});
}
