#include "transfer/records.hpp"

#include "platform/records.hpp"

namespace ri::transfer {

Json object_record(const UploadResult& r) {
    Json j{
        {"kind", "object"}, {"url", r.url}, {"path", r.source}, {"size", r.size}, {"etag", r.etag}};
    if (r.skipped) j["skipped"] = true;
    if (r.encrypted && !r.skipped) {
        j["encrypted"] = true;
        j["iv"] = r.iv_b64;
    }
    if (r.resumed) j["resumed_parts"] = r.parts - r.parts_sent;
    return j;
}

Json object_record(const DownloadResult& r) {
    Json j{
        {"kind", "object"}, {"url", r.url}, {"path", r.path}, {"size", r.size}, {"etag", r.etag}};
    if (r.skipped) j["skipped"] = true;
    if (r.decrypted) j["decrypted"] = true;
    if (r.resumed) j["resumed_parts"] = r.parts - r.parts_fetched;
    return j;
}

Json uploaded_file_record(const PlatformUploadResult& r) {
    Json j = platform::file_record(r.file);
    j["size"] = r.size;
    j["sha512"] = r.sha512;
    j["path"] = r.source;
    if (r.skipped) j["skipped"] = true;
    if (r.resumed) j["resumed_parts"] = r.parts - r.parts_sent;
    return j;
}

Json download_record(const PlatformDownloadResult& r) {
    Json j{{"kind", "download"}, {"id", r.file.id}, {"name", r.file.name},
           {"path", r.path},     {"size", r.size},  {"sha512", r.sha512}};
    if (r.skipped) j["skipped"] = true;
    if (r.resumed) j["resumed"] = true;
    return j;
}

}  // namespace ri::transfer
