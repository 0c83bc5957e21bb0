#include "storage/s3_xml.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cstdio>
#include <pugixml.hpp>
#include <sstream>

#include "http/url_parts.hpp"
#include "storage/storage_error.hpp"

namespace ri::storage::s3xml {
namespace {

StorageError malformed(std::string_view what, std::string_view body) {
    return malformed_response("", what, body);
}

// doc owns the nodes, so it is the caller's (a moved xml_document moves its first page).
pugi::xml_node load(pugi::xml_document& doc, std::string_view body, std::string_view root) {
    auto result =
        doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!result) throw malformed(fmt::format("<{}> ({})", root, result.description()), body);
    pugi::xml_node node = doc.document_element();
    if (std::string_view(node.name()) != root) throw malformed(fmt::format("<{}>", root), body);
    return node;
}

std::string text(const pugi::xml_node& node, const char* child) {
    return node.child(child).text().as_string();
}

template <typename T>
T number(const pugi::xml_node& node, const char* child, std::string_view body) {
    std::string_view s = node.child(child).text().as_string();
    T value{};
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size()) {
        throw malformed(fmt::format("a number in <{}>", child), body);
    }
    return value;
}

bool flag(const pugi::xml_node& node, const char* child) {
    return text(node, child) == "true";
}

}  // namespace

std::string unquote_etag(std::string_view etag) {
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"')
        etag = etag.substr(1, etag.size() - 2);
    // Some servers send the HTML entity literally in headers.
    if (etag.starts_with("&quot;") && etag.ends_with("&quot;") && etag.size() >= 12) {
        etag = etag.substr(6, etag.size() - 12);
    }
    return std::string(etag);
}

std::string iso8601_seconds(std::string_view timestamp) {
    // YYYY-MM-DDTHH:MM:SS[.fff]Z
    if (timestamp.size() >= 20 && timestamp[10] == 'T' && timestamp.back() == 'Z') {
        return fmt::format("{}Z", timestamp.substr(0, 19));
    }
    // The CopyObject example of the S3 reference has no zone: S3 times are UTC.
    if (timestamp.size() == 19 && timestamp[10] == 'T') return fmt::format("{}Z", timestamp);
    return std::string(timestamp);
}

std::string iso8601_from_http_date(std::string_view http_date) {
    static constexpr std::array<std::string_view, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
    std::string s(http_date);
    char weekday[8] = {}, month[8] = {}, zone[8] = {};
    int day = 0, year = 0, hour = 0, minute = 0, second = 0;
    if (std::sscanf(s.c_str(), "%3s, %d %3s %d %d:%d:%d %3s", weekday, &day, month, &year, &hour,
                    &minute, &second, zone) != 8) {
        return {};
    }
    int m = 0;
    while (m < 12 && kMonths[m] != month)
        ++m;
    if (m == 12 || std::string_view(zone) != "GMT") return {};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", year, m + 1, day, hour, minute,
                       second);
}

std::string url_decode_form(std::string_view text) {
    return http::percent_decode(text, true);
}

std::optional<ErrorBody> parse_error(std::string_view body) {
    pugi::xml_document doc;
    if (body.empty() || !doc.load_buffer(body.data(), body.size())) return std::nullopt;
    pugi::xml_node root = doc.document_element();
    if (std::string_view(root.name()) != "Error") return std::nullopt;
    return ErrorBody{text(root, "Code"), text(root, "Message"), text(root, "Resource"),
                     text(root, "RequestId")};
}

ObjectListing parse_list_objects_v2(std::string_view body) {
    pugi::xml_document doc;
    pugi::xml_node root = load(doc, body, "ListBucketResult");
    const bool encoded = text(root, "EncodingType") == "url";
    auto decode = [&](std::string value) { return encoded ? url_decode_form(value) : value; };

    ObjectListing listing;
    listing.truncated = flag(root, "IsTruncated");
    if (listing.truncated) listing.page.next_token = text(root, "NextContinuationToken");
    for (auto contents : root.children("Contents")) {
        ObjectInfo info;
        info.key = decode(text(contents, "Key"));
        info.size = number<uint64_t>(contents, "Size", body);
        info.etag = unquote_etag(text(contents, "ETag"));
        info.last_modified = iso8601_seconds(text(contents, "LastModified"));
        listing.page.objects.push_back(std::move(info));
    }
    for (auto prefixes : root.children("CommonPrefixes")) {
        listing.page.common_prefixes.push_back(decode(text(prefixes, "Prefix")));
    }
    if (listing.truncated && listing.page.next_token.empty()) {
        throw malformed("a NextContinuationToken in a truncated listing", body);
    }
    return listing;
}

