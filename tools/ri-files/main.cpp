// ri-files: the Rescale library from the command line: list, show, move, tag and delete files;
// create, list and delete folders; list, recover and purge the trash.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/platform_session.hpp"
#include "files.hpp"

namespace ri::files {

void add_yes(CLI::App* verb, bool& yes) {
    verb->add_flag("-y,--yes", yes, "Do it without asking (needed when not on a terminal)");
}

std::string plural(size_t n, std::string_view one) {
    return n == 1 ? fmt::format("1 {}", one) : fmt::format("{} {}s", n, one);
}

std::string some_of(const std::vector<std::string>& ids) {
    return fmt::format("{}",
                       fmt::join(ids.begin(), ids.begin() + std::min<size_t>(ids.size(), 5), ", "));
}

}  // namespace ri::files

int main(int argc, char** argv) {
    ri::cli::ToolRunner tool("ri-files", "The Rescale library: files, folders, tags and the trash");
    ri::files::Context context{tool, {}, nullptr};
    ri::cli::add_account_options(tool, context.account);
    return ri::cli::run_verbs(
        tool, argc, argv, context,
        {ri::files::add_library_verbs, ri::files::add_folder_verbs, ri::files::add_trash_verbs});
}
