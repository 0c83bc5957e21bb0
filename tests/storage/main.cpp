// ri-storage-tests: the storage backends against real servers (radosgw for S3, Azurite for
// Azure), run by ctest as storage.backends with both servers' env files sourced.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
