// Reading the Azure Blob REST API's XML (the response formats documented on Microsoft's
// "List Blobs", "Get Block List" and "Status and error codes" pages) and the block ids that map
// S3's part numbers onto blocks.
#include "storage/azure_xml.hpp"

#include <catch2/catch.hpp>
#include <set>

#include "crypto/encoding.hpp"
#include "storage/azure_block_id.hpp"
#include "storage/storage_error.hpp"

using namespace ri;
using namespace ri::storage;

TEST_CASE("List Blobs: blobs, prefixes, properties, metadata and the next marker") {
    // The documented response shape (version 2021-08-06), with a UTF-8 BOM as the service
    // sends it, a name the service had to percent-encode, and include=metadata.
    const char* xml =
        "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?>"
        R"(<EnumerationResults ServiceEndpoint="https://myaccount.blob.core.windows.net/" ContainerName="mycontainer">
  <Prefix>photos/</Prefix>
  <Marker></Marker>
  <MaxResults>3</MaxResults>
  <Delimiter>/</Delimiter>
  <Blobs>
    <Blob>
      <Name>photos/a&amp;b.jpg</Name>
      <Properties>
        <Creation-Time>Tue, 04 Oct 2022 09:00:00 GMT</Creation-Time>
        <Last-Modified>Wed, 05 Oct 2022 10:11:12 GMT</Last-Modified>
        <Etag>0x8DAA6B1E3C1A2B3</Etag>
        <Content-Length>1048576</Content-Length>
        <Content-Type>image/jpeg</Content-Type>
        <Content-MD5>sQqNsWTgdUEFt6mb5y4/5Q==</Content-MD5>
        <BlobType>BlockBlob</BlobType>
        <LeaseStatus>unlocked</LeaseStatus>
      </Properties>
      <Metadata>
        <Color>blue</Color>
        <iv>AAAAAAAAAAAAAAAAAAAAAA==</iv>
      </Metadata>
    </Blob>
    <Blob>
      <Name Encoded="true">photos/bell%07.txt</Name>
      <Properties>
        <Last-Modified>Thu, 06 Oct 2022 00:00:00 GMT</Last-Modified>
        <Etag>"0x8DAA6B1E3C1A2B4"</Etag>
        <Content-Length>0</Content-Length>
        <Content-MD5 />
      </Properties>
    </Blob>
    <BlobPrefix>
      <Name>photos/2022/</Name>
    </BlobPrefix>
  </Blobs>
  <NextMarker>2!80!MDAwMDE2IXBob3Rvcy96LmpwZyEwMDAwMjgh</NextMarker>
</EnumerationResults>)";
    ListPage page = parse_azure_blob_list(xml);
    REQUIRE(page.objects.size() == 2);
    CHECK(page.objects[0].key == "photos/a&b.jpg");
    CHECK(page.objects[0].size == 1048576);
    CHECK(page.objects[0].etag == "0x8DAA6B1E3C1A2B3");
    CHECK(page.objects[0].last_modified == "2022-10-05T10:11:12Z");
    CHECK(page.objects[0].content_md5 == "sQqNsWTgdUEFt6mb5y4/5Q==");
    CHECK(page.objects[0].metadata ==
          Metadata{{"color", "blue"}, {"iv", "AAAAAAAAAAAAAAAAAAAAAA=="}});
    CHECK(page.objects[1].key == "photos/bell\a.txt");
    CHECK(page.objects[1].size == 0);
    CHECK(page.objects[1].etag == "0x8DAA6B1E3C1A2B4");
    CHECK(page.objects[1].content_md5.empty());
    CHECK(page.common_prefixes == std::vector<std::string>{"photos/2022/"});
    CHECK(page.next_token == "2!80!MDAwMDE2IXBob3Rvcy96LmpwZyEwMDAwMjgh");
}