PartListing parse_list_parts(std::string_view body) {
    pugi::xml_document doc;
    pugi::xml_node root = load(doc, body, "ListPartsResult");
    PartListing listing;
    listing.truncated = flag(root, "IsTruncated");
    if (root.child("NextPartNumberMarker")) {
        listing.next_part_number_marker = number<int>(root, "NextPartNumberMarker", body);
    }
    for (auto part : root.children("Part")) {
        PartInfo info;
        info.number = number<int>(part, "PartNumber", body);
        info.size = number<uint64_t>(part, "Size", body);
        info.etag = unquote_etag(text(part, "ETag"));
        listing.parts.push_back(std::move(info));
    }
    return listing;
}

UploadListing parse_list_multipart_uploads(std::string_view body) {
    pugi::xml_document doc;
    pugi::xml_node root = load(doc, body, "ListMultipartUploadsResult");
    const bool encoded = text(root, "EncodingType") == "url";
    UploadListing listing;
    listing.truncated = flag(root, "IsTruncated");
    listing.next_key_marker = text(root, "NextKeyMarker");
    listing.next_upload_id_marker = text(root, "NextUploadIdMarker");
    if (encoded) listing.next_key_marker = url_decode_form(listing.next_key_marker);
    for (auto upload : root.children("Upload")) {
        UploadInfo info;
        info.key = text(upload, "Key");
        if (encoded) info.key = url_decode_form(info.key);
        info.upload_id = text(upload, "UploadId");
        info.initiated = iso8601_seconds(text(upload, "Initiated"));
        listing.uploads.push_back(std::move(info));
    }
    return listing;
}

std::string parse_initiate_multipart(std::string_view body) {
    pugi::xml_document doc;
    pugi::xml_node root = load(doc, body, "InitiateMultipartUploadResult");
    std::string upload_id = text(root, "UploadId");
    if (upload_id.empty()) throw malformed("an UploadId", body);
    return upload_id;
}

CompletedObject parse_complete_multipart(std::string_view body) {
    pugi::xml_document doc;
    pugi::xml_node root = load(doc, body, "CompleteMultipartUploadResult");
    return {text(root, "Key"), unquote_etag(text(root, "ETag"))};
}

CopiedObject parse_copy_object(std::string_view body) {
    pugi::xml_document doc;
    pugi::xml_node root = load(doc, body, "CopyObjectResult");
    return {unquote_etag(text(root, "ETag")), iso8601_seconds(text(root, "LastModified"))};
}

std::vector<DeleteResult> parse_delete_result(std::string_view body) {
    pugi::xml_document doc;
    pugi::xml_node root = load(doc, body, "DeleteResult");
    std::vector<DeleteResult> results;
    for (auto node : root.children()) {
        std::string_view name = node.name();
        if (name == "Deleted") {
            results.push_back({text(node, "Key"), true, {}, {}});
        } else if (name == "Error") {
            results.push_back(
                {text(node, "Key"), false, text(node, "Code"), text(node, "Message")});
        }
    }
    return results;
}

namespace {
// The root element NAME of an S3 request body, under its XML declaration and S3's namespace.
pugi::xml_node request_root(pugi::xml_document& doc, const char* name) {
    auto decl = doc.append_child(pugi::node_declaration);
    decl.append_attribute("version") = "1.0";
    decl.append_attribute("encoding") = "UTF-8";
    auto root = doc.append_child(name);
    root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
    return root;
}

std::string serialize(const pugi::xml_document& doc) {
    std::ostringstream out;
    doc.save(out, "", pugi::format_raw, pugi::encoding_utf8);
    return out.str();
}
}  // namespace

std::string complete_multipart_body(const std::vector<PartInfo>& parts) {
    pugi::xml_document doc;
    auto root = request_root(doc, "CompleteMultipartUpload");
    for (const auto& part : parts) {
        auto node = root.append_child("Part");
        node.append_child("PartNumber").text().set(part.number);
        node.append_child("ETag").text().set(("\"" + unquote_etag(part.etag) + "\"").c_str());
    }
    return serialize(doc);
}

std::string delete_objects_body(const std::vector<std::string>& keys, bool quiet) {
    pugi::xml_document doc;
    auto root = request_root(doc, "Delete");
    if (quiet) root.append_child("Quiet").text().set("true");
    for (const auto& key : keys) {
        root.append_child("Object").append_child("Key").text().set(key.c_str());
    }
    return serialize(doc);
}

}  // namespace ri::storage::s3xml
