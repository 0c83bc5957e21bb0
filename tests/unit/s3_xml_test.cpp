// The S3 XML bodies of the API reference's examples (tests/fixtures/s3), read by s3_xml.
#include "storage/s3_xml.hpp"

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <pugixml.hpp>
#include <sstream>

#include "storage/storage_error.hpp"

namespace fs = std::filesystem;
namespace s3xml = ri::storage::s3xml;

namespace {

std::string fixture(const std::string& name) {
    fs::path dir = std::getenv("RI_SOURCE_DIR")
                       ? fs::path(std::getenv("RI_SOURCE_DIR")) / "tests/fixtures/s3"
                       : fs::path(__FILE__).parent_path().parent_path() / "fixtures/s3";
    std::ifstream in(dir / name, std::ios::binary);
    REQUIRE(in.good());
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace

TEST_CASE("ListObjectsV2: keys, sizes, unquoted ETags, times to the second", "[s3xml]") {
    auto listing = s3xml::parse_list_objects_v2(fixture("list_objects_v2.xml"));
    CHECK_FALSE(listing.truncated);
    CHECK(listing.page.next_token.empty());
    REQUIRE(listing.page.objects.size() == 1);
    const auto& o = listing.page.objects[0];
    CHECK(o.key == "my-image.jpg");
    CHECK(o.size == 434234);
    CHECK(o.etag == "fba9dede5f27731c9771645a39863328");
    CHECK(o.last_modified == "2009-10-12T17:50:30Z");
    CHECK(o.metadata.empty());
    CHECK(listing.page.common_prefixes.empty());
}

TEST_CASE("ListObjectsV2 with a delimiter: common prefixes", "[s3xml]") {
    auto listing = s3xml::parse_list_objects_v2(fixture("list_objects_v2_delimiter.xml"));
    REQUIRE(listing.page.objects.size() == 1);
    CHECK(listing.page.objects[0].key == "photos/2006/");
    CHECK(listing.page.objects[0].size == 0);
    CHECK(listing.page.common_prefixes ==
          std::vector<std::string>{"photos/2006/February/", "photos/2006/January/"});
}

TEST_CASE("ListObjectsV2 truncated: the continuation token is the next token", "[s3xml]") {
    auto listing = s3xml::parse_list_objects_v2(fixture("list_objects_v2_continuation.xml"));
    CHECK(listing.truncated);
    CHECK(listing.page.next_token == "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
    REQUIRE(listing.page.objects.size() == 1);
    CHECK(listing.page.objects[0].etag == "70ee1738b6b21e2c8a43f3a5ab0eee71");
}

TEST_CASE("ListObjectsV2 with EncodingType=url decodes keys and prefixes", "[s3xml]") {
    const std::string body = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Name>b</Name><Prefix>dir%2F</Prefix><Delimiter>%2F</Delimiter><EncodingType>url</EncodingType>
  <IsTruncated>false</IsTruncated>
  <Contents><Key>dir/a+b%2Bc%C3%BC.txt</Key><Size>1</Size><ETag>&quot;x&quot;</ETag>
    <LastModified>2020-01-02T03:04:05.123Z</LastModified></Contents>
  <CommonPrefixes><Prefix>dir/sub%20dir/</Prefix></CommonPrefixes>
</ListBucketResult>)";
    auto listing = s3xml::parse_list_objects_v2(body);
    REQUIRE(listing.page.objects.size() == 1);
    CHECK(listing.page.objects[0].key == "dir/a b+c\xC3\xBC.txt");
    CHECK(listing.page.objects[0].etag == "x");
    CHECK(listing.page.common_prefixes == std::vector<std::string>{"dir/sub dir/"});
}

TEST_CASE("ListObjectsV2 captured from radosgw with encoding-type=url", "[s3xml]") {
    auto listing = s3xml::parse_list_objects_v2(fixture("radosgw_list_objects_v2_url.xml"));
    std::vector<std::string> keys;
    for (const auto& o : listing.page.objects)
        keys.push_back(o.key);
    CHECK(keys == std::vector<std::string>{"a b+c \xC3\xBC\xE2\x82\xAC.txt", "plain.txt"});
    CHECK(listing.page.common_prefixes == std::vector<std::string>{"sub dir+/"});
}

TEST_CASE("ListParts: parts, truncation and the next part-number marker", "[s3xml]") {
    auto listing = s3xml::parse_list_parts(fixture("list_parts.xml"));
    CHECK(listing.truncated);
    CHECK(listing.next_part_number_marker == 3);
    REQUIRE(listing.parts.size() == 2);
    CHECK(listing.parts[0].number == 2);
    CHECK(listing.parts[0].size == 10485760);
    CHECK(listing.parts[0].etag == "7778aef83f66abc1fa1e8477f296d394");
    CHECK(listing.parts[1].number == 3);
    CHECK(listing.parts[1].etag == "aaaa18db4cc2f85cedef654fccc4a4x8");
}

TEST_CASE("ListMultipartUploads: uploads and both next markers", "[s3xml]") {
    auto listing = s3xml::parse_list_multipart_uploads(fixture("list_multipart_uploads.xml"));
    CHECK(listing.truncated);
    CHECK(listing.next_key_marker == "my-movie.m2ts");
    CHECK(listing.next_upload_id_marker == "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ");
    REQUIRE(listing.uploads.size() == 3);
    CHECK(listing.uploads[0].key == "my-divisor");
    CHECK(listing.uploads[0].upload_id == "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw");
    CHECK(listing.uploads[0].initiated == "2010-11-10T20:48:33Z");
    CHECK(listing.uploads[2].initiated == "2010-11-10T20:49:33Z");
}

TEST_CASE("CreateMultipartUpload, CompleteMultipartUpload and CopyObject results", "[s3xml]") {
    CHECK(s3xml::parse_initiate_multipart(fixture("initiate_multipart_upload_result.xml")) ==
          "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
    auto done = s3xml::parse_complete_multipart(fixture("complete_multipart_upload_result.xml"));
    CHECK(done.key == "Example-Object");
    CHECK(done.etag == "3858f62230ac3c915f300c664312c11f-9");
    auto copied = s3xml::parse_copy_object(fixture("copy_object_result.xml"));
    CHECK(copied.etag == "9b2cf535f27731c974343645a3985328");
    CHECK(copied.last_modified == "2009-10-28T22:32:00Z");
}

TEST_CASE("a 200 CompleteMultipartUpload with an <Error> body is an error, not a result",
          "[s3xml]") {
    const std::string body = fixture("complete_multipart_upload_error.xml");
    auto error = s3xml::parse_error(body);
    REQUIRE(error);
    CHECK(error->code == "InternalError");
    CHECK(error->message == "We encountered an internal error. Please try again.");
    CHECK_THROWS_AS(s3xml::parse_complete_multipart(body), ri::storage::StorageError);
}

TEST_CASE("Error bodies: code, message, resource, request id", "[s3xml]") {
    auto error = s3xml::parse_error(fixture("error_no_such_key.xml"));
    REQUIRE(error);
    CHECK(error->code == "NoSuchKey");
    CHECK(error->message == "The resource you requested does not exist");
    CHECK(error->resource == "/mybucket/myfoto.jpg");
    CHECK(error->request_id == "4442587FB7D0A2F9");
    CHECK_FALSE(s3xml::parse_error(""));
    CHECK_FALSE(s3xml::parse_error("<html><body>502 Bad Gateway</body></html>"));
    CHECK_FALSE(s3xml::parse_error("not xml"));
    CHECK_FALSE(s3xml::parse_error(fixture("list_parts.xml")));
}

TEST_CASE("DeleteObjects result: deleted keys and per-key errors", "[s3xml]") {
    auto results = s3xml::parse_delete_result(fixture("delete_result.xml"));
    REQUIRE(results.size() == 2);
    CHECK(results[0].key == "sample1.txt");
    CHECK(results[0].ok);
    CHECK(results[1].key == "sample2.txt");
    CHECK_FALSE(results[1].ok);
    CHECK(results[1].code == "AccessDenied");
    CHECK(results[1].message == "Access Denied");
}

TEST_CASE("a body that is not the expected document is a MalformedResponse", "[s3xml]") {
    try {
        s3xml::parse_list_parts(fixture("list_objects_v2.xml"));
        FAIL("no exception");
    } catch (const ri::storage::StorageError& e) {
        CHECK(e.service_code() == "MalformedResponse");
        CHECK(e.code() == ri::ExitCode::unavailable);
    }
    CHECK_THROWS_AS(
        s3xml::parse_list_objects_v2("<ListBucketResult><Contents><Size>x</Size></Contents>"),
        ri::storage::StorageError);
    CHECK_THROWS_AS(s3xml::parse_list_objects_v2(
                        "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"),
                    ri::storage::StorageError);
}

TEST_CASE("request bodies: CompleteMultipartUpload and DeleteObjects", "[s3xml]") {
    const std::string complete = s3xml::complete_multipart_body({{1, 5, "abc"}, {2, 5, "\"def\""}});
    pugi::xml_document doc;
    REQUIRE(doc.load_string(complete.c_str()));
    auto root = doc.child("CompleteMultipartUpload");
    REQUIRE(root);
    std::vector<std::pair<int, std::string>> parts;
    for (auto part : root.children("Part")) {
        parts.emplace_back(part.child("PartNumber").text().as_int(),
                           part.child("ETag").text().as_string());
    }
    CHECK(parts == std::vector<std::pair<int, std::string>>{{1, "\"abc\""}, {2, "\"def\""}});

    const std::string del = s3xml::delete_objects_body({"a&b<c>.txt", "dir/\xC3\xBC ber+1"}, true);
    REQUIRE(doc.load_string(del.c_str()));
    auto d = doc.child("Delete");
    CHECK(std::string(d.child("Quiet").text().as_string()) == "true");
    std::vector<std::string> keys;
    for (auto o : d.children("Object"))
        keys.emplace_back(o.child("Key").text().as_string());
    CHECK(keys == std::vector<std::string>{"a&b<c>.txt", "dir/\xC3\xBC ber+1"});
    CHECK(del.find("a&amp;b&lt;c&gt;.txt") != std::string::npos);
    CHECK(s3xml::delete_objects_body({"k"}, false).find("Quiet") == std::string::npos);
}

TEST_CASE("header helpers: ETag quotes and HTTP dates", "[s3xml]") {
    CHECK(s3xml::unquote_etag("\"abc-3\"") == "abc-3");
    CHECK(s3xml::unquote_etag("abc") == "abc");
    CHECK(s3xml::unquote_etag("&quot;abc&quot;") == "abc");
    CHECK(s3xml::iso8601_from_http_date("Wed, 12 Oct 2009 17:50:00 GMT") == "2009-10-12T17:50:00Z");
    CHECK(s3xml::iso8601_from_http_date("Fri, 24 May 2013 00:00:00 GMT") == "2013-05-24T00:00:00Z");
    CHECK(s3xml::iso8601_from_http_date("yesterday").empty());
    CHECK(s3xml::url_decode_form("a+b%2Bc%20d%zz") == "a b+c d%zz");
}
