// Records on stdout. Piped (or --json): one JSON object per line, every record with "kind",
// flushed as soon as it is true so a killed pipeline never carries a lie downstream. On a
// terminal (or --human): a human line per record, rendered by the tool.
#pragma once

#include <cstdio>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

namespace ri {

using Json = nlohmann::ordered_json;  // records keep "kind" first, fields in written order

enum class OutputMode { human, json };

// --json and --human override; otherwise JSON unless stdout is a terminal.
OutputMode resolve_output_mode(bool json_flag, bool human_flag);

class RecordWriter {
  public:
    using HumanRenderer = std::function<std::string(const Json&)>;

    explicit RecordWriter(OutputMode mode = OutputMode::json, std::FILE* out = stdout);

    OutputMode mode() const { return mode_; }
    // Thread-safe. The renderer is used in human mode; without one a generic
    // "kind key=value ..." line is printed.
    void emit(const Json& record, const HumanRenderer& human = {});
    // Text for human mode only (table headers, summaries); ignored in JSON mode.
    void human_text(const std::string& text);
    size_t records_written() const { return count_; }

  private:
    void write_line(const std::string& line);

    OutputMode mode_;
    std::FILE* out_;
    std::mutex mutex_;
    size_t count_ = 0;
};

// One JSON line with invalid UTF-8 replaced, never throwing on odd file names.
std::string to_json_line(const Json& record);
std::string generic_human_line(const Json& record);

}  // namespace ri
