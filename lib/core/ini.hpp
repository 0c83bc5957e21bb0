// INI files as rescale-cli and Interlink write them (~/.config/rescale/apiconfig). Hand-written
// because ri must edit a user's file in place: `ri-config set` changes one key and keeps every
// other line, comment and section as the user wrote it, which no Debian-packaged INI library
// (inih, boost::property_tree) does — they parse, or rewrite the whole file without comments.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ri {

class IniDocument {
  public:
    static IniDocument parse(std::string_view text);
    // Missing file -> empty document; unreadable -> Error.
    static IniDocument load(const std::string& path);

    // Keys are matched case-insensitively, sections exactly (as rescale-cli does).
    std::optional<std::string> get(std::string_view section, std::string_view key) const;
    bool has_section(std::string_view section) const;
    std::vector<std::string> sections() const;
    // Replaces the first existing key in the section, or appends to the section (creating it).
    void set(std::string_view section, std::string_view key, std::string_view value);
    bool remove(std::string_view section, std::string_view key);
    std::string to_string() const;

  private:
    struct Line {
        std::string raw;
        std::string section;  // section this line belongs to ("" before the first header)
        std::string key;      // empty for comments, blanks and headers
        std::string value;
        bool header = false;
    };
    std::vector<Line> lines_;
};

}  // namespace ri
