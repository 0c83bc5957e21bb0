#include "core/atomic_file.hpp"

#include <cerrno>
#include <cstdio>

namespace ri {

AtomicOutput::AtomicOutput(std::string final_path, int mode)
    : final_path_(std::move(final_path)), partial_path_(final_path_ + kPartialSuffix) {
    file_ = File::create(partial_path_, mode);
}

AtomicOutput::~AtomicOutput() {
    if (!done_) discard();
}

void AtomicOutput::commit() {
    file_.close();
    if (std::rename(partial_path_.c_str(), final_path_.c_str()) != 0) {
        int err = errno;
        discard();
        throw file_error(FileRole::output, final_path_, err, "renaming into place");
    }
    done_ = true;
}

void AtomicOutput::discard() noexcept {
    if (done_) return;
    done_ = true;
    try {
        file_.close();
    } catch (...) {
        // The partial file is being thrown away; a close error on it changes nothing.
    }
    remove_file(partial_path_);
}

}  // namespace ri