TEST_CASE("List Blobs: the last page has an empty NextMarker") {
    ListPage page = parse_azure_blob_list(
        R"(<?xml version="1.0" encoding="utf-8"?><EnumerationResults ServiceEndpoint="http://127.0.0.1:10000/devstoreaccount1" ContainerName="c"><Prefix/><MaxResults>5000</MaxResults><Blobs/><NextMarker/></EnumerationResults>)");
    CHECK(page.objects.empty());
    CHECK(page.common_prefixes.empty());
    CHECK(page.next_token.empty());
}

TEST_CASE("List Blobs: a body that is not a listing is a service error, not a crash") {
    CHECK_THROWS_AS(parse_azure_blob_list("<html>proxy error</html>"), StorageError);
    CHECK_THROWS_AS(parse_azure_blob_list("not xml"), StorageError);
}

TEST_CASE("Get Block List: committed and uncommitted blocks with their sizes") {
    const char* xml = R"(<?xml version="1.0" encoding="utf-8"?>
<BlockList>
  <CommittedBlocks>
    <Block>
      <Name>BlockId001</Name>
      <Size>4194304</Size>
    </Block>
  </CommittedBlocks>
  <UncommittedBlocks>
    <Block>
      <Name>BlockId002</Name>
      <Size>4194304</Size>
    </Block>
    <Block>
      <Name>BlockId003</Name>
      <Size>17</Size>
    </Block>
  </UncommittedBlocks>
</BlockList>)";
    auto blocks = parse_azure_block_list(xml);
    REQUIRE(blocks.size() == 3);
    CHECK(blocks[0].id == "BlockId001");
    CHECK(blocks[0].committed);
    CHECK(blocks[0].size == 4194304);
    CHECK(blocks[1].id == "BlockId002");
    CHECK_FALSE(blocks[1].committed);
    CHECK(blocks[2].size == 17);
    CHECK(parse_azure_block_list("<BlockList><CommittedBlocks/></BlockList>").empty());
    CHECK_THROWS_AS(parse_azure_block_list("<Error/>"), StorageError);
}

TEST_CASE("Error bodies: code, first line of the message, authentication detail") {
    auto e = parse_azure_error(
        "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code>"
        "<Message>The specified blob does not exist.\nRequestId:9ccf8ad2-f01e-0050-6e3a-"
        "8f4b2b000000\nTime:2022-10-05T10:11:12.1234567Z</Message></Error>");
    CHECK(e.code == "BlobNotFound");
    CHECK(e.message == "The specified blob does not exist.");
    CHECK(e.detail.empty());

    auto auth = parse_azure_error(
        R"(<?xml version="1.0" encoding="utf-8"?><Error><Code>AuthenticationFailed</Code><Message>Server failed to authenticate the request. Make sure the value of the Authorization header is formed correctly including the signature.</Message><AuthenticationErrorDetail>The MAC signature found in the HTTP request 'abc' is not the same as any computed signature.</AuthenticationErrorDetail></Error>)");
    CHECK(auth.code == "AuthenticationFailed");
    CHECK(auth.detail.find("MAC signature") != std::string::npos);

    auto none = parse_azure_error("");  // HEAD answers carry no body
    CHECK(none.code.empty());
    CHECK(none.message.empty());
}

TEST_CASE("Put Block List body lists every id as Latest, in order") {
    CHECK(azure_block_list_xml({"AAA=", "BBB="}) ==
          "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
          "<BlockList><Latest>AAA=</Latest><Latest>BBB=</Latest></BlockList>\n");
}

TEST_CASE("RFC 1123 dates become ISO 8601; anything else is kept") {
    CHECK(azure_time_to_iso8601("Sun, 11 Oct 2009 21:49:13 GMT") == "2009-10-11T21:49:13Z");
    CHECK(azure_time_to_iso8601("Mon, 02 Jan 2023 03:04:05 GMT") == "2023-01-02T03:04:05Z");
    CHECK(azure_time_to_iso8601("") == "");
    CHECK(azure_time_to_iso8601("yesterday") == "yesterday");
}

TEST_CASE("Block ids: fixed width, base64 of the token and the part number, reversible") {
    std::string token = "0123456789ab";
    REQUIRE(is_azure_upload_token(token));
    std::string id = azure_block_id(token, 1);
    // base64("ri-0123456789ab-00000001"): 24 bytes, so 32 characters and no padding.
    CHECK(id == "cmktMDEyMzQ1Njc4OWFiLTAwMDAwMDAx");
    auto raw = crypto::base64_decode(id);
    REQUIRE(raw);
    CHECK(std::string(reinterpret_cast<const char*>(raw->data()), raw->size()) ==
          "ri-0123456789ab-00000001");
    std::set<size_t> lengths;
    for (int part : {1, 9, 10, 999, 10000, 50000, 99999999}) {
        std::string each = azure_block_id(token, part);
        lengths.insert(each.size());
        CHECK(azure_block_part_number(token, each) == part);
    }
    CHECK(lengths == std::set<size_t>{32});
    CHECK_FALSE(azure_block_part_number("ba9876543210", id));  // another upload's block
    CHECK_FALSE(azure_block_part_number(token, "not base64!"));
    CHECK_FALSE(azure_block_part_number(token, "QmxvY2tJZDAwMQ=="));  // another client's id
    CHECK_THROWS(azure_block_id(token, 0));
    CHECK_THROWS(azure_block_id("short", 1));
}

TEST_CASE("Upload tokens are fresh 12-hex-digit strings") {
    std::string a = new_azure_upload_token();
    std::string b = new_azure_upload_token();
    CHECK(is_azure_upload_token(a));
    CHECK(a != b);
    CHECK_FALSE(is_azure_upload_token("0123456789AB"));
    CHECK_FALSE(is_azure_upload_token(""));
}
