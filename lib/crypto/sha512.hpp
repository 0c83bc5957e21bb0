// Incremental SHA-512: the platform's file checksum (fileChecksums, lowercase hex of plaintext).
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>

namespace ri::crypto {

class Sha512 {
  public:
    Sha512();
    ~Sha512();
    Sha512(Sha512&&) noexcept;
    Sha512& operator=(Sha512&&) noexcept;

    void update(std::span<const std::byte> data);
    // Lowercase hex; the object can not be updated afterwards.
    std::string hex_digest();

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace ri::crypto
