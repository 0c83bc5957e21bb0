#include "cli/inputs.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <iostream>

#include "core/error.hpp"
#include "core/terminal.hpp"

namespace ri::cli {

std::vector<IdInput> collect_ids(const std::vector<std::string>& args,
                                 const std::vector<std::string>& kinds, bool required) {
    std::vector<IdInput> out;
    for (const auto& a : args)
        out.push_back({a, Json()});
    const std::string& kind = kinds.front();
    if (!args.empty() || terminal::stdin_is_terminal()) {
        if (out.empty() && required)
            throw Error::usage(
                fmt::format("No {} ids given: pass IDs or pipe {} records on stdin.", kind, kind));
        return out;
    }
    RecordReader reader(std::cin);
    while (auto rec = reader.next()) {
        const Json& r = rec->record;
        std::string k =
            r.contains("kind") && r["kind"].is_string() ? r["kind"].get<std::string>() : "";
        if (k == "path") {  // a bare line
            out.push_back({r["path"].get<std::string>(), Json()});
            continue;
        }
        // A record without "kind" is taken for its id; one of another kind is a mistake.
        if (!k.empty() && std::find(kinds.begin(), kinds.end(), k) == kinds.end())
            throw Error::bad_data(
                fmt::format("stdin line {}: a '{}' record; this command takes {} records.",
                            rec->line, k, kind));
        if (!r.contains("id") || !r["id"].is_string() || r["id"].get<std::string>().empty())
            throw Error::bad_data(
                fmt::format("stdin line {}: the record has no \"id\" field.", rec->line));
        out.push_back({r["id"].get<std::string>(), r});
    }
    if (out.empty() && required) throw Error::usage("No input given: stdin had no records.");
    return out;
}

std::vector<std::string> ids_of(const std::vector<IdInput>& inputs) {
    std::vector<std::string> out;
    for (const auto& i : inputs)
        out.push_back(i.id);
    return out;
}

void for_each_input(const std::vector<std::string>& positional,
                    const std::vector<std::string>& fields,
                    const std::function<void(const std::string&)>& fn) {
    if (!positional.empty()) {
        for (const auto& p : positional)
            fn(p);
        return;
    }
    if (terminal::stdin_is_terminal())
        throw Error::usage("No input given: pass arguments or pipe records on stdin.");
    RecordReader reader(std::cin);
    size_t n = 0;
    while (auto rec = reader.next()) {
        std::string value;
        for (const auto& f : fields) {
            auto it = rec->record.find(f);
            if (it != rec->record.end() && it->is_string() && !it->get<std::string>().empty()) {
                value = it->get<std::string>();
                break;
            }
        }
        if (value.empty())
            throw Error::bad_data(fmt::format("stdin line {}: the record has no \"{}\" field.",
                                              rec->line, fmt::join(fields, "\" or \"")));
        ++n;
        fn(value);
    }
    if (n == 0) throw Error::usage("No input given: stdin had no records.");
}

std::vector<std::string> collect_inputs(const std::vector<std::string>& positional,
                                        const std::vector<std::string>& fields) {
    std::vector<std::string> out;
    for_each_input(positional, fields, [&](const std::string& p) { out.push_back(p); });
    return out;
}

void confirm_destructive(bool yes, const std::string& what) {
    if (yes) return;
    if (!terminal::stdin_is_terminal())
        throw Error::usage(
            fmt::format("Refusing to {} without --yes: there is no terminal to ask on.", what));
    std::cerr << fmt::format("{}? [y/N] ", what) << std::flush;
    std::string answer;
    std::getline(std::cin, answer);
    if (answer != "y" && answer != "Y" && answer != "yes")
        throw Error::usage("Nothing done: not confirmed.");
}

}  // namespace ri::cli
