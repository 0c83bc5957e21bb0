// The S3 backend against a real Ceph radosgw (scripts/services/radosgw; ctest fixture `radosgw`),
// which really checks SigV4 signatures. Settings come from radosgw.env: RI_S3_ENDPOINT,
// RI_S3_REGION, RI_S3_ACCESS_KEY, RI_S3_SECRET_KEY, RI_S3_ACCESS_KEY_2, RI_S3_SECRET_KEY_2. A
// missing variable fails every test here; nothing is skipped. Each test works in its own bucket
// (random name), emptied and deleted at the end.
#include "storage/s3_backend.hpp"

#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include "http/http_client.hpp"
#include "service_env.hpp"
#include "storage/s3_endpoint.hpp"
#include "storage/sigv4_signer.hpp"
#include "storage/storage_error.hpp"

using namespace ri;
using namespace ri::storage;
namespace fs = std::filesystem;

namespace {

std::string env(const char* name) {
    return test::service_env(name, "radosgw");
}

S3Settings settings(bool second_user = false) {
    S3Settings s;
    s.endpoint = env("RI_S3_ENDPOINT");
    s.region = env("RI_S3_REGION");
    s.path_style = true;
    s.access_key = env(second_user ? "RI_S3_ACCESS_KEY_2" : "RI_S3_ACCESS_KEY");
    s.secret_key = env(second_user ? "RI_S3_SECRET_KEY_2" : "RI_S3_SECRET_KEY");
    return s;
}

std::shared_ptr<http::HttpClientPool> pool() {
    http::ClientOptions options;
    options.retry.max_attempts = 3;
    options.retry.base_delay = std::chrono::milliseconds(50);
    static auto shared = std::make_shared<http::HttpClientPool>(options);
    return shared;
}

std::mt19937_64& rng() {
    static std::mt19937_64 r{std::random_device{}()};
    return r;
}

std::string random_bytes(size_t n) {
    std::string out(n, '\0');
    for (auto& c : out)
        c = static_cast<char>(rng()() & 0xff);
    return out;
}

std::span<const std::byte> bytes(const std::string& text) {
    return std::as_bytes(std::span(text.data(), text.size()));
}

std::string unique_name(const std::string& what) {
    static int counter = 0;
    char suffix[32];
    std::snprintf(suffix, sizeof suffix, "%08llx-%d",
                  static_cast<unsigned long long>(rng()() & 0xffffffff), ++counter);
    return "ri-" + what + "-" + suffix;
}

std::string read_all(Backend& backend, const std::string& key,
                     std::optional<ByteRange> range = std::nullopt) {
    std::string out;
    backend.get(key, range, [&](std::span<const std::byte> data) {
        out.append(reinterpret_cast<const char*>(data.data()), data.size());
    });
    return out;
}

// A request signed by hand, for what the Backend interface does not offer (suffix ranges,
// bucket policies).
http::Response signed_request(const S3Settings& s, std::string method, std::string url,
                              http::Headers headers = {}, const std::string& body = {}) {
    SigV4Signer signer({s.access_key, s.secret_key, s.session_token}, {s.region, "s3", false});
    http::Request request;
    request.method = std::move(method);
    request.url = std::move(url);
    request.headers = std::move(headers);
    request.body = bytes(body);
    const std::string hash = sha256_hex(body);
    request.before_attempt = [&](http::Request& r) { signer.sign(r, hash); };
    auto lease = pool()->acquire();
    return lease->send(std::move(request));
}

// A bucket of this test, emptied (policy, uploads, objects) and deleted at the end.
struct TestBucket {
    S3Settings s = settings();
    std::string name = unique_name("s3");
    std::unique_ptr<Backend> backend;

