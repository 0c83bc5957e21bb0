// The transfer engine against the in-memory backend: part planning, multipart and single
// uploads, encryption byte-identical to whole-file CBC, resume that sends only missing parts,
// downloads with parallel decryption and resume, conflicts, and orphan cleanup.
#include <catch2/catch.hpp>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <fstream>
#include <future>
#include <mutex>
#include <random>

#include "core/atomic_file.hpp"
#include "core/error.hpp"
#include "core/state_store.hpp"
#include "crypto/aes_cbc.hpp"
#include "crypto/encoding.hpp"
#include "crypto/file_encryptor.hpp"
#include "crypto/key_material.hpp"
#include "crypto/sha512.hpp"
#include "storage/memory_backend.hpp"
#include "test_support.hpp"
#include "transfer/conflict.hpp"
#include "transfer/download_engine.hpp"
#include "transfer/hash_tap.hpp"
#include "transfer/part_planner.hpp"
#include "transfer/transfer_schema.hpp"
#include "transfer/transfer_state.hpp"
#include "transfer/upload_engine.hpp"

using namespace ri;
using namespace ri::transfer;

namespace {

const storage::Limits kSmallLimits{10000, 16, 1ull << 30, 1ull << 30, 1000};

std::string random_text(size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s)
        c = static_cast<char>(rng() & 0xff);
    return s;
}

void write_file(const std::filesystem::path& p, const std::string& data) {
    std::ofstream(p, std::ios::binary) << data;
}

std::string read_file(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), {});
}

struct Fixture {
    test::TempDir dir;
    StateStore store = transfer::open_state_store(dir / "state.db");
    TransferState state{store};
    Progress progress{ProgressMode::none};
    storage::MemoryBackend backend{"s3", kSmallLimits};
    std::vector<UploadResult> uploaded;
    std::vector<std::string> upload_errors;
    std::vector<DownloadResult> downloaded;
    std::vector<std::string> download_errors;

    void upload(const std::vector<UploadItem>& items, UploadOptions o) {
        Uploader up(backend, &state, progress, std::move(o));
        up.run(
            items, [&](const UploadResult& r) { uploaded.push_back(r); },
            [&](const UploadItem& i, const std::exception& e) {
                upload_errors.push_back(i.source + ": " + e.what());
            });
    }
    void download(const std::vector<DownloadItem>& items, DownloadOptions o) {
        Downloader down(backend, &state, progress, std::move(o));
        down.run(
            items, [&](const DownloadResult& r) { downloaded.push_back(r); },
            [&](const DownloadItem& i, const std::exception& e) {
                download_errors.push_back(i.key + ": " + e.what());
            });
    }
};

UploadOptions small_parts(uint64_t part = 64, int concurrency = 3) {
    UploadOptions o;
    o.concurrency = concurrency;
    o.plan.part_size = part;
    o.plan.multipart_threshold = part;
    return o;
}

std::string whole_file_cbc(const std::string& plain, const crypto::SecureBuffer& key,
                           std::span<const std::byte> iv) {
    crypto::AesCbc aes(crypto::AesCbc::Direction::encrypt, key.span(), iv, true);
    std::string out(plain.size() + 32, '\0');
    auto* o = reinterpret_cast<std::byte*>(out.data());
    size_t n = aes.update({reinterpret_cast<const std::byte*>(plain.data()), plain.size()}, o),
           tail = 0;
    aes.finish(o + n, tail);
    out.resize(n + tail);
    return out;
}

}  // namespace

