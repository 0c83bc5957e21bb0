// The Azure Blob backend against a real Azurite (scripts/services/azurite; ctest fixture
// `azurite`), which really checks SharedKey and SAS signatures. Settings come from azurite.env:
// RI_AZ_ENDPOINT, RI_AZ_ACCOUNT, RI_AZ_KEY, RI_AZ_CONNECTION_STRING. A missing variable fails
// every test here; nothing is skipped. Each test works in its own container, deleted at the end.
#include "storage/azure_backend.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <memory>
#include <set>
#include <string>

#include "crypto/encoding.hpp"
#include "crypto/random.hpp"
#include "http/http_client.hpp"
#include "http/url_parts.hpp"
#include "service_env.hpp"
#include "storage/storage_error.hpp"

using namespace ri;
using namespace ri::storage;

namespace {

std::string env(const char* name) {
    return test::service_env(name, "azurite");
}

AzureSettings key_settings() {
    AzureSettings s;
    s.endpoint = env("RI_AZ_ENDPOINT");
    s.account = env("RI_AZ_ACCOUNT");
    s.account_key = env("RI_AZ_KEY");
    return s;
}

std::shared_ptr<http::HttpClientPool> pool() {
    http::ClientOptions options;
    options.retry.max_attempts = 3;
    options.retry.base_delay = std::chrono::milliseconds(50);
    static auto shared = std::make_shared<http::HttpClientPool>(options);
    return shared;
}

std::span<const std::byte> bytes(const std::string& text) {
    return std::as_bytes(std::span(text.data(), text.size()));
}

std::string random_text(size_t n) {
    std::string out(n, '\0');
    crypto::random_bytes(std::as_writable_bytes(std::span(out.data(), out.size())));
    return out;
}

std::string read_all(Backend& backend, const std::string& key,
                     std::optional<ByteRange> range = std::nullopt) {
    std::string out;
    backend.get(key, range, [&](std::span<const std::byte> chunk) {
        out.append(reinterpret_cast<const char*>(chunk.data()), chunk.size());
    });
    return out;
}

std::string md5_base64(const std::string& data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(data.data(), data.size(), digest, &size, EVP_md5(), nullptr);
    return crypto::base64_encode(std::as_bytes(std::span(digest, size)));
}

// A container of its own for each test, deleted (with its blobs) when the test ends.
class TestContainer {
  public:
    TestContainer() {
        static std::atomic<int> counter{0};
        name_ = "ri-az-" + std::to_string(::getpid()) + "-" + std::to_string(std::time(nullptr)) +
                "-" + std::to_string(counter++);
        REQUIRE(create_azure_container(key_settings(), name_, *pool()));
        backend_ = make_azure_backend(key_settings(), name_, pool());
    }
    ~TestContainer() {
        try {
            delete_azure_container(key_settings(), name_, *pool());
        } catch (...) {
        }
    }
    const std::string& name() const { return name_; }
    Backend& backend() { return *backend_; }

