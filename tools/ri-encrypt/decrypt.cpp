// ri-encrypt decrypt: the platform's CBC (whole-file or streaming parts) or the legacy HKDF
// per-part format; the output gets its name only once it decrypted cleanly and, with --sha512,
// matched the platform's checksum.
#include <fmt/format.h>

#include "cli/inputs.hpp"
#include "cli/options.hpp"
#include "core/atomic_file.hpp"
#include "core/file.hpp"
#include "core/units.hpp"
#include "crypto/aes_cbc.hpp"
#include "crypto/encoding.hpp"
#include "crypto/file_decryptor.hpp"
#include "crypto/key_material.hpp"
#include "encrypt.hpp"

namespace ri::encrypt {
namespace {

struct DecryptOptions {
    std::vector<std::string> inputs;
    std::string output, key, iv, key_file, format = "cbc", file_id, part_size, expect_sha512;
    unsigned threads = 0;
    bool no_hash = false;
};

void check_options(const DecryptOptions& o, const std::vector<std::string>& inputs) {
    if (inputs.size() != 1) throw Error::usage("decrypt takes one input file.");
    if (o.output.empty()) throw Error::usage("decrypt needs -o OUT.");
    if (o.key.empty() == o.key_file.empty())
        throw Error::usage("decrypt needs the key: --key B64 or --key-file PATH.");
}

// The HKDF format's parameters from --file-id and --part-size.
crypto::HkdfFormat hkdf_params(cli::ToolRunner& tool, const DecryptOptions& o,
                               std::span<const std::byte> key, std::vector<std::byte>& file_id) {
    if (o.file_id.empty() || o.part_size.empty())
        throw Error::usage(
            "decrypt --format hkdf needs --file-id B64 and --part-size N (the object's "
            "metadata).");
    if (!o.iv.empty())
        tool.warn("--iv is not used by the hkdf format (each part derives its own IV).");
    auto part_size = units::parse_size(o.part_size);
    if (!part_size || *part_size == 0)
        throw Error::usage(fmt::format("--part-size '{}' is not a size in bytes.", o.part_size));
    auto decoded = crypto::base64_decode(o.file_id);
    if (!decoded || decoded->size() != 32)
        throw Error::usage("--file-id must be base64 of 32 bytes.");
    file_id = *decoded;
    return {key, file_id, *part_size};
}

crypto::DecryptResult decrypt(cli::ToolRunner& tool, const DecryptOptions& o, File& in,
                              std::span<const std::byte> key, Progress::ItemId item) {
    crypto::DecryptOptions options{o.threads, !o.no_hash, advance(tool, item),
                                   crypto::kDefaultChunk};
    const std::string& in_path = in.path();
    // The output is renamed into place only once it is verified.
    auto verify = [&](const crypto::DecryptResult& res) {
        if (!o.expect_sha512.empty() && res.sha512 != o.expect_sha512) {
            throw Error::bad_data(
                fmt::format("Checksum mismatch: '{}' decrypts to data whose SHA-512 is not the "
                            "expected one; "
                            "the file is damaged or the key is wrong. Nothing was written.",
                            in_path),
                fmt::format("expected {}, got {}", o.expect_sha512, res.sha512));
        }
    };
    crypto::DecryptResult r;
    if (o.format == "cbc") {
        if (o.iv.empty())
            throw Error::usage("decrypt --format cbc needs --iv B64 (the object's iv metadata).");
        crypto::SecureBuffer iv = crypto::decode_base64_secret(o.iv, crypto::kAesBlockSize, "--iv");
        crypto::cbc_plaintext_size(in, key, iv.span());  // wrong key: fail before creating OUT
        AtomicOutput out(o.output);
        tool.progress().start(item, "decrypting");
        r = crypto::decrypt_cbc_file(in, out.file(), key, iv.span(), options);
        verify(r);
        out.commit();
        return r;
    }
    std::vector<std::byte> file_id;
    crypto::HkdfFormat params = hkdf_params(tool, o, key, file_id);
    AtomicOutput out(o.output);
    tool.progress().start(item, "decrypting");
    r = crypto::decrypt_hkdf_file(in, out.file(), params, options);
    verify(r);
    out.commit();
    return r;
}

std::string decrypted_line(const Json& j) {
    std::string line = fmt::format("decrypted {} -> {} ({})", j["path"].get<std::string>(),
                                   j["output"].get<std::string>(), units::bytes(j["size"]));
    if (j.contains("sha512")) line += "\n  sha512 " + j["sha512"].get<std::string>();
    return line;
}

int run_decrypt(cli::ToolRunner& tool, const DecryptOptions& o) {
    auto inputs = cli::collect_inputs(o.inputs);
    check_options(o, inputs);
    const std::string& in_path = inputs.front();
    crypto::SecureBuffer key =
        o.key_file.empty() ? crypto::decode_base64_secret(o.key, crypto::kAesKeySize, "--key")
                           : crypto::read_key_file(o.key_file, crypto::kAesKeySize);
    refuse_same_file(in_path, o.output);
    File in = File::open_read(in_path);
    if (o.no_hash && !o.expect_sha512.empty())
        throw Error::usage("--sha512 needs the hash; drop --no-hash.");
    Progress::ItemId item = tool.progress().queue(in_path, in.size());
    crypto::DecryptResult r;
    try {
        r = decrypt(tool, o, in, key.span(), item);
    } catch (const std::exception& e) {
        tool.progress().fail(item, e);
        throw;
    }
    tool.progress().finish(item);
    Json rec{{"kind", "decrypted"}, {"path", in_path}, {"output", o.output}};
    if (!o.no_hash) rec["sha512"] = r.sha512;
    rec["size"] = r.size;
    tool.out().emit(rec, decrypted_line);
    return 0;
}

}  // namespace

void add_decrypt(cli::ToolRunner& tool, cli::Verbs& verbs) {
    auto o = std::make_shared<DecryptOptions>();
    auto* v = tool.app().add_subcommand(
        "decrypt", "Decrypt a file in the platform's CBC or legacy HKDF per-part format");
    v->add_option("IN", o->inputs, "Encrypted file")->type_name("FILE");
    v->add_option("-o,--output", o->output,
                  "Output file (written as OUT.ri-partial, renamed when verified)")
        ->type_name("FILE");
    tool.secret(v->add_option("--key", o->key, "Key as base64 of 32 bytes (encodedEncryptionKey)")
                    ->type_name("B64"));
    v->add_option("--key-file", o->key_file, "Read the base64 key from this file instead of --key")
        ->type_name("FILE");
    v->add_option("--iv", o->iv, "IV as base64 of 16 bytes (the object's iv metadata; cbc format)")
        ->type_name("B64");
    cli::add_choice_option(*v, "--format", o->format, {"cbc", "hkdf"},
                           "cbc: whole-file or CBC streaming (default); hkdf: legacy per-part "
                           "format");
    v->add_option("--file-id", o->file_id,
                  "hkdf: the file id, base64 of 32 bytes (fileid metadata)")
        ->type_name("B64");
    v->add_option("--part-size", o->part_size,
                  "hkdf: plaintext bytes per part (partsize metadata), e.g. 16777216 or 16MiB")
        ->type_name("SIZE");
    v->add_option("--threads", o->threads, "Decryption threads (default: up to 4, one per core)");
    v->add_option("--sha512", o->expect_sha512,
                  "Expected SHA-512 of the plaintext (fileChecksums); a mismatch is exit 65 and no "
                  "output")
        ->type_name("HEX")
        ->check([](const std::string& s) {
            return s.size() == 128 && s.find_first_not_of("0123456789abcdef") == std::string::npos
                       ? ""
                       : "must be 128 lowercase hex digits";
        });
    v->add_flag("--no-hash", o->no_hash,
                "Skip the SHA-512 of the output (faster; the record then has no sha512)");
    verbs.push_back({v, [&tool, o] { return run_decrypt(tool, *o); }});
}

}  // namespace ri::encrypt