TEST_CASE("part plans stay within the store's limits") {
    storage::Limits s3{10000, 5ull << 20, 5ull << 30, 5ull << 30, 1000};
    auto small = plan_upload(1000, s3);
    CHECK_FALSE(small.multipart);
    auto big = plan_upload(100ull << 30, s3);  // 100 GiB: 16 MiB parts would be 6400 parts
    CHECK(big.multipart);
    CHECK(big.part_size == 16ull << 20);
    auto huge = plan_upload(400ull << 30, s3);  // 400 GiB needs bigger parts
    CHECK(huge.parts <= 10000);
    CHECK(huge.part_size % (1 << 20) == 0);
    CHECK(static_cast<uint64_t>(huge.parts) * huge.part_size >= 400ull << 30);
    CHECK_THROWS_AS(plan_upload(60ull << 40, s3), Error);  // 60 TiB: over 10,000 x 5 GiB
    auto enc = plan_upload(32ull << 20, s3, {16ull << 20, 16ull << 20, true});
    CHECK(enc.size == (32ull << 20) + 16);  // ciphertext: one more block
    CHECK(enc.parts == 3);                  // the padding block is a part of its own
    CHECK(enc.length(3) == 16);
    CHECK(plan_download(0).parts == 1);
}

TEST_CASE("conflict names count up before the extension") {
    CHECK(numbered_name("dir/report.pdf", 1) == "dir/report (1).pdf");
    CHECK(numbered_name("data", 2) == "data (2)");
    CHECK(numbered_name("a.b/.bashrc", 3) == "a.b/.bashrc (3)");
    std::set<std::string> taken{"x.txt", "x (1).txt"};
    CHECK(first_free_name("x.txt", [&](const std::string& n) { return taken.count(n) > 0; }) ==
          "x (2).txt");
}

TEST_CASE("uploads: single PUT, multipart across workers, and byte-identical content") {
    Fixture f;
    std::string small = random_text(50, 1), big = random_text(1000, 2), empty;
    write_file(f.dir / "small", small);
    write_file(f.dir / "big", big);
    write_file(f.dir / "empty", empty);
    f.upload({{(f.dir / "small").string(), "k/small"},
              {(f.dir / "big").string(), "k/big"},
              {(f.dir / "empty").string(), "k/empty"}},
             small_parts());
    REQUIRE(f.upload_errors.empty());
    REQUIRE(f.uploaded.size() == 3);
    CHECK(f.backend.object_bytes("k/small") == small);
    CHECK(f.backend.object_bytes("k/big") == big);
    CHECK(f.backend.object_bytes("k/empty").empty());
    CHECK(f.backend.calls("upload_part") == 16);  // 1000 bytes / 64
    CHECK(f.backend.calls("complete_multipart") == 1);
    CHECK(f.state.uploads_to("s3://").empty());  // completed uploads leave no resume state
}

TEST_CASE("encrypted multipart upload is whole-file CBC with the IV in metadata") {
    Fixture f;
    std::string plain = random_text(1000, 3);
    write_file(f.dir / "p", plain);
    auto key = std::make_shared<crypto::SecureBuffer>(crypto::random_secret(32));
    UploadOptions o = small_parts(64, 4);
    o.encryption_key = key;
    f.upload({{(f.dir / "p").string(), "enc"}}, o);
    REQUIRE(f.upload_errors.empty());
    REQUIRE(f.uploaded.size() == 1);
    auto info = f.backend.head("enc");
    REQUIRE(info);
    CHECK(info->metadata.at("streamingformat") == "cbc");
    CHECK(info->metadata.at("partsize") == "64");
    auto iv = crypto::base64_decode(info->metadata.at("iv"));
    REQUIRE(iv);
    CHECK(f.backend.object_bytes("enc") == whole_file_cbc(plain, *key, *iv));

    // Downloading decrypts it in parallel parts back to the plaintext.
    DownloadOptions d;
    d.part_size = 48;
    d.concurrency = 3;
    d.decryption_key = key;
    f.download({{"enc", (f.dir / "out").string(), std::nullopt}}, d);
    REQUIRE(f.download_errors.empty());
    CHECK(read_file(f.dir / "out") == plain);
    CHECK(f.downloaded.at(0).decrypted);

    // The plaintext SHA-512 is computed in part order as parts land (21 parts, 3 workers) and
    // checked against the expected one; a wrong expectation is a refusal that leaves no file.
    crypto::Sha512 sha;
    sha.update(std::as_bytes(std::span(plain.data(), plain.size())));
    const std::string want = sha.hex_digest();
    DownloadItem hashed{"enc", (f.dir / "hashed").string(), std::nullopt};
    hashed.hash = true;
    hashed.expected_sha512 = want;
    f.download({hashed}, d);
    REQUIRE(f.download_errors.empty());
    CHECK(f.downloaded.back().sha512 == want);
    CHECK(read_file(f.dir / "hashed") == plain);
    hashed.dest = (f.dir / "hashed-wrong").string();
    hashed.expected_sha512 = std::string(128, '0');
    f.download({hashed}, d);
    CHECK(f.download_errors.size() == 1);
    CHECK_FALSE(std::filesystem::exists(f.dir / "hashed-wrong"));
    f.download_errors.clear();

    // Without a key the object is refused, and nothing is written.
    DownloadOptions no_key;
    f.download({{"enc", (f.dir / "out2").string(), std::nullopt}}, no_key);
    CHECK(f.download_errors.size() == 1);
    CHECK_FALSE(std::filesystem::exists(f.dir / "out2"));
}