    explicit TestBucket(S3Options options = {}) {
        REQUIRE(create_s3_bucket(s, name, *pool()));
        backend = make_s3_backend(s, name, pool(), options);
    }
    ~TestBucket() {
        try {
            signed_request(s, "DELETE", S3Endpoint(s, name).bucket_url() + "?policy");
            for (const auto& upload : backend->list_multipart_uploads("")) {
                backend->abort_multipart(upload.key, upload.upload_id);
            }
            std::string token;
            do {
                auto page = backend->list("", "", token);
                std::vector<std::string> keys;
                for (const auto& o : page.objects)
                    keys.push_back(o.key);
                if (!keys.empty()) backend->delete_objects(keys);
                token = page.next_token;
            } while (!token.empty());
            delete_s3_bucket(s, name, *pool());
        } catch (const std::exception& e) {
            WARN("cleanup of bucket " << name << " failed: " << e.what());
        }
    }
};

int run(const std::string& command) {
    int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "ri-s3-test-XXXXXX").string();
        path = ::mkdtemp(tmpl.data());
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

}  // namespace

TEST_CASE("S3: put, head and get round trip with metadata, and a 0-byte object", "[s3]") {
    TestBucket b;
    const std::string data = random_bytes(100 * 1024 + 7);
    auto put = b.backend->put("dir/hello.bin", bytes(data),
                              {{"color", "blue"}, {"iv", "AAECAwQFBgcICQoLDA0ODw=="}});
    CHECK(put.size == data.size());
    CHECK(put.etag.size() == 32);
    CHECK(put.etag.find('"') == std::string::npos);

    auto info = b.backend->head("dir/hello.bin");
    REQUIRE(info);
    CHECK(info->key == "dir/hello.bin");
    CHECK(info->size == data.size());
    CHECK(info->etag == put.etag);
    CHECK(std::regex_match(info->last_modified, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
    CHECK(info->metadata == Metadata{{"color", "blue"}, {"iv", "AAECAwQFBgcICQoLDA0ODw=="}});
    CHECK(read_all(*b.backend, "dir/hello.bin") == data);

    auto empty = b.backend->put("empty", {}, {});
    CHECK(empty.etag == "d41d8cd98f00b204e9800998ecf8427e");
    auto empty_info = b.backend->head("empty");
    REQUIRE(empty_info);
    CHECK(empty_info->size == 0);
    CHECK(read_all(*b.backend, "empty").empty());

    CHECK_FALSE(b.backend->head("no/such/key"));
    try {
        read_all(*b.backend, "no/such/key");
        FAIL("get of a missing key did not throw");
    } catch (const StorageError& e) {
        CHECK(e.service_code() == "NoSuchKey");
        CHECK(e.code() == ExitCode::missing_input);
        CHECK(e.http_status() == 404);
    }
}

TEST_CASE("S3: a body over 1 MiB goes UNSIGNED-PAYLOAD on loopback and is stored intact", "[s3]") {
    TestBucket b;
    const std::string data = random_bytes(3 * 1024 * 1024 + 5);
    b.backend->put("big", bytes(data), {});
    CHECK(read_all(*b.backend, "big") == data);
    CHECK(S3Endpoint(b.s, b.name).transport_protected());
}

TEST_CASE("S3: ranged gets, a range past the end, and a suffix range", "[s3]") {
    TestBucket b;
    const std::string data = random_bytes(1000);
    b.backend->put("ranged", bytes(data), {});
    CHECK(read_all(*b.backend, "ranged", ByteRange{10, 100}) == data.substr(10, 100));
    CHECK(read_all(*b.backend, "ranged", ByteRange{0, 1}) == data.substr(0, 1));
    CHECK(read_all(*b.backend, "ranged", ByteRange{990, 10}) == data.substr(990));
    // S3 answers a range that runs past the end with what there is.
    CHECK(read_all(*b.backend, "ranged", ByteRange{995, 100}) == data.substr(995));
    CHECK(read_all(*b.backend, "ranged", ByteRange{500, 0}).empty());
    try {
        read_all(*b.backend, "ranged", ByteRange{5000, 10});
        FAIL("a range past the end did not throw");
    } catch (const StorageError& e) {
        CHECK(e.http_status() == 416);
        CHECK(e.service_code() == "InvalidRange");
    }
    // Suffix ranges ("the last N bytes") are not in the Backend interface; radosgw serves them.
    auto r = signed_request(b.s, "GET", S3Endpoint(b.s, b.name).object_url("ranged"),
                            {{"range", "bytes=-10"}});
    CHECK(r.status == 206);
    CHECK(r.body == data.substr(990));
    CHECK(r.header("content-range").value_or("") == "bytes 990-999/1000");
}

TEST_CASE("S3: multipart upload of 3 parts, ListParts paged one part per page, complete", "[s3]") {
    TestBucket b(S3Options{.list_parts_page = 1, .list_uploads_page = 1000});
    const std::string key = "multi/part file+1.bin";
    const std::vector<std::string> parts = {random_bytes(5 << 20), random_bytes(5 << 20),
                                            random_bytes(1234)};
    const std::string upload_id =
        b.backend->create_multipart(key, {{"iv", "abc"}, {"origin", "ri"}});
    CHECK_FALSE(upload_id.empty());

    std::vector<PartInfo> sent;
    for (int i = 0; i < 3; ++i) {
        std::string etag = b.backend->upload_part(key, upload_id, i + 1, bytes(parts[i]));
        CHECK(etag.size() == 32);
        sent.push_back({i + 1, parts[i].size(), etag});
    }
    auto listed = b.backend->list_parts(key, upload_id);
    REQUIRE(listed.size() == 3);
    for (int i = 0; i < 3; ++i) {
        CHECK(listed[i].number == sent[i].number);
        CHECK(listed[i].size == sent[i].size);
        CHECK(listed[i].etag == sent[i].etag);
    }

    auto done = b.backend->complete_multipart(key, upload_id, listed, {});
    CHECK(done.etag.ends_with("-3"));
    CHECK(done.size == parts[0].size() + parts[1].size() + parts[2].size());
    auto info = b.backend->head(key);
    REQUIRE(info);
    CHECK(info->size == done.size);
    CHECK(info->etag == done.etag);
    CHECK(info->metadata == Metadata{{"iv", "abc"}, {"origin", "ri"}});
    CHECK(read_all(*b.backend, key) == parts[0] + parts[1] + parts[2]);
    // A ranged read across the part boundary.
    CHECK(read_all(*b.backend, key, ByteRange{(5 << 20) - 3, 6}) ==
          (parts[0] + parts[1]).substr((5 << 20) - 3, 6));
}

TEST_CASE("S3: ListMultipartUploads paged, abort, and NoSuchUpload afterwards", "[s3]") {
    TestBucket b(S3Options{.list_parts_page = 1000, .list_uploads_page = 1});
    const std::string a1 = b.backend->create_multipart("up/a", {});
    const std::string a2 = b.backend->create_multipart("up/a", {});
    const std::string c1 = b.backend->create_multipart("up/c d", {});
    const std::string other = b.backend->create_multipart("elsewhere", {});
    b.backend->upload_part("up/a", a1, 1, bytes(std::string("x")));

    auto uploads = b.backend->list_multipart_uploads("up/");
    std::set<std::pair<std::string, std::string>> found;
    for (const auto& u : uploads) {
        found.insert({u.key, u.upload_id});
        CHECK(std::regex_match(u.initiated, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ)")));
    }
    CHECK(found == std::set<std::pair<std::string, std::string>>{
                       {"up/a", a1}, {"up/a", a2}, {"up/c d", c1}});
    CHECK(b.backend->list_multipart_uploads("").size() == 4);

    b.backend->abort_multipart("up/a", a1);
    for (auto attempt : {1, 2, 3}) {
        INFO("after abort, call " << attempt);
        try {
            if (attempt == 1) b.backend->list_parts("up/a", a1);
            if (attempt == 2) b.backend->upload_part("up/a", a1, 2, bytes(std::string("y")));
            if (attempt == 3) b.backend->complete_multipart("up/a", a1, {{1, 1, "x"}}, {});
            FAIL("no NoSuchUpload");
        } catch (const StorageError& e) {
            CHECK(e.service_code() == "NoSuchUpload");
            CHECK(e.http_status() == 404);
        }
    }
    CHECK_NOTHROW(b.backend->abort_multipart("up/a", a1));  // already gone is fine
    auto left = b.backend->list_multipart_uploads("up/");
    CHECK(left.size() == 2);
    CHECK_FALSE(other.empty());
}

TEST_CASE(
    "S3: copy keeps metadata (COPY) or replaces it (REPLACE), keys with +, spaces and unicode",
    "[s3]") {
    TestBucket b;
    const std::string src = "src dir/a+b c \xC3\xBC\xE2\x82\xAC.bin";
    const std::string data = random_bytes(4096);
    b.backend->put(src, bytes(data), {{"m", "1"}, {"iv", "q"}});

    auto copied = b.backend->copy(src, "dst/copy+1 \xC3\xA9.bin");
    CHECK(copied.key == "dst/copy+1 \xC3\xA9.bin");
    CHECK(copied.size == data.size());
    CHECK(copied.metadata == Metadata{{"iv", "q"}, {"m", "1"}});
    CHECK(read_all(*b.backend, "dst/copy+1 \xC3\xA9.bin") == data);

    auto replaced = b.backend->copy(src, "dst/replaced", MetadataDirective::replace, {{"n", "2"}});
    CHECK(replaced.metadata == Metadata{{"n", "2"}});
    CHECK(read_all(*b.backend, "dst/replaced") == data);
    // The source keeps its own metadata.
    CHECK(b.backend->head(src)->metadata == Metadata{{"iv", "q"}, {"m", "1"}});

    // Listing returns the keys decoded, exactly as written.
    std::set<std::string> keys;
    for (const auto& o : b.backend->list("", "", "").objects)
        keys.insert(o.key);
    CHECK(keys == std::set<std::string>{src, "dst/copy+1 \xC3\xA9.bin", "dst/replaced"});

    try {
        b.backend->copy("no such source", "dst/x");
        FAIL("copy of a missing source did not throw");
    } catch (const StorageError& e) {
        CHECK(e.service_code() == "NoSuchKey");
        CHECK(std::string(e.what()).find("no such source") != std::string::npos);
    }
}

TEST_CASE("S3: delete_objects of 1,500 keys in two batches, one refused with AccessDenied",
          "[s3]") {
    TestBucket b;
    std::vector<std::string> keys;
    for (int i = 0; i < 1500; ++i) {
        char name[32];
        std::snprintf(name, sizeof name, "del/%04d", i);
        keys.push_back(name);
    }
    const std::string protected_key = "keep/protected";
    for (const auto& key : keys)
        b.backend->put(key, bytes(key), {});
    b.backend->put(protected_key, bytes(std::string("keep")), {});
    keys.insert(keys.begin() + 1200, protected_key);  // in the second batch

    // A bucket policy that denies deleting keep/*, to everyone including the owner.
    const std::string policy =
        R"({"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"AWS":["*"]},)"
        R"("Action":["s3:DeleteObject"],"Resource":["arn:aws:s3:::)" +
        b.name + R"(/keep/*"]}]})";
    auto r = signed_request(b.s, "PUT", S3Endpoint(b.s, b.name).bucket_url() + "?policy",
                            {{"content-type", "application/json"}}, policy);
    REQUIRE(r.ok());

    auto results = b.backend->delete_objects(keys);
    REQUIRE(results.size() == keys.size());
    int failed = 0;
    for (size_t i = 0; i < keys.size(); ++i) {
        CHECK(results[i].key == keys[i]);
        if (!results[i].ok) {
            ++failed;
            CHECK(results[i].key == protected_key);
            CHECK(results[i].code == "AccessDenied");
        }
    }
    CHECK(failed == 1);
    auto page = b.backend->list("", "", "");
    REQUIRE(page.objects.size() == 1);
    CHECK(page.objects[0].key == protected_key);
    CHECK(b.backend->delete_objects({}).empty());
}

