#include "crypto/random.hpp"

#include <openssl/rand.h>

#include "core/error.hpp"

namespace ri::crypto {

void random_bytes(std::span<std::byte> out) {
    if (RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size())) !=
        1) {
        throw Error::internal("The system random number generator failed.", "RAND_bytes");
    }
}

}  // namespace ri::crypto
