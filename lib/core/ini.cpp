#include "core/ini.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error.hpp"
#include "core/strings.hpp"

namespace ri {
using strings::iequals;
using strings::trim;
namespace {}  // namespace

IniDocument IniDocument::parse(std::string_view text) {
    IniDocument doc;
    std::string section;
    std::istringstream in{std::string(text)};
    std::string raw;
    while (std::getline(in, raw)) {
        Line line{raw, section, "", "", false};
        std::string t(trim(raw));
        if (t.size() >= 2 && t.front() == '[' && t.back() == ']') {
            section = trim(t.substr(1, t.size() - 2));
            line.section = section;
            line.header = true;
        } else if (!t.empty() && t[0] != '#' && t[0] != ';') {
            size_t eq = t.find_first_of("=:");
            if (eq != std::string::npos) {
                line.key = trim(t.substr(0, eq));
                line.value = trim(t.substr(eq + 1));
                if (line.value.size() >= 2 &&
                    ((line.value.front() == '"' && line.value.back() == '"') ||
                     (line.value.front() == '\'' && line.value.back() == '\''))) {
                    line.value = line.value.substr(1, line.value.size() - 2);
                }
            }
        }
        doc.lines_.push_back(std::move(line));
    }
    return doc;
}

IniDocument IniDocument::load(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        std::error_code ec;
        if (!std::filesystem::exists(path, ec)) return {};
        throw Error::config(fmt::format("Cannot read the configuration file '{}'.", path));
    }
    std::stringstream ss;
    ss << f.rdbuf();
    return parse(ss.str());
}

std::optional<std::string> IniDocument::get(std::string_view section, std::string_view key) const {
    for (const auto& l : lines_) {
        if (!l.header && !l.key.empty() && l.section == section && iequals(l.key, key))
            return l.value;
    }
    return std::nullopt;
}

bool IniDocument::has_section(std::string_view section) const {
    return std::any_of(lines_.begin(), lines_.end(),
                       [&](const Line& l) { return l.header && l.section == section; });
}

std::vector<std::string> IniDocument::sections() const {
    std::vector<std::string> out;
    for (const auto& l : lines_) {
        if (l.header) out.push_back(l.section);
    }
    return out;
}

void IniDocument::set(std::string_view section, std::string_view key, std::string_view value) {
    std::string raw = fmt::format("{} = {}", key, value);
    for (auto& l : lines_) {
        if (!l.header && !l.key.empty() && l.section == section && iequals(l.key, key)) {
            l.raw = raw;
            l.value = value;
            return;
        }
    }
    // Insert after the last non-blank line of the section, or append a new section.
    std::optional<size_t> insert_at;
    for (size_t i = 0; i < lines_.size(); ++i) {
        if (lines_[i].section == section && (lines_[i].header || !trim(lines_[i].raw).empty())) {
            insert_at = i + 1;
        }
    }
    if (!insert_at || (!has_section(section) && !section.empty())) {
        if (!lines_.empty() && !trim(lines_.back().raw).empty())
            lines_.push_back({"", "", "", "", false});
        lines_.push_back({fmt::format("[{}]", section), std::string(section), "", "", true});
        insert_at = lines_.size();
    }
    lines_.insert(lines_.begin() + static_cast<long>(*insert_at),
                  Line{raw, std::string(section), std::string(key), std::string(value), false});
}

bool IniDocument::remove(std::string_view section, std::string_view key) {
    auto it = std::find_if(lines_.begin(), lines_.end(), [&](const Line& l) {
        return !l.header && !l.key.empty() && l.section == section && iequals(l.key, key);
    });
    if (it == lines_.end()) return false;
    lines_.erase(it);
    return true;
}

std::string IniDocument::to_string() const {
    std::string out;
    for (const auto& l : lines_) {
        out += l.raw;
        out += '\n';
    }
    return out;
}

}  // namespace ri