TEST_CASE("S3: ListObjectsV2 paging with max_keys=2, with and without a delimiter", "[s3]") {
    TestBucket b;
    for (const std::string key : {"a.txt", "b.txt", "c.txt", "d/1", "d/2", "e f/1", "g+h.txt"}) {
        b.backend->put(key, bytes(key), {});
    }
    std::vector<std::string> objects, prefixes;
    std::string token;
    int pages = 0;
    do {
        auto page = b.backend->list("", "/", token, 2);
        ++pages;
        CHECK(page.objects.size() + page.common_prefixes.size() <= 2);
        for (const auto& o : page.objects)
            objects.push_back(o.key);
        for (const auto& p : page.common_prefixes)
            prefixes.push_back(p);
        token = page.next_token;
        REQUIRE(pages < 10);
    } while (!token.empty());
    CHECK(pages == 3);
    CHECK(objects == std::vector<std::string>{"a.txt", "b.txt", "c.txt", "g+h.txt"});
    CHECK(prefixes == std::vector<std::string>{"d/", "e f/"});

    auto sub = b.backend->list("d/", "/", "", 1000);
    CHECK(sub.objects.size() == 2);
    CHECK(sub.next_token.empty());
    auto all = b.backend->list("", "", "", 1000);
    CHECK(all.objects.size() == 7);
    CHECK(all.objects[0].size == 5);
}

