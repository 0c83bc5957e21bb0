// ri-encrypt encrypt: whole-file AES-256-CBC with PKCS7, the platform's format; the record
// carries the key and IV (it is the product), never a log line.
#include "encrypt.hpp"

#include <fmt/format.h>

#include "cli/batch_report.hpp"
#include "cli/inputs.hpp"
#include "core/atomic_file.hpp"
#include "core/file.hpp"
#include "core/units.hpp"
#include "crypto/aes_cbc.hpp"
#include "crypto/encoding.hpp"
#include "crypto/key_material.hpp"

namespace ri::encrypt {
namespace {

struct EncryptOptions {
    std::vector<std::string> inputs;
    std::string output, key, iv, key_file;
};

Json encrypt_one(cli::ToolRunner& tool, const EncryptOptions& o, const std::string& in_path,
                 const std::string& out_path, Progress::ItemId item) {
    refuse_same_file(in_path, out_path);
    File in = File::open_read(in_path);
    crypto::SecureBuffer key =
        o.key.empty() ? crypto::random_secret(crypto::kAesKeySize)
                      : crypto::decode_base64_secret(o.key, crypto::kAesKeySize, "--key");
    crypto::register_key_forms(key.span());
    crypto::SecureBuffer iv =
        o.iv.empty() ? crypto::random_secret(crypto::kAesBlockSize)
                     : crypto::decode_base64_secret(o.iv, crypto::kAesBlockSize, "--iv");
    AtomicOutput out(out_path);
    bool wrote_key_file = false;
    struct KeyFileGuard {
        const std::string& path;
        bool& created;
        bool keep = false;
        ~KeyFileGuard() {
            if (created && !keep) remove_file(path);
        }
    } guard{o.key_file, wrote_key_file};
    if (!o.key_file.empty()) {
        crypto::write_key_file(o.key_file, key.span());
        wrote_key_file = true;
    }
    tool.progress().start(item, "encrypting");
    auto r = crypto::encrypt_file(in, out.file(), key.span(), iv.span(), advance(tool, item));
    out.commit();
    guard.keep = true;
    tool.progress().finish(item);
    tool.notice(fmt::format("encrypted {} ({}) to {}", in_path, units::bytes(r.size), out_path));
    return {{"kind", "encrypted"},
            {"path", in_path},
            {"output", out_path},
            {"key", crypto::base64_encode(key.span())},
            {"iv", crypto::base64_encode(iv.span())},
            {"sha512", r.sha512},
            {"size", r.size},
            {"encrypted_size", r.encrypted_size}};
}

std::string encrypted_line(const Json& r) {
    return fmt::format("encrypted {} -> {} ({} -> {})\n  key    {}\n  iv     {}\n  sha512 {}",
                       r["path"].get<std::string>(), r["output"].get<std::string>(),
                       units::bytes(r["size"]), units::bytes(r["encrypted_size"]),
                       r["key"].get<std::string>(), r["iv"].get<std::string>(),
                       r["sha512"].get<std::string>());
}

int run_encrypt(cli::ToolRunner& tool, const EncryptOptions& o) {
    auto inputs = cli::collect_inputs(o.inputs);
    if (inputs.size() > 1 && !o.output.empty())
        throw Error::usage(
            "-o names one output; give one input, or none to write IN.enc for each.");
    if (inputs.size() > 1 && (!o.iv.empty() || !o.key_file.empty()))
        throw Error::usage("--iv and --key-file apply to one file; give one input.");
    auto items = queue_inputs(tool, inputs);
    cli::BatchReport report(tool);
    for (size_t i = 0; i < inputs.size(); ++i) {
        const auto& in = inputs[i];
        report.run(
            items[i],
            [&] {
                return encrypt_one(tool, o, in, o.output.empty() ? in + ".enc" : o.output,
                                   items[i]);
            },
            encrypted_line);
    }
    return report.exit_code();
}

}  // namespace

void add_encrypt(cli::ToolRunner& tool, cli::Verbs& verbs) {
    auto o = std::make_shared<EncryptOptions>();
    auto* v = tool.app().add_subcommand(
        "encrypt", "Encrypt files with AES-256-CBC (whole-file, PKCS7): the platform's format");
    v->add_option("IN", o->inputs, "Files to encrypt (or paths/records on stdin)")
        ->type_name("FILE");
    v->add_option("-o,--output", o->output, "Output file (default IN.enc)")->type_name("FILE");
    tool.secret(v->add_option("--key", o->key, "Key as base64 of 32 bytes (default: random)")
                    ->type_name("B64"));
    v->add_option("--iv", o->iv, "IV as base64 of 16 bytes (default: random)")->type_name("B64");
    v->add_option("--key-file", o->key_file,
                  "Also write the base64 key to this new file (mode 0600)")
        ->type_name("FILE");
    verbs.push_back({v, [&tool, o] { return run_encrypt(tool, *o); }});
}

}  // namespace ri::encrypt
