#include <catch2/catch.hpp>
#include <cstring>
#include <fstream>
#include <random>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "crypto/aes_cbc.hpp"
#include "crypto/encoding.hpp"
#include "crypto/file_decryptor.hpp"
#include "crypto/file_encryptor.hpp"
#include "crypto/file_hasher.hpp"
#include "crypto/hkdf.hpp"
#include "crypto/sha512.hpp"
#include "test_support.hpp"

using namespace ri;
using namespace ri::crypto;

namespace {

std::vector<std::byte> bytes_of(std::string_view hex) {
    return *from_hex(hex);
}

std::vector<std::byte> test_data(size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::vector<std::byte> v(n);
    for (auto& b : v)
        b = static_cast<std::byte>(rng() & 0xff);
    return v;
}

void write_file(const std::filesystem::path& p, std::span<const std::byte> data) {
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(data.data()), static_cast<long>(data.size()));
}

std::vector<std::byte> read_file(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    std::vector<char> c((std::istreambuf_iterator<char>(f)), {});
    std::vector<std::byte> out(c.size());
    std::memcpy(out.data(), c.data(), c.size());
    return out;
}

std::string sha512_of(std::span<const std::byte> data) {
    Sha512 s;
    s.update(data);
    return s.hex_digest();
}

}  // namespace

TEST_CASE("base64 and hex are strict") {
    auto k = bytes_of("000102ff");
    CHECK(base64_encode(k) == "AAEC/w==");
    CHECK(base64_decode("AAEC/w==") == k);
    CHECK_FALSE(base64_decode("AAEC/w=").has_value());
    CHECK_FALSE(base64_decode("AA=C/w==").has_value());
    CHECK_FALSE(base64_decode("AAEC-w==").has_value());
    CHECK(base64_decode("")->empty());
    CHECK(to_hex(k) == "000102ff");
    CHECK_FALSE(from_hex("0g").has_value());
}

TEST_CASE("SHA-512 matches FIPS 180-2 'abc'") {
    std::string abc = "abc";
    CHECK(sha512_of(std::as_bytes(std::span(abc))) ==
          "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23"
          "a3feebbd"
          "454d4423643ce80e2a9ac94fa54ca49f");
}

