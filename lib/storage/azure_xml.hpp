// The XML of the Azure Blob REST API, read with pugixml: List Blobs (EnumerationResults),
// Get Block List (BlockList), error bodies (<Error><Code/><Message/>), and the body of
// Put Block List, plus the service's RFC 1123 dates turned into ISO 8601.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "storage/backend.hpp"

namespace ri::storage {

struct AzureErrorBody {
    std::string code;     // e.g. BlobNotFound, AuthenticationFailed; empty when absent
    std::string message;  // first line of the service's message
    std::string detail;   // AuthenticationErrorDetail, when the service gave one
};
// Never throws: a body that is not an Azure error document gives empty fields.
AzureErrorBody parse_azure_error(std::string_view body);

// One page of List Blobs. Blob names sent with Encoded="true" are percent-decoded;
// <Metadata> (include=metadata) fills ObjectInfo::metadata with lower-cased names.
// Throws StorageError (exit 69) when the body is not a List Blobs document.
ListPage parse_azure_blob_list(std::string_view body);

struct AzureBlock {
    std::string id;  // base64, as the service returned it
    uint64_t size = 0;
    bool committed = false;
};
// Committed blocks first, then uncommitted, each in the service's order.
// Throws StorageError (exit 69) when the body is not a BlockList document.
std::vector<AzureBlock> parse_azure_block_list(std::string_view body);

// The body of Put Block List: every id as <Latest> (the newest version of the block, committed
// or not), in the order given.
std::string azure_block_list_xml(const std::vector<std::string>& block_ids);

// "Wed, 05 Oct 2022 10:00:00 GMT" -> "2022-10-05T10:00:00Z"; text that is not an RFC 1123
// date is returned unchanged.
std::string azure_time_to_iso8601(std::string_view http_date);

}  // namespace ri::storage