  private:
    std::string name_;
    std::unique_ptr<Backend> backend_;
};

// A service SAS signed with the account key, as "Create a service SAS" documents it for
// versions 2020-12-06 and later: sr=c for the container, sr=b for one blob.
std::string make_sas(const std::string& container, const std::string& blob,
                     const std::string& permissions) {
    std::string account = env("RI_AZ_ACCOUNT");
    std::string version = "2021-08-06";
    std::time_t expiry_time = std::time(nullptr) + 3600;
    std::tm tm{};
    gmtime_r(&expiry_time, &tm);
    char expiry[32];
    std::strftime(expiry, sizeof expiry, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string resource = blob.empty() ? "c" : "b";
    std::string canonical = "/blob/" + account + "/" + container + (blob.empty() ? "" : "/" + blob);
    std::string to_sign = permissions + "\n" +  // signedPermissions
                          "\n" +                // signedStart
                          expiry + "\n" +       // signedExpiry
                          canonical + "\n" +    // canonicalizedResource
                          "\n" +                // signedIdentifier
                          "\n" +                // signedIP
                          "\n" +                // signedProtocol
                          version + "\n" +      // signedVersion
                          resource + "\n" +     // signedResource
                          "\n" +                // signedSnapshotTime
                          "\n" +                // signedEncryptionScope
                          "\n\n\n\n";           // rscc, rscd, rsce, rscl, rsct (empty)
    auto key = crypto::base64_decode(env("RI_AZ_KEY"));
    REQUIRE(key);
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int mac_size = 0;
    HMAC(EVP_sha256(), key->data(), static_cast<int>(key->size()),
         reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size(), mac, &mac_size);
    std::string sig = crypto::base64_encode(std::as_bytes(std::span(mac, mac_size)));
    return "sv=" + version + "&sr=" + resource + "&sp=" + permissions +
           "&se=" + http::uri_encode(expiry, false) + "&sig=" + http::uri_encode(sig, false);
}

AzureSettings sas_settings(const std::string& sas) {
    AzureSettings s;
    s.endpoint = env("RI_AZ_ENDPOINT");
    s.account = env("RI_AZ_ACCOUNT");
    s.sas_token = sas;
    return s;
}

// Runs a Python snippet with Debian's azure.storage.blob (the real peer) and returns stdout.
std::string python(const std::string& script, const std::string& args) {
    std::string path = "/tmp/ri-az-peer-" + std::to_string(::getpid()) + ".py";
    {
        std::ofstream out(path);
        out << script;
    }
    std::string command = "/usr/bin/python3 " + path + " " + args;
    std::string output;
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe);
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0)
        output.append(buf, n);
    int status = ::pclose(pipe);
    std::remove(path.c_str());
    INFO(output);
    REQUIRE(status == 0);
    return output;
}

}  // namespace

TEST_CASE("azure: put, get and head with metadata, 0-byte blobs, unusual names") {
    TestContainer c;
    Backend& b = c.backend();
    CHECK(b.scheme() == "az");
    CHECK(b.url_of("dir/x") == "az://" + env("RI_AZ_ACCOUNT") + "/" + c.name() + "/dir/x");

    Metadata meta{{"color", "blue"}, {"iv", "AAAAAAAAAAAAAAAAAAAAAA=="}};
    ObjectInfo put = b.put("dir/hello.txt", bytes("hello azure"), meta);
    CHECK(put.size == 11);
    CHECK_FALSE(put.etag.empty());
    CHECK(put.etag.front() != '"');

    auto head = b.head("dir/hello.txt");
    REQUIRE(head);
    CHECK(head->key == "dir/hello.txt");
    CHECK(head->size == 11);
    CHECK(head->etag == put.etag);
    CHECK(head->metadata == meta);
    CHECK(head->content_md5 == md5_base64("hello azure"));
    CHECK(head->last_modified.size() == 20);
    CHECK(head->last_modified.back() == 'Z');
    CHECK(read_all(b, "dir/hello.txt") == "hello azure");

    b.put("empty", {}, {});
    auto empty = b.head("empty");
    REQUIRE(empty);
    CHECK(empty->size == 0);
    CHECK(empty->metadata.empty());
    CHECK(read_all(b, "empty").empty());

    // Spaces, '+', '%', '?', '#' and UTF-8 in a key: the signed path is the encoded one.
    std::string odd = "odd dir/a b+c%20?#\xC3\xBC.txt";
    b.put(odd, bytes("odd"), {{"k", "v"}});
    CHECK(read_all(b, odd) == "odd");
    REQUIRE(b.head(odd));
    CHECK(b.head(odd)->metadata == Metadata{{"k", "v"}});

    CHECK_FALSE(b.head("no/such/blob"));
    try {
        read_all(b, "no/such/blob");
        FAIL("read a missing blob");
    } catch (const StorageError& e) {
        CHECK(e.http_status() == 404);
        CHECK(e.service_code() == "BlobNotFound");
        CHECK(e.code() == ExitCode::missing_input);
    }
}