TEST_CASE("HKDF-SHA256 matches RFC 5869 test cases 1 and 3") {
    std::vector<std::byte> okm(42);
    hkdf_sha256(bytes_of("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"),
                bytes_of("000102030405060708090a0b0c"), bytes_of("f0f1f2f3f4f5f6f7f8f9"), okm);
    CHECK(to_hex(okm) ==
          "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    // Test case 3: empty salt and info, as the per-part format uses an empty salt.
    hkdf_sha256(bytes_of("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b"), {}, {}, okm);
    CHECK(to_hex(okm) ==
          "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST_CASE("AES-256-CBC matches NIST SP 800-38A F.2.5") {
    auto key = bytes_of("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
    auto iv = bytes_of("000102030405060708090a0b0c0d0e0f");
    auto pt = bytes_of("6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51");
    std::vector<std::byte> ct(pt.size() + 16);
    AesCbc aes(AesCbc::Direction::encrypt, key, iv, false);
    size_t n = aes.update(pt, ct.data());
    ct.resize(n);
    CHECK(to_hex(ct) == "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d");
}

TEST_CASE("file encryption round-trips through the parallel decryptor at every boundary") {
    test::TempDir dir;
    auto key = test_data(32, 1), iv = test_data(16, 2);
    // Small chunks so that multi-chunk, ring wrap-around and chunk-boundary padding are exercised.
    for (size_t size : {0u, 1u, 15u, 16u, 17u, 63u, 64u, 65u, 1000u, 4096u, 4111u}) {
        DYNAMIC_SECTION("size " << size) {
            auto plain = test_data(size, static_cast<unsigned>(size) + 7);
            write_file(dir / "p", plain);
            File in = File::open_read((dir / "p").string());
            {
                AtomicOutput out((dir / "c").string());
                auto r = encrypt_file(in, out.file(), key, iv, {}, 64);
                out.commit();
                CHECK(r.size == size);
                CHECK(r.encrypted_size == padded_size(size));
                CHECK(r.sha512 == sha512_of(plain));
            }
            File c = File::open_read((dir / "c").string());
            CHECK(cbc_plaintext_size(c, key, iv) == size);
            for (unsigned threads : {1u, 3u}) {
                AtomicOutput out((dir / "d").string());
                auto r = decrypt_cbc_file(c, out.file(), key, iv, {threads, true, {}, 48});
                out.commit();
                CHECK(r.size == size);
                CHECK(r.sha512 == sha512_of(plain));
                CHECK(read_file(dir / "d") == plain);
            }
        }
    }
}

TEST_CASE("a wrong key is refused from the padding before anything is written") {
    test::TempDir dir;
    auto key = test_data(32, 3), iv = test_data(16, 4), wrong = test_data(32, 5);
    write_file(dir / "p", test_data(5000, 6));
    File in = File::open_read((dir / "p").string());
    {
        AtomicOutput out((dir / "c").string());
        encrypt_file(in, out.file(), key, iv);
        out.commit();
    }
    File c = File::open_read((dir / "c").string());
    try {
        cbc_plaintext_size(c, wrong, iv);
        // 1 in ~256 wrong keys yields valid-looking padding; this seed is not one of them.
        FAIL("wrong key accepted");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::bad_data);
        CHECK(std::string(e.what()).find("key") != std::string::npos);
    }
}

TEST_CASE("the HKDF per-part format decrypts parts with derived keys") {
    test::TempDir dir;
    auto master = test_data(32, 8), file_id = test_data(32, 9);
    for (uint64_t part_size : {16u, 100u, 64u}) {
        for (size_t size : {0u, 1u, 16u, 100u, 300u, 307u}) {
            DYNAMIC_SECTION("part " << part_size << " size " << size) {
                auto plain = test_data(size, static_cast<unsigned>(size * 31 + part_size));
                // Build the ciphertext part by part with independently padded CBC.
                std::vector<std::byte> cipher;
                uint64_t parts = size == 0 ? 1 : (size + part_size - 1) / part_size;
                for (uint64_t p = 0; p < parts; ++p) {
                    size_t off = static_cast<size_t>(p * part_size);
                    size_t n = std::min<size_t>(static_cast<size_t>(part_size), size - off);
                    PartKey pk = derive_part_key(master, file_id, p);
                    AesCbc aes(AesCbc::Direction::encrypt, pk.key.span(), pk.iv.span(), true);
                    std::vector<std::byte> buf(n + 32);
                    size_t w = aes.update({plain.data() + off, n}, buf.data()), w2 = 0;
                    aes.finish(buf.data() + w, w2);
                    cipher.insert(cipher.end(), buf.begin(),
                                  buf.begin() + static_cast<long>(w + w2));
                }
                write_file(dir / "h", cipher);
                File c = File::open_read((dir / "h").string());
                AtomicOutput out((dir / "hd").string());
                auto r = decrypt_hkdf_file(c, out.file(), {master, file_id, part_size},
                                           {2, true, {}, 32});
                out.commit();
                CHECK(r.size == size);
                CHECK(r.sha512 == sha512_of(plain));
                CHECK(read_file(dir / "hd") == plain);
            }
        }
    }
}

TEST_CASE("an unfinished atomic output leaves no file behind") {
    test::TempDir dir;
    auto final_path = (dir / "out").string();
    {
        AtomicOutput out(final_path);
        std::string s = "partial";
        out.file().write_all(std::as_bytes(std::span(s)));
        CHECK(std::filesystem::exists(final_path + ".ri-partial"));
    }
    CHECK_FALSE(std::filesystem::exists(final_path));
    CHECK_FALSE(std::filesystem::exists(final_path + ".ri-partial"));
    try {
        AtomicOutput bad((dir / "missing-dir/out").string());
        FAIL("created in a missing directory");
    } catch (const Error& e) {
        CHECK(e.code() == ExitCode::cannot_create);
    }
}