namespace {
// Records what an upload gives it, lending buffers of its own.
struct RecordingTap : PlaintextTap {
    std::vector<std::byte> lent;
    std::string seen;
    bool out_of_order = false;
    std::span<std::byte> borrow(size_t n) override {
        lent.assign(n, std::byte{0});
        return lent;
    }
    void give(size_t n) override { seen.append(reinterpret_cast<const char*>(lent.data()), n); }
    void not_in_order() override { out_of_order = true; }
};

std::string sha512_hex(const std::string& s) {
    crypto::Sha512 h;
    h.update(std::as_bytes(std::span(s.data(), s.size())));
    return h.hex_digest();
}
}  // namespace

TEST_CASE("an encrypted upload shows its tap the plaintext once, in order") {
    Fixture f;
    std::string plain = random_text(1000, 21);
    write_file(f.dir / "p", plain);
    auto key = std::make_shared<crypto::SecureBuffer>(crypto::random_secret(32));
    UploadOptions o = small_parts(64, 4);
    o.encryption_key = key;
    auto tap = std::make_shared<RecordingTap>();
    f.upload({{(f.dir / "p").string(), "tapped", nullptr, tap}}, o);
    REQUIRE(f.upload_errors.empty());
    CHECK(tap->seen == plain);  // 16 parts read into the tap's buffer, each once, in order
    CHECK_FALSE(tap->out_of_order);
    auto iv = crypto::base64_decode(f.backend.head("tapped")->metadata.at("iv"));
    REQUIRE(iv);
    CHECK(f.backend.object_bytes("tapped") == whole_file_cbc(plain, *key, *iv));

    // Parts larger than a piece are read into the tap in pieces, encrypted across them.
    std::string big = random_text(2 * kTapPiece + kTapPiece / 2 + 3, 23);
    write_file(f.dir / "big", big);
    UploadOptions bo = small_parts(kTapPiece * 2 + 16, 2);
    bo.encryption_key = key;
    auto big_tap = std::make_shared<RecordingTap>();
    f.upload({{(f.dir / "big").string(), "big", nullptr, big_tap}}, bo);
    REQUIRE(f.upload_errors.empty());
    CHECK(big_tap->seen == big);
    auto big_iv = crypto::base64_decode(f.backend.head("big")->metadata.at("iv"));
    REQUIRE(big_iv);
    CHECK(f.backend.object_bytes("big") == whole_file_cbc(big, *key, *big_iv));

    // A file sent in one PUT is not read part by part: the tap is told so.
    write_file(f.dir / "small", "tiny");
    auto small_tap = std::make_shared<RecordingTap>();
    f.upload({{(f.dir / "small").string(), "small", nullptr, small_tap}}, o);
    CHECK(small_tap->out_of_order);
    CHECK(small_tap->seen.empty());
}