TEST_CASE("azure: blocks, the uncommitted block list as the resume view, commit with metadata") {
    TestContainer c;
    Backend& b = c.backend();
    std::string p1 = random_text(1000), p2 = random_text(1000), p3 = random_text(17);
    Metadata meta{{"iv", "MDEyMzQ1Njc4OWFiY2RlZg=="}, {"origin", "ri"}};

    std::string token = b.create_multipart("big.bin", meta);
    // Out of order, as parallel workers finish.
    std::string id3 = b.upload_part("big.bin", token, 3, bytes(p3));
    std::string id1 = b.upload_part("big.bin", token, 1, bytes(p1));
    // Another upload to the same blob: its blocks are not this upload's parts.
    std::string other = b.create_multipart("big.bin", {});
    b.upload_part("big.bin", other, 1, bytes("stale"));
    std::string id2 = b.upload_part("big.bin", token, 2, bytes(p2));
    CHECK(id1.size() == id2.size());
    CHECK(id1.size() == id3.size());

    // Nothing is visible before the commit.
    CHECK_FALSE(b.head("big.bin"));

    // What resume sees, from a fresh backend (another process after kill -9).
    auto fresh = make_azure_backend(key_settings(), c.name(), pool());
    auto parts = fresh->list_parts("big.bin", token);
    REQUIRE(parts.size() == 3);
    CHECK(parts[0].number == 1);
    CHECK(parts[0].size == 1000);
    CHECK(parts[0].etag == id1);
    CHECK(parts[1].number == 2);
    CHECK(parts[2].number == 3);
    CHECK(parts[2].size == 17);
    CHECK(parts[2].etag == id3);
    CHECK(fresh->list_multipart_uploads("").empty());  // Azure has no such listing

    ObjectInfo done = fresh->complete_multipart("big.bin", token, parts, meta);
    CHECK(done.size == 2017);
    auto head = b.head("big.bin");
    REQUIRE(head);
    CHECK(head->size == 2017);
    CHECK(head->metadata == meta);
    CHECK(read_all(b, "big.bin") == p1 + p2 + p3);
    // Committed: no uncommitted blocks are left to resume.
    CHECK(b.list_parts("big.bin", token).empty());

    // Metadata given only to create_multipart is used by this process's complete.
    std::string t2 = b.create_multipart("meta-at-create.bin", {{"from", "create"}});
    b.upload_part("meta-at-create.bin", t2, 1, bytes("x"));
    b.complete_multipart("meta-at-create.bin", t2, {{1, 1, ""}}, {});
    CHECK(b.head("meta-at-create.bin")->metadata == Metadata{{"from", "create"}});

    // Abort: no server call; the blob stays uncommitted (absent) until its blocks expire.
    std::string t3 = b.create_multipart("aborted.bin", {});
    b.upload_part("aborted.bin", t3, 1, bytes("gone"));
    b.abort_multipart("aborted.bin", t3);
    CHECK_FALSE(b.head("aborted.bin"));
    // A never-used upload id has no parts; a foreign one is NoSuchUpload.
    CHECK(b.list_parts("never.bin", b.create_multipart("never.bin", {})).empty());
    try {
        b.list_parts("big.bin", "2~foreign-upload-id");
        FAIL("accepted a foreign upload id");
    } catch (const StorageError& e) {
        CHECK(e.service_code() == "NoSuchUpload");
    }

    // Ranged gets, within a block, across blocks, the tail, and empty.
    std::string all = p1 + p2 + p3;
    CHECK(read_all(b, "big.bin", ByteRange{5, 10}) == all.substr(5, 10));
    CHECK(read_all(b, "big.bin", ByteRange{990, 20}) == all.substr(990, 20));
    CHECK(read_all(b, "big.bin", ByteRange{2000, 17}) == all.substr(2000));
    CHECK(read_all(b, "big.bin", ByteRange{0, 0}).empty());
}

