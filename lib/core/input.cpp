#include "core/input.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <iostream>

#include "core/cancel.hpp"
#include "core/error.hpp"

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

bool stdin_is_terminal() {
    return ::isatty(STDIN_FILENO) != 0;
}

std::vector<std::string> collect_inputs(const std::vector<std::string>& positional,
                                        const std::vector<std::string>& fields) {
    if (!positional.empty()) return positional;
    if (stdin_is_terminal()) {
        throw Error::usage("No input given: pass FILE arguments or pipe records on stdin.");
    }
    std::vector<std::string> out;
    RecordReader reader(std::cin);
    while (auto rec = reader.next()) {
        const Json& r = rec->record;
        bool found = false;
        for (const auto& f : fields) {
            auto it = r.find(f);
            if (it != r.end() && it->is_string() && !it->get<std::string>().empty()) {
                out.push_back(it->get<std::string>());
                found = true;
                break;
            }
        }
        if (!found) {
            throw Error::bad_data(fmt::format("stdin line {}: the record has no \"{}\" field.",
                                              rec->line, fmt::join(fields, "\" or \"")));
        }
    }
    if (out.empty()) throw Error::usage("No input given: stdin had no records.");
    return out;
}

void confirm_destructive(bool yes, const std::string& what) {
    if (yes) return;
    if (!stdin_is_terminal())
        throw Error::usage(
            fmt::format("Refusing to {} without --yes: there is no terminal to ask on.", what));
    std::cerr << fmt::format("{}? [y/N] ", what) << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes")
        throw Error::usage("Nothing done: not confirmed.");
}

}  // namespace ri