TEST_CASE("HashTap hashes lent buffers in order, or the file when not in order") {
    test::TempDir dir;
    std::string plain = random_text(300, 22);
    write_file(dir / "f", plain);
    auto run = [&](bool in_order, std::string& error) {
        auto promise = std::make_shared<std::promise<std::string>>();
        auto result = promise->get_future();
        HashTap tap((dir / "f").string(), plain.size(), promise);
        if (in_order) {
            for (size_t off = 0; off < plain.size(); off += 128) {
                size_t n = std::min<size_t>(128, plain.size() - off);
                auto buf = tap.borrow(n);
                REQUIRE(buf.size() == n);
                std::memcpy(buf.data(), plain.data() + off, n);
                tap.give(n);
            }
        } else {
            tap.not_in_order();
        }
        try {
            return result.get();
        } catch (const std::exception& e) {
            error = e.what();
            return std::string();
        }
    };
    std::string error;
    CHECK(run(true, error) == sha512_hex(plain));
    CHECK(run(false, error) == sha512_hex(plain));

    // Buffers for at most kMaxRings files at once: the next tap reads the file itself.
    std::vector<std::unique_ptr<HashTap>> taps;
    std::vector<std::shared_ptr<std::promise<std::string>>> promises;
    for (int i = 0; i <= HashTap::kMaxRings; ++i) {
        promises.push_back(std::make_shared<std::promise<std::string>>());
        taps.push_back(std::make_unique<HashTap>((dir / "f").string(), plain.size(), promises[i]));
    }
    for (int i = 0; i < HashTap::kMaxRings; ++i)
        CHECK(taps[i]->borrow(16).size() == 16);
    auto extra = promises.back()->get_future();
    CHECK(taps.back()->borrow(16).empty());
    CHECK(extra.get() == sha512_hex(plain));
    taps.clear();  // stopped without a result; the buffers are free again
    auto again = std::make_shared<std::promise<std::string>>();
    HashTap tap((dir / "f").string(), plain.size(), again);
    CHECK(tap.borrow(16).size() == 16);
}

TEST_CASE("an interrupted upload resumes and sends only the parts the server lacks") {
    for (bool encrypted : {false, true}) {
        DYNAMIC_SECTION((encrypted ? "encrypted" : "plain")) {
            Fixture f;
            std::string plain = random_text(1024, 4);
            write_file(f.dir / "p", plain);
            UploadOptions o = small_parts(64, 1);  // one worker: parts go in order
            std::shared_ptr<crypto::SecureBuffer> key;
            if (encrypted) {
                key = std::make_shared<crypto::SecureBuffer>(crypto::random_secret(32));
                o.encryption_key = key;
            }
            // First run: part 6 fails for good; parts 1-5 are confirmed and recorded.
            f.backend.set_hook([](const std::string& op, int call) {
                if (op == "upload_part" && call >= 6) {
                    throw storage::storage_error("memory", "obj", 400, "InvalidRequest",
                                                 "injected");
                }
            });
            f.upload({{(f.dir / "p").string(), "obj"}}, o);
            REQUIRE(f.upload_errors.size() == 1);
            REQUIRE(f.uploaded.empty());
            CHECK_FALSE(f.backend.head("obj"));
            int first_run = f.backend.calls("upload_part");

            // Second run: only parts 6-16 are sent, and the object is right.
            f.backend.set_hook({});
            f.upload({{(f.dir / "p").string(), "obj"}}, o);
            REQUIRE(f.upload_errors.size() == 1);
            REQUIRE(f.uploaded.size() == 1);
            // 1024 bytes in 64-byte parts: 16 parts, 17 when encrypted (the padding block).
            const int total = encrypted ? 17 : 16;
            CHECK(first_run == 6);  // 5 confirmed, the 6th failed
            CHECK(f.backend.calls("upload_part") - first_run == total - 5);
            CHECK(f.backend.calls("list_parts") == 1);
            CHECK(f.backend.calls("create_multipart") == 1);
            CHECK(f.uploaded[0].resumed);
            CHECK(f.uploaded[0].parts_sent == total - 5);
            std::string want = plain;
            if (encrypted) {
                auto iv = crypto::base64_decode(f.backend.head("obj")->metadata.at("iv"));
                want = whole_file_cbc(plain, *key, *iv);
            }
            CHECK(f.backend.object_bytes("obj") == want);
            CHECK(f.state.uploads_to("s3://").empty());
        }
    }
}

