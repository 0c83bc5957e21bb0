// The test servers' settings for the storage backend tests: read from the environment that
// ctest's fixtures export (radosgw.env, azurite.env). A missing one fails the test, never skips.
#pragma once

#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>

namespace ri::test {

inline std::string service_env(const char* name, const char* service) {
    const char* value = std::getenv(name);
    if (!value || !*value) {
        FAIL(name << " is not set: run under ctest (fixture " << service
                  << "), or `scripts/services/" << service << " start DIR && source DIR/" << service
                  << ".env`");
    }
    return value;
}

}  // namespace ri::test
