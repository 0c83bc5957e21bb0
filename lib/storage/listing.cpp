#include "storage/backend.hpp"

namespace ri::storage {

size_t for_each_object(Backend& backend, const std::string& prefix,
                       const std::function<bool(const ObjectInfo&)>& on_object) {
    size_t n = 0;
    std::string token;
    do {
        auto page = backend.list(prefix, "", token, 1000);
        for (const auto& obj : page.objects) {
            ++n;
            if (!on_object(obj)) return n;
        }
        token = page.next_token;
    } while (!token.empty());
    return n;
}

}  // namespace ri::storage
