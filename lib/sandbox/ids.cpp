#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <string>

#include "crypto/random.hpp"
#include "sandbox/sandbox_impl.hpp"

namespace ri::sandbox {

std::string random_id(size_t n) {
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    std::string out;
    while (out.size() < n) {
        std::byte b[32];
        crypto::random_bytes(b);
        for (std::byte x : b) {
            auto v = static_cast<unsigned>(x);
            if (v < 248 && out.size() < n) out += alphabet[v % 62];  // 248 = 4*62: no bias
        }
    }
    return out;
}

double now_epoch() {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string iso_from_epoch(double epoch) {
    auto secs = static_cast<std::time_t>(std::floor(epoch));
    auto micros = static_cast<long>(std::llround((epoch - static_cast<double>(secs)) * 1e6));
    if (micros >= 1000000) {
        secs += 1;
        micros -= 1000000;
    }
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    return fmt::format("{}.{:06d}Z", buf, micros);
}

std::string now_iso() {
    return iso_from_epoch(now_epoch());
}

void fail(int status, const std::string& detail) {
    throw HttpError{status, Json{{"detail", detail}}};
}
void fail_fields(int status, Json fields) {
    throw HttpError{status, std::move(fields)};
}
void not_found() {
    fail(404, "Not found.");
}

}  // namespace ri::sandbox
