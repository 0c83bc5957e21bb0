#include "cli/resume_state.hpp"

#include <fmt/format.h>

#include "cli/tool_runner.hpp"
#include "core/error.hpp"
#include "transfer/transfer_schema.hpp"

namespace ri::cli {

std::vector<SchemaPart> all_schema_parts() {
    return {core_schema(), transfer::state_schema()};
}

StateStore open_user_state() {
    return StateStore::open(StateStore::default_path(), all_schema_parts());
}

std::unique_ptr<transfer::TransferState> open_resume_state(ToolRunner& tool,
                                                           std::optional<StateStore>& store,
                                                           std::string_view what) {
    try {
        store.emplace(open_user_state());
        return std::make_unique<transfer::TransferState>(*store);
    } catch (const Error& e) {
        tool.warn(
            fmt::format("resume state unavailable ({}); {} cannot be resumed", e.message(), what));
        return nullptr;
    }
}

}  // namespace ri::cli