TEST_CASE("azure: list with delimiter and paging") {
    TestContainer c;
    Backend& b = c.backend();
    for (const char* key : {"a/1", "a/2", "b/x/1", "c", "d", "e"})
        b.put(key, bytes(key), {});

    std::set<std::string> objects, prefixes;
    std::string token;
    int pages = 0;
    do {
        ListPage page = b.list("", "/", token, 2);
        CHECK(page.objects.size() + page.common_prefixes.size() <= 2);
        for (auto& o : page.objects) {
            objects.insert(o.key);
            CHECK(o.size == o.key.size());
            CHECK_FALSE(o.etag.empty());
            CHECK(o.last_modified.back() == 'Z');
        }
        for (auto& p : page.common_prefixes)
            prefixes.insert(p);
        token = page.next_token;
        ++pages;
    } while (!token.empty() && pages < 10);
    CHECK(token.empty());
    CHECK(pages >= 3);
    CHECK(objects == std::set<std::string>{"c", "d", "e"});
    CHECK(prefixes == std::set<std::string>{"a/", "b/"});

    ListPage a = b.list("a/", "", "", 1000);
    REQUIRE(a.objects.size() == 2);
    CHECK(a.objects[0].key == "a/1");
    CHECK(a.objects[1].key == "a/2");
    CHECK(a.next_token.empty());
    ListPage none = b.list("zzz", "", "", 1000);
    CHECK(none.objects.empty());
}

TEST_CASE("azure: copy keeps or replaces metadata") {
    TestContainer c;
    Backend& b = c.backend();
    b.put("src", bytes("copy me"), {{"color", "blue"}});

    ObjectInfo kept = b.copy("src", "dst-copy");
    CHECK(kept.size == 7);
    CHECK(kept.metadata == Metadata{{"color", "blue"}});
    CHECK(read_all(b, "dst-copy") == "copy me");

    ObjectInfo replaced =
        b.copy("src", "dir/dst replaced", MetadataDirective::replace, {{"shape", "round"}});
    CHECK(replaced.metadata == Metadata{{"shape", "round"}});
    CHECK(b.head("dir/dst replaced")->metadata == Metadata{{"shape", "round"}});
    CHECK(read_all(b, "dir/dst replaced") == "copy me");

    ObjectInfo cleared = b.copy("src", "dst-cleared", MetadataDirective::replace, {});
    CHECK(cleared.metadata.empty());

    try {
        b.copy("no-such-source", "dst");
        FAIL("copied a missing blob");
    } catch (const StorageError& e) {
        CHECK(e.http_status() == 404);
        CHECK(e.code() == ExitCode::missing_input);
    }
}

TEST_CASE("azure: delete several keys, one of them missing") {
    TestContainer c;
    Backend& b = c.backend();
    b.put("x", bytes("x"), {});
    b.put("y y", bytes("y"), {});
    auto results = b.delete_objects({"x", "missing", "y y"});
    REQUIRE(results.size() == 3);
    CHECK(results[0].key == "x");
    CHECK(results[0].ok);
    CHECK(results[1].key == "missing");
    CHECK_FALSE(results[1].ok);
    CHECK(results[1].code == "BlobNotFound");
    CHECK(results[2].ok);
    CHECK_FALSE(b.head("x"));
    CHECK_FALSE(b.head("y y"));
}