TEST_CASE("S3: a wrong secret is SignatureDoesNotMatch, exit 77, and says so in plain words",
          "[s3]") {
    TestBucket b;
    S3Settings wrong = b.s;
    wrong.secret_key = "wrong" + wrong.secret_key.substr(5);
    auto backend = make_s3_backend(wrong, b.name, pool());
    try {
        backend->list("", "", "");
        FAIL("a wrong secret was accepted");
    } catch (const StorageError& e) {
        CHECK(e.service_code() == "SignatureDoesNotMatch");
        CHECK(e.code() == ExitCode::permission);
        CHECK(e.http_status() == 403);
        CHECK(std::string(e.what()).find("credentials") != std::string::npos);
        // Neither secret appears in what the user or the log would see.
        CHECK(std::string(e.what()).find(wrong.secret_key) == std::string::npos);
        CHECK(e.detail().find(wrong.secret_key) == std::string::npos);
        CHECK(e.detail().find(b.s.secret_key) == std::string::npos);
    }
    S3Settings unknown = b.s;
    unknown.access_key = "AKIDUNKNOWNUNKNOWN00";
    try {
        make_s3_backend(unknown, b.name, pool())->put("k", bytes(std::string("v")), {});
        FAIL("an unknown access key was accepted");
    } catch (const StorageError& e) {
        CHECK(e.service_code() == "InvalidAccessKeyId");
        CHECK(e.code() == ExitCode::permission);
    }
    // A wrong secret on HEAD (no body to read a code from) is still a permission failure.
    try {
        backend->head("k");
        FAIL("HEAD with a wrong secret was accepted");
    } catch (const StorageError& e) {
        CHECK(e.code() == ExitCode::permission);
        CHECK(e.http_status() == 403);
    }
}

