#include "core/output.hpp"

#include <cerrno>

#include "core/error.hpp"
#include "core/terminal.hpp"

namespace ri {

OutputMode resolve_output_mode(bool json_flag, bool human_flag) {
    if (json_flag) return OutputMode::json;
    if (human_flag) return OutputMode::human;
    return terminal::stdout_is_terminal() ? OutputMode::human : OutputMode::json;
}

RecordWriter::RecordWriter(OutputMode mode, std::FILE* out) : mode_(mode), out_(out) {}

std::string to_json_line(const Json& record) {
    return record.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string generic_human_line(const Json& record) {
    std::string line = record.value("kind", std::string("record"));
    for (const auto& [key, value] : record.items()) {
        if (key == "kind") continue;
        line += "  " + key + "=";
        line += value.is_string() ? value.get<std::string>() : to_json_line(value);
    }
    return line;
}

void RecordWriter::emit(const Json& record, const HumanRenderer& human) {
    if (mode_ == OutputMode::json) {
        write_line(to_json_line(record));
    } else {
        write_line(human ? human(record) : generic_human_line(record));
    }
}

void RecordWriter::human_text(const std::string& text) {
    if (mode_ == OutputMode::human) write_line(text);
}

void RecordWriter::write_line(const std::string& line) {
    std::lock_guard lock(mutex_);
    if (std::fputs(line.c_str(), out_) < 0 || std::fputc('\n', out_) == EOF ||
        std::fflush(out_) != 0) {
        int err = errno;
        if (err == EPIPE)
            throw Error::io("The output pipe was closed by the reader.", "EPIPE on stdout");
        throw Error::io("Could not write to standard output.", std::strerror(err));
    }
    ++count_;
}

}  // namespace ri
