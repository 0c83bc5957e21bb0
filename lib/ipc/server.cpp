// What every backend of ipc::Server shares; the endpoint itself is in server_posix.cpp.
#include "ipc/server.hpp"

#include <nlohmann/json.hpp>

namespace ri::ipc {

std::string error_reply(std::string_view what) {
    return nlohmann::json{{"ok", false}, {"error", what}}.dump();
}

void Session::unsubscribe(std::string_view topic) {
    if (auto it = topics_.find(topic); it != topics_.end()) topics_.erase(it);
}

bool Session::subscribed(std::string_view topic) const {
    return topics_.find(topic) != topics_.end();
}

void Session::send(std::string_view line) {
    out_.append(line);
    out_ += '\n';
}

}  // namespace ri::ipc