TEST_CASE("azure: a wrong key is refused with 403 and exit class 77, without the key") {
    TestContainer c;
    AzureSettings wrong = key_settings();
    wrong.account_key = std::string(86, 'A') + "==";
    auto b = make_azure_backend(wrong, c.name(), pool());
    for (int op = 0; op < 4; ++op) {
        try {
            if (op == 3) b->delete_objects({"k"});  // the whole batch fails, not each key
            if (op == 0) b->put("k", bytes("v"), {});
            if (op == 1) b->list("", "", "", 10);
            if (op == 2) (void)b->head("k");  // HEAD: the code comes from x-ms-error-code
            FAIL("a wrong key was accepted");
        } catch (const StorageError& e) {
            INFO(e.message() << " | " << e.detail());
            CHECK(e.http_status() == 403);
            CHECK(e.code() == ExitCode::permission);
            CHECK(e.service_code() == "AuthenticationFailed");
            CHECK(e.message().find("credentials") != std::string::npos);
            CHECK(std::string(e.what()).find(wrong.account_key) == std::string::npos);
            CHECK(e.detail().find(wrong.account_key) == std::string::npos);
            CHECK_FALSE(e.message().empty());
        }
    }
}

TEST_CASE("azure: an unknown container is 'not found', never a missing object") {
    std::string container = "ri-no-such-container-" + std::to_string(::getpid());
    auto b = make_azure_backend(key_settings(), container, pool());
    for (int op = 0; op < 4; ++op) {
        try {
            if (op == 0) b->list("", "", "", 10);
            if (op == 1) (void)b->head("k");
            if (op == 2) b->put("k", bytes("v"), {});
            if (op == 3) b->delete_objects({"k"});
            FAIL("an unknown container was accepted");
        } catch (const StorageError& e) {
            INFO(e.message() << " | " << e.detail());
            CHECK(e.http_status() == 404);
            CHECK(e.service_code() == "ContainerNotFound");
            CHECK(e.code() == ExitCode::missing_input);
            CHECK(e.message().find("not found") != std::string::npos);
            CHECK(e.message().find(container + ".") != std::string::npos);  // not ".../k"
        }
    }
}

TEST_CASE("azure: SAS tokens for a container and a blob, and a read-only one used to write") {
    TestContainer c;
    c.backend().put("shared.txt", bytes("shared"), {{"color", "blue"}});

    std::string sas = make_sas(c.name(), "", "racwdl");
    auto b = make_azure_backend(sas_settings(sas), c.name(), pool());
    b->put("by-sas.txt", bytes("written with a SAS"), {{"k", "v"}});
    CHECK(read_all(*b, "by-sas.txt") == "written with a SAS");
    CHECK(b->head("shared.txt")->metadata == Metadata{{"color", "blue"}});
    std::string token = b->create_multipart("sas-blocks", {});
    b->upload_part("sas-blocks", token, 1, bytes("ab"));
    auto parts = b->list_parts("sas-blocks", token);
    REQUIRE(parts.size() == 1);
    b->complete_multipart("sas-blocks", token, parts, {});
    CHECK(read_all(*b, "sas-blocks") == "ab");
    CHECK(b->list("", "", "", 100).objects.size() == 3);
    CHECK(b->copy("shared.txt", "copied-by-sas.txt").metadata == Metadata{{"color", "blue"}});
    CHECK(b->delete_objects({"by-sas.txt"})[0].ok);

    // A SAS for one blob reads that blob.
    auto blob_only = make_azure_backend(sas_settings("?" + make_sas(c.name(), "shared.txt", "r")),
                                        c.name(), pool());
    CHECK(read_all(*blob_only, "shared.txt") == "shared");

    std::string read_only = make_sas(c.name(), "", "rl");
    auto ro = make_azure_backend(sas_settings(read_only), c.name(), pool());
    CHECK(read_all(*ro, "shared.txt") == "shared");
    std::string sig = read_only.substr(read_only.find("sig=") + 4);
    try {
        ro->put("nope.txt", bytes("x"), {});
        FAIL("a read-only SAS could write");
    } catch (const StorageError& e) {
        INFO(e.message() << " | " << e.detail());
        CHECK(e.http_status() == 403);
        CHECK(e.service_code() == "AuthorizationPermissionMismatch");
        CHECK(e.code() == ExitCode::permission);
        CHECK(std::string(e.what()).find(sig) == std::string::npos);
        CHECK(e.detail().find(sig) == std::string::npos);
    }
    auto deleted = ro->delete_objects({"shared.txt"});
    CHECK_FALSE(deleted[0].ok);
    CHECK(deleted[0].code == "AuthorizationPermissionMismatch");
}