TEST_CASE("S3: another user's bucket is Permission denied, exit 77", "[s3]") {
    TestBucket b;
    b.backend->put("private", bytes(std::string("mine")), {});
    auto intruder = make_s3_backend(settings(true), b.name, pool());
    try {
        read_all(*intruder, "private");
        FAIL("the second user read the first user's object");
    } catch (const StorageError& e) {
        CHECK(e.service_code() == "AccessDenied");
        CHECK(e.code() == ExitCode::permission);
        CHECK(std::string(e.what()).starts_with("Permission denied"));
    }
}

TEST_CASE("S3: an unknown bucket is \"Bucket not found\", exit 66", "[s3]") {
    const std::string name = unique_name("missing");
    auto backend = make_s3_backend(settings(), name, pool());
    for (int op = 0; op < 3; ++op) {
        INFO("operation " << op);
        try {
            if (op == 0) backend->list("", "", "");
            if (op == 1) backend->put("k", bytes(std::string("v")), {});
            if (op == 2) backend->create_multipart("k", {});
            FAIL("no error for a missing bucket");
        } catch (const StorageError& e) {
            CHECK(e.service_code() == "NoSuchBucket");
            CHECK(e.code() == ExitCode::missing_input);
            CHECK(std::string(e.what()).starts_with("Bucket not found"));
            CHECK(std::string(e.what()).find(name) != std::string::npos);
        }
    }
    CHECK_FALSE(delete_s3_bucket(settings(), name, *pool()));
}

