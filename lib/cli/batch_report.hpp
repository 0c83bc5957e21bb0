// What a batch tool tells its user of each item, once per item and in one wording: a finished
// item's record on stdout (after a warning when it was skipped), a failed one as "failed to
// WHAT:" then the error, its exit class kept for the batch. run() ends a failed item's progress
// before reporting it, so a supervisor reading --progress json sees its fate from the events.
#pragma once

#include <exception>
#include <functional>
#include <string_view>

#include "cli/tool_runner.hpp"
#include "core/error.hpp"
#include "core/output.hpp"
#include "core/progress.hpp"

namespace ri::cli {

class BatchReport {
  public:
    explicit BatchReport(ToolRunner& tool) : tool_(tool) {}

    // An item done: skipped_because (not empty) is warned first, then the record is emitted.
    void done(const Json& record, const RecordWriter::HumanRenderer& human,
              std::string_view skipped_because = {});
    // An item failed: "failed to WHAT:" (when given) and the error; an interrupt is rethrown.
    void failed(const std::exception& e, std::string_view what = {});
    // Runs one item whose progress is `item`: the record fn returns is emitted; a failure ends
    // the item failed and is reported, and the batch goes on.
    void run(Progress::ItemId item, const std::function<Json()>& fn,
             const RecordWriter::HumanRenderer& human);

    int exit_code() const { return to_int(outcome_.exit_code()); }

  private:
    ToolRunner& tool_;
    BatchOutcome outcome_;
};

}  // namespace ri::cli
