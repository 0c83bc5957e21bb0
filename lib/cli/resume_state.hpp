// The user's state database as a tool opens it: every layer's schema part applied in layer
// order, and the transfer resume state over it, or null after one warning when the state
// directory is unusable (the transfer still works, it just cannot be resumed).
#pragma once

#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/state_store.hpp"
#include "transfer/transfer_state.hpp"

namespace ri::cli {

class ToolRunner;

// Every part of ri's schema, lowest layer first.
std::vector<SchemaPart> all_schema_parts();
StateStore open_user_state();

// what names what cannot be resumed ("this upload", "downloads").
std::unique_ptr<transfer::TransferState> open_resume_state(ToolRunner& tool,
                                                           std::optional<StateStore>& store,
                                                           std::string_view what);

}  // namespace ri::cli
