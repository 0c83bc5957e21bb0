// ri-encrypt: encrypt, decrypt and hash files in the Rescale platform's formats.
#include <fmt/format.h>

#include <filesystem>

#include "core/atomic_file.hpp"
#include "core/cli.hpp"
#include "core/error.hpp"
#include "core/input.hpp"
#include "core/units.hpp"
#include "crypto/aes_cbc.hpp"
#include "crypto/encoding.hpp"
#include "crypto/file_decryptor.hpp"
#include "crypto/file_encryptor.hpp"
#include "crypto/file_hasher.hpp"
#include "crypto/key_material.hpp"

namespace fs = std::filesystem;
using namespace ri;

namespace {

struct Options {
    std::vector<std::string> inputs;
    std::string output, key, iv, key_file, format = "cbc", file_id, part_size;
    unsigned threads = 0;
    bool no_hash = false;
    std::string expect_sha512;
};

void refuse_same_file(const std::string& in, const std::string& out) {
    std::error_code ec;
    if (fs::equivalent(in, out, ec) ||
        fs::weakly_canonical(in, ec) == fs::weakly_canonical(out, ec)) {
        throw Error::usage(
            fmt::format("The output '{}' is the input file; choose another -o.", out));
    }
}

crypto::ProgressFn advance(ToolRunner& tool) {
    return [&tool](uint64_t n) { tool.progress().advance(n); };
}

Json encrypt_one(ToolRunner& tool, const Options& o, const std::string& in_path,
                 const std::string& out_path) {
    refuse_same_file(in_path, out_path);
    PosixFile in = PosixFile::open_read(in_path);
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
            if (created && !keep) ::unlink(path.c_str());
        }
    } guard{o.key_file, wrote_key_file};
    if (!o.key_file.empty()) {
        crypto::write_key_file(o.key_file, key.span());
        wrote_key_file = true;
    }
    uint64_t size = in.size();
    tool.progress().begin_item("encrypting", in_path, size);
    auto r = crypto::encrypt_file(in, out.file(), key.span(), iv.span(), advance(tool));
    out.commit();
    guard.keep = true;
    tool.progress().end_item(true);
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

int run_encrypt(ToolRunner& tool, Options& o) {
    auto inputs = collect_inputs(o.inputs);
    if (inputs.size() > 1 && !o.output.empty())
        throw Error::usage(
            "-o names one output; give one input, or none to write IN.enc for each.");
    if (inputs.size() > 1 && (!o.iv.empty() || !o.key_file.empty())) {
        throw Error::usage("--iv and --key-file apply to one file; give one input.");
    }
    for (const auto& in : inputs) {
        std::error_code ec;
        tool.progress().add_total(fs::file_size(in, ec), 1);
    }
    BatchOutcome outcome;
    for (const auto& in : inputs) {
        try {
            Json rec = encrypt_one(tool, o, in, o.output.empty() ? in + ".enc" : o.output);
            tool.out().emit(rec, [](const Json& r) {
                return fmt::format(
                    "encrypted {} -> {} ({} -> {})\n  key    {}\n  iv     {}\n  sha512 {}",
                    r["path"].get<std::string>(), r["output"].get<std::string>(),
                    units::bytes(r["size"]), units::bytes(r["encrypted_size"]),
                    r["key"].get<std::string>(), r["iv"].get<std::string>(),
                    r["sha512"].get<std::string>());
            });
            outcome.success();
        } catch (const std::exception& e) {
            tool.progress().end_item(false);
            outcome.failure(tool.report_item(e));
        }
    }
    return to_int(outcome.exit_code());
}

int run_decrypt(ToolRunner& tool, Options& o) {
    auto inputs = collect_inputs(o.inputs);
    if (inputs.size() != 1) throw Error::usage("decrypt takes one input file.");
    const std::string& in_path = inputs.front();
    if (o.output.empty()) throw Error::usage("decrypt needs -o OUT.");
    if (o.key.empty() == o.key_file.empty())
        throw Error::usage("decrypt needs the key: --key B64 or --key-file PATH.");
    crypto::SecureBuffer key =
        o.key_file.empty() ? crypto::decode_base64_secret(o.key, crypto::kAesKeySize, "--key")
                           : crypto::read_key_file(o.key_file, crypto::kAesKeySize);
    refuse_same_file(in_path, o.output);
    PosixFile in = PosixFile::open_read(in_path);
    if (o.no_hash && !o.expect_sha512.empty())
        throw Error::usage("--sha512 needs the hash; drop --no-hash.");
    crypto::DecryptOptions options{o.threads, !o.no_hash, advance(tool), crypto::kDefaultChunk};
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
        crypto::cbc_plaintext_size(in, key.span(),
                                   iv.span());  // wrong key: fail before creating OUT
        AtomicOutput out(o.output);
        tool.progress().add_total(in.size());
        tool.progress().begin_item("decrypting", in_path, in.size());
        r = crypto::decrypt_cbc_file(in, out.file(), key.span(), iv.span(), options);
        verify(r);
        out.commit();
    } else {
        if (o.file_id.empty() || o.part_size.empty()) {
            throw Error::usage(
                "decrypt --format hkdf needs --file-id B64 and --part-size N (the object's "
                "metadata).");
        }
        if (!o.iv.empty())
            tool.warn("--iv is not used by the hkdf format (each part derives its own IV).");
        auto part_size = units::parse_size(o.part_size);
        if (!part_size || *part_size == 0)
            throw Error::usage(
                fmt::format("--part-size '{}' is not a size in bytes.", o.part_size));
        auto file_id = crypto::base64_decode(o.file_id);
        if (!file_id || file_id->size() != 32)
            throw Error::usage("--file-id must be base64 of 32 bytes.");
        AtomicOutput out(o.output);
        tool.progress().add_total(in.size());
        tool.progress().begin_item("decrypting", in_path, in.size());
        r = crypto::decrypt_hkdf_file(in, out.file(), {key.span(), *file_id, *part_size}, options);
        verify(r);
        out.commit();
    }
    tool.progress().end_item(true);
    Json rec{{"kind", "decrypted"}, {"path", in_path}, {"output", o.output}};
    if (!o.no_hash) rec["sha512"] = r.sha512;
    rec["size"] = r.size;
    tool.out().emit(rec, [](const Json& j) {
        std::string line = fmt::format("decrypted {} -> {} ({})", j["path"].get<std::string>(),
                                       j["output"].get<std::string>(), units::bytes(j["size"]));
        if (j.contains("sha512")) line += "\n  sha512 " + j["sha512"].get<std::string>();
        return line;
    });
    return 0;
}