TEST_CASE("a changed source file is not resumed into a stale upload") {
    Fixture f;
    write_file(f.dir / "p", random_text(1024, 5));
    f.backend.set_hook([](const std::string& op, int call) {
        if (op == "upload_part" && call >= 3)
            throw storage::storage_error("memory", "o", 400, "X", "injected");
    });
    UploadOptions o = small_parts(64, 1);
    f.upload({{(f.dir / "p").string(), "o"}}, o);
    REQUIRE(f.upload_errors.size() == 1);
    f.backend.set_hook({});
    std::string changed = random_text(1000, 6);
    write_file(f.dir / "p", changed);
    f.upload({{(f.dir / "p").string(), "o"}}, o);
    REQUIRE(f.uploaded.size() == 1);
    CHECK_FALSE(f.uploaded[0].resumed);
    CHECK(f.backend.object_bytes("o") == changed);
    CHECK(f.backend.calls("abort_multipart") == 1);
    CHECK(f.backend.list_multipart_uploads("").empty());
}

// Holds the GET of an object's first bytes (as a slow connection would) until `expected` GETs
// have started or `stall` has passed, and records the offset of every GET as it starts.
class StallingBackend : public storage::MemoryBackend {
  public:
    using MemoryBackend::MemoryBackend;
    storage::ObjectInfo get(const std::string& key, std::optional<storage::ByteRange> range,
                            const storage::Sink& sink) override {
        uint64_t offset = range ? range->offset : 0;
        {
            std::unique_lock lock(mutex);
            offsets.push_back(offset);
            started.notify_all();
            if (offset == 0) {
                started.wait_for(lock, stall, [&] { return offsets.size() >= expected; });
                started_while_stalled = offsets.size();
            }
        }
        return MemoryBackend::get(key, range, sink);
    }
    std::mutex mutex;
    std::condition_variable started;
    size_t expected = 0;
    std::chrono::milliseconds stall{0};
    std::vector<uint64_t> offsets;
    size_t started_while_stalled = 0;
};

TEST_CASE("a hashed download does not run more than a window of parts ahead of its hash") {
    // The plaintext SHA-512 is serial; parts are fetched lowest first and only as far as
    // `concurrency` parts past the next one to hash. While part 1 is held, the other workers
    // may take parts 2..4 (3 workers: window 3), not the other 17 of the 21 parts.
    test::TempDir dir;
    Progress progress{ProgressMode::none};
    StallingBackend backend{"s3", kSmallLimits};
    backend.expected = 21;  // never reached while part 1 is held
    backend.stall = std::chrono::milliseconds(400);
    std::string data = random_text(1000, 11);
    backend.put("h", std::as_bytes(std::span(data.data(), data.size())), {});
    crypto::Sha512 sha;
    sha.update(std::as_bytes(std::span(data.data(), data.size())));
    DownloadOptions o;
    o.part_size = 48;
    o.concurrency = 3;
    DownloadItem item{"h", (dir / "h.bin").string(), std::nullopt};
    item.hash = true;
    item.expected_sha512 = sha.hex_digest();
    std::vector<DownloadResult> done;
    std::vector<std::string> errors;
    Downloader down(backend, nullptr, progress, o);
    down.run(
        {item}, [&](const DownloadResult& r) { done.push_back(r); },
        [&](const DownloadItem&, const std::exception& e) { errors.push_back(e.what()); });
    REQUIRE(errors.empty());
    REQUIRE(done.size() == 1);
    CHECK(done[0].sha512 == item.expected_sha512);
    CHECK(read_file(dir / "h.bin") == data);
    CHECK(backend.offsets.size() == 21);
    CHECK(backend.started_while_stalled >= 1);
    CHECK(backend.started_while_stalled <= 4);

    // Without the hash nothing holds the workers back: they take every other part meanwhile.
    StallingBackend plain{"s3", kSmallLimits};
    plain.expected = 21;
    plain.stall = std::chrono::milliseconds(20000);
    plain.put("h", std::as_bytes(std::span(data.data(), data.size())), {});
    item.hash = false;
    item.expected_sha512.clear();
    item.dest = (dir / "plain.bin").string();
    Downloader down2(plain, nullptr, progress, o);
    down2.run(
        {item}, [&](const DownloadResult& r) { done.push_back(r); },
        [&](const DownloadItem&, const std::exception& e) { errors.push_back(e.what()); });
    REQUIRE(errors.empty());
    CHECK(read_file(dir / "plain.bin") == data);
    CHECK(plain.started_while_stalled == 21);
}

