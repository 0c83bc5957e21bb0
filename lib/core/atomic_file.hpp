// An output file that only ever appears under its final name complete: bytes go to
// NAME.ri-partial, commit() renames it into place, and destruction without commit removes it.
#pragma once

#include <string>

#include "core/file.hpp"

namespace ri {

inline constexpr const char* kPartialSuffix = ".ri-partial";

class AtomicOutput {
  public:
    // Creates NAME.ri-partial (truncating a stale one) with the given mode. Fails with
    // cannot_create (73) when the directory is missing or not writable.
    explicit AtomicOutput(std::string final_path, int mode = 0644);
    AtomicOutput(const AtomicOutput&) = delete;
    AtomicOutput& operator=(const AtomicOutput&) = delete;
    ~AtomicOutput();

    File& file() { return file_; }
    const std::string& final_path() const { return final_path_; }
    const std::string& partial_path() const { return partial_path_; }

    // Closes (surfacing deferred write errors) and renames into place, replacing an old file.
    void commit();
    // Removes the partial file now; also done by the destructor when not committed.
    void discard() noexcept;

  private:
    std::string final_path_;
    std::string partial_path_;
    File file_;
    bool done_ = false;
};

}  // namespace ri
