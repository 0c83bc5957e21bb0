// Heap buffers for plaintext and key material that are wiped (OPENSSL_cleanse, which the
// compiler may not elide) before they are freed or reused.
#pragma once

#include <openssl/crypto.h>

#include <cstddef>
#include <memory>
#include <span>

namespace ri::crypto {

// Zeroes memory in a way the compiler may not elide (key material in strings, stack buffers).
inline void secure_zero(void* data, size_t size) {
    OPENSSL_cleanse(data, size);
}

class SecureBuffer {
  public:
    SecureBuffer() = default;
    explicit SecureBuffer(size_t size)
        : data_(std::make_unique_for_overwrite<std::byte[]>(size)), size_(size) {}
    SecureBuffer(SecureBuffer&&) noexcept = default;
    SecureBuffer& operator=(SecureBuffer&& other) noexcept {
        wipe();
        data_ = std::move(other.data_);
        size_ = other.size_;
        other.size_ = 0;
        return *this;
    }
    SecureBuffer(const SecureBuffer&) = delete;
    SecureBuffer& operator=(const SecureBuffer&) = delete;
    ~SecureBuffer() { wipe(); }

    void wipe() {
        if (data_) secure_zero(data_.get(), size_);
    }
    std::byte* data() { return data_.get(); }
    const std::byte* data() const { return data_.get(); }
    size_t size() const { return size_; }
    std::span<std::byte> span() { return {data_.get(), size_}; }
    std::span<const std::byte> span() const { return {data_.get(), size_}; }

  private:
    std::unique_ptr<std::byte[]> data_;
    size_t size_ = 0;
};

}  // namespace ri::crypto