TEST_CASE("downloads resume from the parts already written") {
    Fixture f;
    std::string data = random_text(1000, 7);
    std::span<const std::byte> bytes(reinterpret_cast<const std::byte*>(data.data()), data.size());
    f.backend.put("d", bytes, {});
    DownloadOptions o;
    o.part_size = 64;
    o.concurrency = 1;
    o.part_retries = 0;
    f.backend.set_hook([](const std::string& op, int call) {
        if (op == "get" && call >= 5)
            throw storage::storage_error("memory", "d", 500, "InternalError", "injected");
    });
    auto out = (f.dir / "out.bin").string();
    f.download({{"d", out, std::nullopt}}, o);
    REQUIRE(f.download_errors.size() == 1);
    CHECK_FALSE(std::filesystem::exists(out));
    CHECK(std::filesystem::exists(out + ".ri-partial"));
    int first = f.backend.calls("get");
    f.backend.set_hook({});
    f.download({{"d", out, std::nullopt}}, o);
    REQUIRE(f.downloaded.size() == 1);
    CHECK(read_file(out) == data);
    CHECK(f.backend.calls("get") - first == 12);  // 16 parts, 4 kept from the first run
    CHECK(f.downloaded[0].resumed);
    CHECK_FALSE(std::filesystem::exists(out + ".ri-partial"));
}

TEST_CASE("existing destinations are skipped, renamed or overwritten as asked") {
    Fixture f;
    write_file(f.dir / "a", "new");
    std::string old = "old";
    f.backend.put("a", std::as_bytes(std::span(old)), {});
    UploadOptions skip = small_parts();
    f.upload({{(f.dir / "a").string(), "a"}}, skip);
    REQUIRE(f.uploaded.size() == 1);
    CHECK(f.uploaded[0].skipped);
    CHECK(f.backend.object_bytes("a") == "old");
    UploadOptions rename = small_parts();
    rename.if_exists = IfExists::rename;
    f.upload({{(f.dir / "a").string(), "a"}}, rename);
    CHECK(f.uploaded.back().key == "a (1)");
    CHECK(f.backend.object_bytes("a (1)") == "new");
    UploadOptions overwrite = small_parts();
    overwrite.if_exists = IfExists::overwrite;
    f.upload({{(f.dir / "a").string(), "a"}}, overwrite);
    CHECK(f.backend.object_bytes("a") == "new");

    // Downloads: an existing local file is kept unless told otherwise.
    write_file(f.dir / "local", "mine");
    f.download({{"a", (f.dir / "local").string(), std::nullopt}}, {});
    CHECK(f.downloaded.back().skipped);
    CHECK(read_file(f.dir / "local") == "mine");
    DownloadOptions ren;
    ren.if_exists = IfExists::rename;
    f.download({{"a", (f.dir / "local").string(), std::nullopt}}, ren);
    CHECK(read_file(f.dir / "local (1)") == "new");
}

