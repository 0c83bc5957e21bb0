#include "storage/azure_xml.hpp"

#include <array>
#include <cstdio>
#include <cstring>
#include <pugixml.hpp>

#include "core/strings.hpp"
#include "storage/azure_shared_key.hpp"
#include "storage/storage_error.hpp"

namespace ri::storage {
namespace {

pugi::xml_document load(std::string_view body, pugi::xml_parse_result& result) {
    pugi::xml_document doc;
    result = doc.load_buffer(body.data(), body.size(), pugi::parse_default, pugi::encoding_auto);
    return doc;
}

StorageError malformed_azure(std::string_view what, std::string_view body) {
    return malformed_response("Azure Blob Storage", what, body);
}

using strings::lower;

uint64_t to_u64(const char* text) {
    uint64_t n = 0;
    for (const char* p = text; *p >= '0' && *p <= '9'; ++p)
        n = n * 10 + static_cast<uint64_t>(*p - '0');
    return n;
}

// A <Name> element, decoded when the service percent-encoded it (names with characters XML
// 1.0 cannot carry).
std::string name_of(const pugi::xml_node& node) {
    pugi::xml_node name = node.child("Name");
    std::string text = name.child_value();
    if (name.attribute("Encoded").as_bool()) return azure_percent_decode(text);
    return text;
}

}  // namespace

AzureErrorBody parse_azure_error(std::string_view body) {
    AzureErrorBody out;
    pugi::xml_parse_result result;
    pugi::xml_document doc = load(body, result);
    if (!result) return out;
    pugi::xml_node error = doc.child("Error");
    out.code = error.child_value("Code");
    out.message = error.child_value("Message");
    // The service appends "\nRequestId:...\nTime:..." to every message: keep the sentence.
    if (size_t nl = out.message.find('\n'); nl != std::string::npos) out.message.resize(nl);
    out.detail = error.child_value("AuthenticationErrorDetail");
    return out;
}

ListPage parse_azure_blob_list(std::string_view body) {
    pugi::xml_parse_result result;
    pugi::xml_document doc = load(body, result);
    pugi::xml_node root = doc.child("EnumerationResults");
    if (!result || !root) throw malformed_azure("a List Blobs result", body);
    ListPage page;
    for (pugi::xml_node node : root.child("Blobs").children()) {
        if (std::strcmp(node.name(), "BlobPrefix") == 0) {
            page.common_prefixes.push_back(name_of(node));
            continue;
        }
        if (std::strcmp(node.name(), "Blob") != 0) continue;
        ObjectInfo info;
        info.key = name_of(node);
        pugi::xml_node props = node.child("Properties");
        info.size = to_u64(props.child_value("Content-Length"));
        info.etag = strings::unquote(props.child_value("Etag"));
        info.last_modified = azure_time_to_iso8601(props.child_value("Last-Modified"));
        info.content_md5 = props.child_value("Content-MD5");
        for (pugi::xml_node meta : node.child("Metadata").children()) {
            if (meta.type() == pugi::node_element)
                info.metadata[lower(meta.name())] = meta.child_value();
        }
        page.objects.push_back(std::move(info));
    }
    page.next_token = root.child_value("NextMarker");
    return page;
}

std::vector<AzureBlock> parse_azure_block_list(std::string_view body) {
    pugi::xml_parse_result result;
    pugi::xml_document doc = load(body, result);
    pugi::xml_node root = doc.child("BlockList");
    if (!result || !root) throw malformed_azure("a Get Block List result", body);
    std::vector<AzureBlock> blocks;
    for (const char* list : {"CommittedBlocks", "UncommittedBlocks"}) {
        bool committed = std::strcmp(list, "CommittedBlocks") == 0;
        for (pugi::xml_node block : root.child(list).children("Block")) {
            blocks.push_back(
                {block.child_value("Name"), to_u64(block.child_value("Size")), committed});
        }
    }
    return blocks;
}

std::string azure_block_list_xml(const std::vector<std::string>& block_ids) {
    std::string out = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<BlockList>";
    for (const auto& id : block_ids)
        out += "<Latest>" + id + "</Latest>";
    out += "</BlockList>\n";
    return out;
}

std::string azure_time_to_iso8601(std::string_view http_date) {
    static constexpr std::array<const char*, 12> kMonths = {
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    std::string text(http_date);
    size_t comma = text.find(", ");
    if (comma == std::string::npos) return text;
    int day = 0, year = 0, hour = 0, minute = 0, second = 0;
    char month[4] = {};
    char zone[4] = {};
    if (std::sscanf(text.c_str() + comma + 2, "%2d %3s %4d %2d:%2d:%2d %3s", &day, month, &year,
                    &hour, &minute, &second, zone) != 7 ||
        std::strcmp(zone, "GMT") != 0) {
        return text;
    }
    for (size_t m = 0; m < kMonths.size(); ++m) {
        if (std::strcmp(month, kMonths[m]) == 0) {
            char buf[64];
            std::snprintf(buf, sizeof buf, "%04d-%02zu-%02dT%02d:%02d:%02dZ", year, m + 1, day,
                          hour, minute, second);
            return buf;
        }
    }
    return text;
}

}  // namespace ri::storage
