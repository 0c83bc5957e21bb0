#include "cli/verbs.hpp"

#include "core/error.hpp"

namespace ri::cli {

int run_parsed(const Verbs& verbs) {
    for (const auto& v : verbs)
        if (v.app->parsed()) return v.run();
    return to_int(ExitCode::usage);
}

}  // namespace ri::cli