int run_hash(ToolRunner& tool, Options& o) {
    auto inputs = collect_inputs(o.inputs);
    for (const auto& in : inputs) {
        std::error_code ec;
        auto sz = fs::file_size(in, ec);
        tool.progress().add_total(ec ? 0 : sz, 1);
    }
    BatchOutcome outcome;
    for (const auto& path : inputs) {
        try {
            PosixFile in = PosixFile::open_read(path);
            tool.progress().begin_item("hashing", path, in.size());
            auto r = crypto::hash_file(in, advance(tool));
            tool.progress().end_item(true);
            tool.out().emit(
                {{"kind", "hash"}, {"path", path}, {"sha512", r.sha512}, {"size", r.size}},
                [](const Json& rec) {
                    return fmt::format("{}  {}", rec["sha512"].get<std::string>(),
                                       rec["path"].get<std::string>());
                });
            outcome.success();
        } catch (const std::exception& e) {
            outcome.failure(tool.report_item(e));
        }
    }
    return to_int(outcome.exit_code());
}

}  // namespace

int main(int argc, char** argv) {
    ToolRunner tool("ri-encrypt",
                    "Encrypt, decrypt and hash files in the Rescale platform's formats");
    CLI::App& app = tool.app();
    app.require_subcommand(1);
    Options o;

    auto* enc = app.add_subcommand(
        "encrypt", "Encrypt files with AES-256-CBC (whole-file, PKCS7): the platform's format");
    enc->add_option("IN", o.inputs, "Files to encrypt (or paths/records on stdin)")
        ->type_name("FILE");
    enc->add_option("-o,--output", o.output, "Output file (default IN.enc)")->type_name("FILE");
    tool.secret(enc->add_option("--key", o.key, "Key as base64 of 32 bytes (default: random)")
                    ->type_name("B64"));
    enc->add_option("--iv", o.iv, "IV as base64 of 16 bytes (default: random)")->type_name("B64");
    enc->add_option("--key-file", o.key_file,
                    "Also write the base64 key to this new file (mode 0600)")
        ->type_name("FILE");

    auto* dec = app.add_subcommand(
        "decrypt", "Decrypt a file in the platform's CBC or legacy HKDF per-part format");
    dec->add_option("IN", o.inputs, "Encrypted file")->type_name("FILE");
    dec->add_option("-o,--output", o.output,
                    "Output file (written as OUT.ri-partial, renamed when verified)")
        ->type_name("FILE");
    tool.secret(dec->add_option("--key", o.key, "Key as base64 of 32 bytes (encodedEncryptionKey)")
                    ->type_name("B64"));
    dec->add_option("--key-file", o.key_file, "Read the base64 key from this file instead of --key")
        ->type_name("FILE");
    dec->add_option("--iv", o.iv, "IV as base64 of 16 bytes (the object's iv metadata; cbc format)")
        ->type_name("B64");
    add_choice_option(*dec, "--format", o.format, {"cbc", "hkdf"},
                      "cbc: whole-file or CBC streaming (default); hkdf: legacy per-part format");
    dec->add_option("--file-id", o.file_id,
                    "hkdf: the file id, base64 of 32 bytes (fileid metadata)")
        ->type_name("B64");
    dec->add_option("--part-size", o.part_size,
                    "hkdf: plaintext bytes per part (partsize metadata), e.g. 16777216 or 16MiB")
        ->type_name("SIZE");
    dec->add_option("--threads", o.threads, "Decryption threads (default: up to 4, one per core)");
    dec->add_option(
           "--sha512", o.expect_sha512,
           "Expected SHA-512 of the plaintext (fileChecksums); a mismatch is exit 65 and no output")
        ->type_name("HEX")
        ->check([](const std::string& v) {
            return v.size() == 128 && v.find_first_not_of("0123456789abcdef") == std::string::npos
                       ? ""
                       : "must be 128 lowercase hex digits";
        });
    dec->add_flag("--no-hash", o.no_hash,
                  "Skip the SHA-512 of the output (faster; the record then has no sha512)");

    auto* hash = app.add_subcommand("hash", "Print the SHA-512 and size of files");
    hash->add_option("FILE", o.inputs, "Files to hash (or paths/records on stdin)")
        ->type_name("FILE");

    return tool.run(argc, argv, [&]() -> int {
        if (enc->parsed()) return run_encrypt(tool, o);
        if (dec->parsed()) return run_decrypt(tool, o);
        return run_hash(tool, o);
    });
}
