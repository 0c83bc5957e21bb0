#include "platform/api_error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "core/redact.hpp"
#include "core/strings.hpp"

namespace ri::platform {
using strings::lower;

namespace {

using nlohmann::json;

void collect(const json& j, const std::string& field, std::vector<std::string>& out) {
    auto add = [&](const std::string& text) {
        if (text.empty()) return;
        bool plain = field.empty() || field == "detail" || field == "non_field_errors" ||
                     field == "__all__" || field == "error" || field == "message";
        out.push_back(plain ? text : field + ": " + text);
    };
    if (j.is_string()) {
        add(j.get<std::string>());
    } else if (j.is_array()) {
        bool all_strings =
            std::all_of(j.begin(), j.end(), [](const json& e) { return e.is_string(); });
        if (all_strings) {
            std::string joined;
            for (const auto& e : j)
                joined += (joined.empty() ? "" : " ") + e.get<std::string>();
            add(joined);
        } else {
            for (size_t i = 0; i < j.size(); ++i)
                collect(j[i], field.empty() ? "" : fmt::format("{}[{}]", field, i), out);
        }
    } else if (j.is_object()) {
        for (auto it = j.begin(); it != j.end(); ++it) {
            const std::string& key = it.key();
            bool plain = key == "detail" || key == "non_field_errors" || key == "__all__" ||
                         key == "error" || key == "message";
            std::string name = plain ? field : (field.empty() ? key : field + "." + key);
            collect(it.value(), name, out);
        }
    } else if (j.is_number() || j.is_boolean()) {
        add(j.dump());
    }
}

}  // namespace

std::string readable_error_body(std::string_view body) {
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded() || j.is_null()) return {};
    std::vector<std::string> parts;
    collect(j, "", parts);
    std::string out;
    for (const auto& p : parts)
        out += (out.empty() ? "" : "; ") + p;
    if (out.size() > 400) out = out.substr(0, 397) + "...";
    return redact(out);
}

bool is_conflict(long status, std::string_view body) {
    if (status == 409) return true;
    if (status != 400) return false;
    std::string b = lower(body);
    return b.find("already exists") != std::string::npos ||
           b.find("duplicate") != std::string::npos || b.find("conflict") != std::string::npos;
}

void throw_client_error(long status, std::string_view body, const CallInfo& call,
                        std::string_view host) {
    std::string said = readable_error_body(body);
    std::string detail = fmt::format("HTTP {} from {} while {}{}{}", status, host, call.action,
                                     body.empty() ? "" : ": ",
                                     redact(body.substr(0, std::min<size_t>(body.size(), 500))));
    if (status == 401 || status == 403) {
        throw ApiError(ExitCode::permission, status,
                       fmt::format("The API key was rejected by {} (HTTP {}{}). Check it with "
                                   "'ri-config check', or set RESCALE_API_KEY.",
                                   host, status, said.empty() ? "" : ": " + said),
                       detail);
    }
    if (status == 404) {
        std::string thing = call.thing.empty() ? "the resource" : call.thing;
        throw NotFoundError(
            ExitCode::missing_input, status,
            fmt::format("{} not found on {} (or not visible to this API key).", thing, host),
            detail);
    }
    if (is_conflict(status, body)) {
        throw ConflictError(
            ExitCode::cannot_create, status,
            fmt::format("{} failed: {}", call.action, said.empty() ? "it already exists." : said),
            detail);
    }
    throw ApiError(ExitCode::bad_data, status,
                   fmt::format("{} was refused by the platform (HTTP {}){}", call.action, status,
                               said.empty() ? "." : ": " + said),
                   detail);
}

}  // namespace ri::platform