TEST_CASE("S3: virtual-host addressing (bucket.localhost) works", "[s3]") {
    TestBucket b;
    S3Settings vhost = b.s;
    const std::string endpoint = b.s.endpoint;
    vhost.endpoint = "http://localhost:" + endpoint.substr(endpoint.rfind(':') + 1);
    vhost.path_style = false;
    S3Endpoint ep(vhost, b.name);
    REQUIRE(ep.virtual_host());
    CHECK(ep.object_url("k").starts_with("http://" + b.name + ".localhost:"));

    auto backend = make_s3_backend(vhost, b.name, pool());
    const std::string data = random_bytes(2000);
    backend->put("v/host key+1", bytes(data), {{"style", "vhost"}});
    CHECK(read_all(*backend, "v/host key+1") == data);
    // The path-style backend sees the same object: it is in this bucket, not in one named "v".
    CHECK(b.backend->head("v/host key+1")->metadata == Metadata{{"style", "vhost"}});
    CHECK(backend->list("v/", "", "").objects.size() == 1);

    // An IP-address endpoint cannot carry the bucket in the host: path style it is.
    S3Settings ip = b.s;
    ip.path_style = false;
    CHECK_FALSE(S3Endpoint(ip, b.name).virtual_host());
}

TEST_CASE("S3: a presigned GET works with plain curl; a tampered one gets 403", "[s3]") {
    TestBucket b;
    TempDir tmp;
    const std::string data = random_bytes(3000);
    const std::string key = "pre signed/\xC3\xBC+1.bin";
    b.backend->put(key, bytes(data), {});
    const std::string url = s3_presign_get(b.s, b.name, key, std::chrono::seconds(300));
    CHECK(url.find("X-Amz-Signature=") != std::string::npos);
    CHECK(url.find(b.s.secret_key) == std::string::npos);

    auto curl = [&](const std::string& u, const fs::path& out) {
        return run("curl -sS --noproxy '*' -o '" + out.string() + "' -w '%{http_code}' '" + u +
                   "' > '" + (tmp.path / "code").string() + "'");
    };
    REQUIRE(curl(url, tmp.path / "ok") == 0);
    CHECK(slurp(tmp.path / "code") == "200");
    CHECK(slurp(tmp.path / "ok") == data);

    std::string tampered = url;
    char& last = tampered.back();
    last = last == '0' ? '1' : '0';
    REQUIRE(curl(tampered, tmp.path / "bad") == 0);
    CHECK(slurp(tmp.path / "code") == "403");
    CHECK(slurp(tmp.path / "bad").find("SignatureDoesNotMatch") != std::string::npos);

    std::string other_key = url;
    other_key.replace(other_key.find("1.bin"), 5, "2.bin");
    REQUIRE(curl(other_key, tmp.path / "bad2") == 0);
    CHECK(slurp(tmp.path / "code") == "403");
}