TEST_CASE("orphaned multipart uploads older than a day and unknown locally are aborted") {
    Fixture f;
    std::string old_id = f.backend.create_multipart("x/old", {});
    std::string new_id = f.backend.create_multipart("x/new", {});
    f.backend.set_upload_initiated(old_id, "2020-01-01T00:00:00Z");
    auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
    char buf[32];
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    f.backend.set_upload_initiated(new_id, buf);
    std::string known_id = f.backend.create_multipart("x/known", {});
    f.backend.set_upload_initiated(known_id, "2020-01-01T00:00:00Z");
    f.state.insert_upload(
        {0, "/src", 1, 1, f.backend.url_of("x/known"), known_id, 64, 2, false, "", ""});
    auto aborted = abort_orphaned_uploads(f.backend, &f.state, "x/", 24);
    REQUIRE(aborted.size() == 1);
    CHECK(aborted[0].key == "x/old");
    CHECK(f.backend.list_multipart_uploads("x/").size() == 2);
}

TEST_CASE("a one-part object that arrives damaged is refused and nothing is saved") {
    Fixture f;
    std::string data = random_text(3000, 9);
    f.backend.put("o", std::as_bytes(std::span(data)), {});
    f.backend.corrupt("o");
    auto out = (f.dir / "o.bin").string();
    f.download({{"o", out, std::nullopt}}, {});
    REQUIRE(f.download_errors.size() == 1);
    CHECK(f.download_errors[0].find("MD5") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(out));
    CHECK_FALSE(std::filesystem::exists(out + ".ri-partial"));
}

TEST_CASE("small objects known from a listing come down with one GET and no HEAD") {
    Fixture f;
    std::string data = random_text(500, 10);
    f.backend.put("s/plain", std::as_bytes(std::span(data)), {});
    auto key = std::make_shared<crypto::SecureBuffer>(crypto::random_secret(32));
    write_file(f.dir / "src", data);
    UploadOptions up = small_parts(4096);
    up.encryption_key = key;
    f.upload({{(f.dir / "src").string(), "s/enc"}}, up);
    REQUIRE(f.uploaded.size() == 1);
    auto listed = [&](const std::string& k) {
        storage::ObjectInfo info = *f.backend.head(k);
        DownloadItem item;
        item.key = k;
        item.dest = (f.dir / ("out-" + k.substr(2))).string();
        item.known = info;
        return item;
    };
    std::vector<DownloadItem> items{listed("s/plain"), listed("s/enc")};
    int heads = f.backend.calls("head");
    DownloadOptions o;
    o.decryption_key = key;
    f.download(items, o);
    REQUIRE(f.download_errors.empty());
    CHECK(f.backend.calls("head") == heads);  // no HEAD per object
    CHECK(read_file(f.dir / "out-plain") == data);
    CHECK(read_file(f.dir / "out-enc") == data);

    // Without the key the encrypted one is refused and nothing is written.
    auto no_key = listed("s/enc");
    no_key.dest = (f.dir / "nokey").string();
    f.download({no_key}, {});
    CHECK(f.download_errors.size() == 1);
    CHECK_FALSE(std::filesystem::exists(f.dir / "nokey"));

    // A damaged small object fails its MD5 and leaves nothing.
    f.backend.corrupt("s/plain");
    auto bad = listed("s/plain");
    bad.dest = (f.dir / "bad").string();
    f.download({bad}, {});
    CHECK(f.download_errors.size() == 2);
    CHECK_FALSE(std::filesystem::exists(f.dir / "bad"));
    CHECK_FALSE(std::filesystem::exists(f.dir / "bad.ri-partial"));

    // A listing that understates the size (a platform record with a wrong decryptedSize once
    // made a 2 GiB file come down whole into memory): refused at the listed size, nothing saved.
    auto understated = listed("s/enc");
    understated.known->size = 100;
    understated.dest = (f.dir / "understated").string();
    f.download({understated}, o);
    REQUIRE(f.download_errors.size() == 3);
    CHECK(f.download_errors.back().find("larger than its listing") != std::string::npos);
    CHECK_FALSE(std::filesystem::exists(f.dir / "understated"));
}
