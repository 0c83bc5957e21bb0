#include "crypto/file_hasher.hpp"

#include "core/cancel.hpp"
#include "crypto/secure_buffer.hpp"
#include "crypto/sha512.hpp"

namespace ri::crypto {

HashResult hash_file(File& in, const ProgressFn& progress) {
    in.advise_sequential();
    SecureBuffer buf(kDefaultChunk);
    Sha512 sha;
    HashResult r;
    for (;;) {
        cancel::check();
        size_t n = in.read_full(buf.span());
        sha.update({buf.data(), n});
        r.size += n;
        if (progress && n) progress(n);
        if (n < buf.size()) break;
    }
    r.sha512 = sha.hex_digest();
    return r;
}

}  // namespace ri::crypto
