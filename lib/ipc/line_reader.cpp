#include "ipc/line_reader.hpp"

namespace ri::ipc {

void LineReader::feed(std::string_view bytes) {
    if (overflowed_) return;
    // Drop what next() has consumed before growing, so the buffer holds only unread bytes.
    if (start_ > 0) {
        buffer_.erase(0, start_);
        start_ = 0;
    }
    buffer_.append(bytes);
}

std::optional<std::string> LineReader::next() {
    if (overflowed_) return std::nullopt;
    size_t nl = buffer_.find('\n', start_);
    size_t length = (nl == std::string::npos ? buffer_.size() : nl) - start_;
    if (length > max_bytes_) {
        overflowed_ = true;
        buffer_.clear();
        buffer_.shrink_to_fit();
        start_ = 0;
        return std::nullopt;
    }
    if (nl == std::string::npos) return std::nullopt;
    std::string line = buffer_.substr(start_, length);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    start_ = nl + 1;
    if (start_ == buffer_.size()) {
        buffer_.clear();
        start_ = 0;
    }
    return line;
}

}  // namespace ri::ipc
