#include "storage/azure_sas.hpp"

#include <ctime>

#include "core/time_text.hpp"
#include "http/url_parts.hpp"
#include "storage/azure_shared_key.hpp"

namespace ri::storage {
namespace {

bool has_start(const SasRequest& r) {
    return r.start != std::chrono::system_clock::time_point{};
}

}  // namespace

std::string sas_string_to_sign(const SasRequest& r) {
    std::string resource = "/blob/" + r.account + "/" + r.container;
    if (!r.blob.empty()) resource += "/" + r.blob;
    std::string s;
    s += r.permissions + "\n";
    s += (has_start(r) ? time_text::iso8601(r.start) : "") + "\n";
    s += time_text::iso8601(r.expiry) + "\n";
    s += resource + "\n";
    s += "\n";  // si: no stored access policy
    s += "\n";  // sip
    s += r.protocol + "\n";
    s += std::string(kAzureSasVersion) + "\n";
    s += std::string(r.blob.empty() ? "c" : "b") + "\n";
    s += "\n";        // snapshot time
    s += "\n\n\n\n";  // rscc, rscd, rsce, rscl
    // rsct: empty, last line without a newline
    return s;
}

std::string make_service_sas(const SasRequest& r, std::string_view base64_account_key) {
    AzureSharedKeySigner signer(r.account, base64_account_key);
    std::string sig = signer.signature(sas_string_to_sign(r));
    std::string token = "sv=" + std::string(kAzureSasVersion);
    token += "&sr=" + std::string(r.blob.empty() ? "c" : "b");
    token += "&sp=" + r.permissions;
    if (has_start(r)) token += "&st=" + http::uri_encode(time_text::iso8601(r.start));
    token += "&se=" + http::uri_encode(time_text::iso8601(r.expiry));
    if (!r.protocol.empty()) token += "&spr=" + http::uri_encode(r.protocol);
    token += "&sig=" + http::uri_encode(sig);
    return token;
}

}  // namespace ri::storage