TEST_CASE("S3: what ri uploads, aws s3 cp and rclone read back byte for byte (and the other way)",
          "[s3][interop]") {
    TestBucket b;
    TempDir tmp;
    const fs::path config = tmp.path / "aws-config", credentials = tmp.path / "aws-credentials";
    std::ofstream(config) << "[default]\nregion = " << b.s.region << "\n";
    std::ofstream(credentials) << "[default]\naws_access_key_id = " << b.s.access_key
                               << "\naws_secret_access_key = " << b.s.secret_key << "\n";
    fs::permissions(credentials, fs::perms::owner_read | fs::perms::owner_write);
    const std::string aws =
        "env -u AWS_PROFILE -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_SESSION_TOKEN "
        "AWS_CONFIG_FILE='" +
        config.string() + "' AWS_SHARED_CREDENTIALS_FILE='" + credentials.string() +
        "' /usr/bin/aws --endpoint-url " + b.s.endpoint + " ";

    // A single PUT and a 2-part multipart object, both with metadata.
    const std::string small = random_bytes(70000);
    b.backend->put("interop/small file+1.bin", bytes(small), {{"color", "blue"}});
    const std::string p1 = random_bytes(5 << 20), p2 = random_bytes(777);
    const std::string id = b.backend->create_multipart("interop/multi.bin", {{"iv", "xyz"}});
    std::vector<PartInfo> parts{
        {1, p1.size(), b.backend->upload_part("interop/multi.bin", id, 1, bytes(p1))},
        {2, p2.size(), b.backend->upload_part("interop/multi.bin", id, 2, bytes(p2))}};
    b.backend->complete_multipart("interop/multi.bin", id, parts, {});

    const std::string quiet = " > '" + (tmp.path / "aws.out").string() + "' 2>&1";
    REQUIRE(run(aws + "s3 cp 's3://" + b.name + "/interop/small file+1.bin' '" +
                (tmp.path / "small").string() + "'" + quiet) == 0);
    CHECK(slurp(tmp.path / "small") == small);
    REQUIRE(run(aws + "s3 cp 's3://" + b.name + "/interop/multi.bin' '" +
                (tmp.path / "multi").string() + "'" + quiet) == 0);
    CHECK(slurp(tmp.path / "multi") == p1 + p2);
    REQUIRE(run(aws + "s3api head-object --bucket " + b.name + " --key interop/multi.bin" +
                quiet) == 0);
    CHECK(slurp(tmp.path / "aws.out").find("\"iv\": \"xyz\"") != std::string::npos);

    // rclone (provider Other, path style) reads them too. AWS_CA_BUNDLE from the environment
    // breaks rclone even for http endpoints.
    const fs::path rclone_conf = tmp.path / "rclone.conf";
    std::ofstream(rclone_conf) << "[rgw]\ntype = s3\nprovider = Other\naccess_key_id = "
                               << b.s.access_key << "\nsecret_access_key = " << b.s.secret_key
                               << "\nendpoint = " << b.s.endpoint << "\nregion = " << b.s.region
                               << "\nforce_path_style = true\n";
    REQUIRE(run("env -u AWS_CA_BUNDLE RCLONE_CONFIG='" + rclone_conf.string() +
                "' /usr/bin/rclone cat 'rgw:" + b.name + "/interop/multi.bin' > '" +
                (tmp.path / "multi.rclone").string() + "' 2> '" +
                (tmp.path / "rclone.err").string() + "'") == 0);
    CHECK(slurp(tmp.path / "multi.rclone") == p1 + p2);

    // aws uploads (multipart with its own part size at 8 MiB+), ri reads.
    const std::string theirs = random_bytes(9 << 20);
    std::ofstream(tmp.path / "theirs", std::ios::binary) << theirs;
    REQUIRE(run(aws + "s3 cp --metadata origin=aws '" + (tmp.path / "theirs").string() +
                "' 's3://" + b.name + "/interop/from aws.bin'" + quiet) == 0);
    auto info = b.backend->head("interop/from aws.bin");
    REQUIRE(info);
    CHECK(info->size == theirs.size());
    CHECK(info->metadata == Metadata{{"origin", "aws"}});
    CHECK(read_all(*b.backend, "interop/from aws.bin") == theirs);
}