TEST_CASE("azure: what ri uploads, the Azure SDK for Python reads identically, and back") {
    TestContainer c;
    Backend& b = c.backend();
    std::string data = random_text(3 * 65536 + 123);
    std::string token = b.create_multipart("interop/blocks.bin", {});
    for (int part = 1; part <= 4; ++part) {
        size_t offset = static_cast<size_t>(part - 1) * 65536;
        b.upload_part("interop/blocks.bin", token, part,
                      bytes(data.substr(offset, std::min<size_t>(65536, data.size() - offset))));
    }
    b.complete_multipart("interop/blocks.bin", token, b.list_parts("interop/blocks.bin", token),
                         {{"color", "blue"}});
    b.put("interop/single.bin", bytes(data.substr(0, 1000)), {{"shape", "round"}});

    const char* script = R"(
import hashlib, os, sys
from azure.storage.blob import BlobServiceClient
svc = BlobServiceClient.from_connection_string(os.environ["RI_AZ_CONNECTION_STRING"])
cont = svc.get_container_client(sys.argv[1])
for name in ("interop/blocks.bin", "interop/single.bin"):
    blob = cont.get_blob_client(name)
    body = blob.download_blob().readall()
    meta = blob.get_blob_properties().metadata
    print(name, len(body), hashlib.sha256(body).hexdigest(), sorted(meta.items()))
cont.get_blob_client("interop/from-python.bin").upload_blob(b"written by python" * 1000, metadata={"peer": "python"})
# An interrupted upload by the SDK: an uncommitted block with the SDK's own id length.
cont.get_blob_client("interop/sdk-leftover.bin").stage_block("QUFBQQ==", b"left over")
)";
    std::string out = python(script, c.name());
    auto sha256 = [](const std::string& text) {
        unsigned char digest[EVP_MAX_MD_SIZE];
        unsigned int size = 0;
        EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr);
        return crypto::to_hex(std::as_bytes(std::span(digest, size)));
    };
    CHECK(out.find("interop/blocks.bin " + std::to_string(data.size()) + " " + sha256(data) +
                   " [('color', 'blue')]") != std::string::npos);
    CHECK(out.find("interop/single.bin 1000 " + sha256(data.substr(0, 1000)) +
                   " [('shape', 'round')]") != std::string::npos);

    std::string expected;
    for (int i = 0; i < 1000; ++i)
        expected += "written by python";
    CHECK(read_all(b, "interop/from-python.bin") == expected);
    CHECK(b.head("interop/from-python.bin")->metadata == Metadata{{"peer", "python"}});

    // Azure (and Azurite) refuse block ids of another length next to the SDK's leftovers: the
    // message says what to do, and deleting the key clears the way.
    std::string leftover = "interop/sdk-leftover.bin";
    std::string upload = b.create_multipart(leftover, {});
    try {
        b.upload_part(leftover, upload, 1, bytes("mine"));
        FAIL("mixed block id lengths were accepted");
    } catch (const StorageError& e) {
        CHECK(e.service_code() == "InvalidBlobOrBlock");
        CHECK(e.message().find("another program") != std::string::npos);
    }
    CHECK(b.list_parts(leftover, upload).empty());  // the SDK's block is not one of ri's parts
    b.delete_objects({leftover});
    b.upload_part(leftover, upload, 1, bytes("mine"));
    b.complete_multipart(leftover, upload, b.list_parts(leftover, upload), {});
    CHECK(read_all(b, leftover) == "mine");
}
