#include "ipc/client.hpp"

#include <thread>

namespace ri::ipc {

namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds left_until(Clock::time_point deadline) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
}

}  // namespace

std::optional<Client> Client::connect(const std::filesystem::path& endpoint,
                                      std::chrono::milliseconds wait, size_t max_line_bytes) {
    auto deadline = Clock::now() + wait;
    while (true) {
        if (auto stream = Stream::connect(endpoint))
            return Client(std::move(*stream), max_line_bytes);
        if (left_until(deadline).count() <= 0) return std::nullopt;
        std::this_thread::sleep_for(std::min(std::chrono::milliseconds(20), left_until(deadline)));
    }
}

bool Client::send_raw(std::string_view bytes, std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (!bytes.empty() && stream_.valid()) {
        size_t wrote = 0;
        switch (stream_.write_some(bytes, wrote)) {
            case IoStatus::done:
                bytes.remove_prefix(wrote);
                break;
            case IoStatus::would_block: {
                auto left = left_until(deadline);
                if (left.count() <= 0)
                    stream_.close();  // a server that stops reading is as good as gone
                else
                    stream_.wait_writable(std::min(left, std::chrono::milliseconds(200)));
                break;
            }
            case IoStatus::closed:
                stream_.close();
                break;
        }
    }
    return stream_.valid();
}

std::optional<std::string> Client::read_line(std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    while (stream_.valid()) {
        if (auto line = reader_.next()) return line;
        if (reader_.overflowed()) {
            stream_.close();
            break;
        }
        auto left = left_until(deadline);
        if (left.count() <= 0) return std::nullopt;
        // Short slices, so an interrupted or spurious wake costs nothing.
        if (!stream_.wait_readable(std::min(left, std::chrono::milliseconds(200)))) continue;
        char buffer[16384];
        size_t got = 0;
        switch (stream_.read_some(buffer, got)) {
            case IoStatus::done:
                reader_.feed(std::string_view(buffer, got));
                break;
            case IoStatus::would_block:
                break;
            case IoStatus::closed:
                stream_.close();
                break;
        }
    }
    return std::nullopt;
}

std::optional<nlohmann::json> Client::request(const nlohmann::json& request,
                                              std::chrono::milliseconds timeout) {
    auto deadline = Clock::now() + timeout;
    if (!send_raw(request.dump() + "\n", timeout)) return std::nullopt;
    auto line = read_line(std::max(std::chrono::milliseconds(0), left_until(deadline)));
    if (!line) {
        stream_.close();  // a late reply must never be read as the answer to the next request
        return std::nullopt;
    }
    nlohmann::json reply = nlohmann::json::parse(*line, nullptr, false);
    if (reply.is_discarded()) {
        stream_.close();
        return std::nullopt;
    }
    return reply;
}

std::optional<nlohmann::json> Client::subscribe(const nlohmann::json& request,
                                                std::chrono::milliseconds timeout) {
    return this->request(request, timeout);
}

std::optional<nlohmann::json> Client::next_event(std::chrono::milliseconds timeout) {
    while (true) {
        auto line = read_line(timeout);
        if (!line) return std::nullopt;
        if (line->empty()) continue;
        nlohmann::json event = nlohmann::json::parse(*line, nullptr, false);
        if (event.is_discarded()) {
            stream_.close();
            return std::nullopt;
        }
        return event;
    }
}

}  // namespace ri::ipc
