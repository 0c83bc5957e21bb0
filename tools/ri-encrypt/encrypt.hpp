// ri-encrypt's verbs: encrypt (the platform's whole-file AES-256-CBC), decrypt (CBC, CBC
// streaming, legacy HKDF), hash (SHA-512), each with its options beside its handler.
#pragma once

#include <string>
#include <vector>

#include "cli/tool_runner.hpp"
#include "cli/verbs.hpp"
#include "crypto/file_encryptor.hpp"

namespace ri::encrypt {

// Refuses to write a file over its own input.
void refuse_same_file(const std::string& in, const std::string& out);
// The bytes crypto reports, counted for one item of the run.
crypto::ProgressFn advance(cli::ToolRunner& tool, Progress::ItemId item);
// Each input announced to the progress (with its size) before the first starts.
std::vector<Progress::ItemId> queue_inputs(cli::ToolRunner& tool,
                                           const std::vector<std::string>& inputs);

void add_encrypt(cli::ToolRunner& tool, cli::Verbs& verbs);
void add_decrypt(cli::ToolRunner& tool, cli::Verbs& verbs);
void add_hash(cli::ToolRunner& tool, cli::Verbs& verbs);

}  // namespace ri::encrypt
