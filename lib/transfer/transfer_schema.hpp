// The transfer layer's part of the state database: the resume state of storage uploads and
// downloads (parts confirmed, chained IVs) and of platform uploads (object key, file key, stage).
// transfer_state.hpp explains the keys.
#pragma once

#include <filesystem>

#include "core/state_store.hpp"

namespace ri::transfer {

const SchemaPart& state_schema();

// The user's state database (or the one at path) with the core and transfer parts applied:
// what a library caller of the engines opens when no tool gave it a store.
StateStore open_state_store(const std::filesystem::path& path = {});

}  // namespace ri::transfer
