#include "core/input.hpp"

#include <fmt/format.h>

#include <iostream>

#include "core/cancel.hpp"
#include "core/error.hpp"
#include "core/terminal.hpp"

namespace ri {

std::optional<InputRecord> RecordReader::next() {
    std::string line;
    while (std::getline(in_, line)) {
        ++line_;
        if (!line.empty() && line.back() == '\r') line.pop_back();
        size_t start = line.find_first_not_of(" \t");
        if (start == std::string::npos) continue;
        char first = line[start];
        if (first == '{' || first == '[' || first == '"') {
            Json parsed = Json::parse(line, nullptr, /*allow_exceptions=*/false);
            if (parsed.is_discarded()) {
                throw Error::bad_data(fmt::format("stdin line {}: malformed JSON record.", line_),
                                      fmt::format("could not parse: {:.200}", line));
            }
            if (parsed.is_string()) {
                return InputRecord{line_,
                                   Json{{"kind", "path"}, {"path", parsed.get<std::string>()}}};
            }
            if (!parsed.is_object()) {
                throw Error::bad_data(
                    fmt::format("stdin line {}: expected a JSON object (a record), got {}.", line_,
                                parsed.type_name()));
            }
            return InputRecord{line_, std::move(parsed)};
        }
        return InputRecord{line_, Json{{"kind", "path"}, {"path", line}}};
    }
    cancel::check();  // Ctrl+C while waiting for input ends the stream too: that is no EOF
    if (in_.bad()) throw Error::io("Could not read standard input.");
    return std::nullopt;
}

}  // namespace ri
