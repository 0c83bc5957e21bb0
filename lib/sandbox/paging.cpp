#include <algorithm>
#include <charconv>

#include "http/url_parts.hpp"
#include "sandbox/sandbox_impl.hpp"

namespace ri::sandbox {
namespace {

long parse_positive(const std::string& text, long fallback) {
    long v = 0;
    auto r = std::from_chars(text.data(), text.data() + text.size(), v);
    if (r.ec != std::errc() || r.ptr != text.data() + text.size() || v < 1) return fallback;
    return v;
}

std::string page_url(const Ctx& c, long page, long page_size) {
    std::string q;
    for (const auto& [k, v] : c.req.params) {
        if (k == "page" || k == "page_size") continue;
        q += (q.empty() ? "" : "&") + http::uri_encode(k) + "=" + http::uri_encode(v);
    }
    q += (q.empty() ? "" : "&") + std::string("page=") + std::to_string(page) +
         "&page_size=" + std::to_string(page_size);
    return c.base_url() + c.req.path + "?" + q;
}

}  // namespace

Json paginate(const Ctx& c, const std::vector<Json>& items, int max_page_size) {
    long page_size = parse_positive(c.param("page_size"), 25);
    if (c.req.has_param("limit")) page_size = parse_positive(c.param("limit"), page_size);
    page_size = std::min<long>(page_size, max_page_size);
    long page = 1;
    if (c.req.has_param("page")) {
        page = parse_positive(c.param("page"), -1);
        if (page < 1) fail(404, "Invalid page.");
    }
    auto count = static_cast<long>(items.size());
    long pages = std::max<long>(1, (count + page_size - 1) / page_size);
    if (page > pages) fail(404, "Invalid page.");
    Json results = Json::array();
    for (long i = (page - 1) * page_size; i < std::min(count, page * page_size); ++i)
        results.push_back(items[static_cast<size_t>(i)]);
    Json out;
    out["count"] = count;
    out["next"] = page < pages ? Json(page_url(c, page + 1, page_size)) : Json(nullptr);
    out["previous"] = page > 1 ? Json(page_url(c, page - 1, page_size)) : Json(nullptr);
    out["results"] = std::move(results);
    return out;
}

void order_by(std::vector<Json>& items, const std::string& ordering) {
    if (ordering.empty()) return;
    std::vector<std::pair<std::string, bool>> keys;
    size_t start = 0;
    while (start <= ordering.size()) {
        size_t comma = ordering.find(',', start);
        std::string k =
            ordering.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!k.empty()) {
            bool desc = k[0] == '-';
            keys.emplace_back(desc ? k.substr(1) : k, desc);
        }
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    std::stable_sort(items.begin(), items.end(), [&](const Json& a, const Json& b) {
        for (const auto& [k, desc] : keys) {
            const Json& va = a.contains(k) ? a[k] : Json();
            const Json& vb = b.contains(k) ? b[k] : Json();
            if (va == vb) continue;
            return desc ? vb < va : va < vb;
        }
        return false;
    });
}

}  // namespace ri::sandbox
