// A file's plaintext, seen once and in order as an encrypted upload reads it.
//
// A platform upload needs the SHA-512 of the plaintext beside the encryption. Hashing a second
// read of the file costs a copy of every byte from the page cache (or a second pass over a
// network file system); with a tap the encryptor reads each part into a buffer the tap lends,
// encrypts from it into the part buffer, and gives it back for hashing on the tap's own thread.
// The tap's few buffers bound how far the encryption runs ahead of the hash.
#pragma once

#include <cstddef>
#include <span>

namespace ri::transfer {

// The encryptor reads a part into lent buffers in pieces of this size (the last piece of a part
// may be shorter). Measured (docs/BENCHMARKS.md, scripts/bench/pipeline): whole 16 MiB parts
// in 2 buffers left the hash waiting for the encryptor; 4 MiB pieces in 4 buffers keep it fed
// with half the memory.
constexpr size_t kTapPiece = 4u << 20;

class PlaintextTap {
  public:
    virtual ~PlaintextTap() = default;
    // A buffer for the next n bytes of plaintext, in file order (may wait until the hash frees
    // one). An empty span: the tap is not taking this file's bytes (it reads the file itself);
    // the caller reads into its own buffer, and asks no more.
    virtual std::span<std::byte> borrow(size_t n) = 0;
    // The buffer from the last borrow() now holds its n bytes. The caller may still read it
    // (to encrypt from it) until its next borrow().
    virtual void give(size_t n) = 0;
    // This run will not read the file from its first byte in order (a resumed upload, a file
    // sent in one PUT): the tap gets the plaintext some other way.
    virtual void not_in_order() = 0;
};

}  // namespace ri::transfer
