// Inputs: positional arguments, or (when there are none and stdin is not a terminal) JSON lines
// on stdin. A bare line is taken as a path or id; a line that starts like JSON must parse as an
// object, or the run stops with bad_data (65) naming the line number.
#pragma once

#include <istream>
#include <optional>
#include <string>
#include <vector>

#include "core/output.hpp"

namespace ri {

struct InputRecord {
    size_t line = 0;  // 1-based line number on stdin; 0 for a positional argument
    Json record;      // always an object; a bare line becomes {"kind":"path","path":LINE}
};

class RecordReader {
  public:
    explicit RecordReader(std::istream& in) : in_(in) {}
    // Next non-empty line as a record; nullopt at EOF. Throws Error::bad_data on malformed JSON.
    std::optional<InputRecord> next();

  private:
    std::istream& in_;
    size_t line_ = 0;
};

}  // namespace ri
