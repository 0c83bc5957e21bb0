#include "cli/batch_report.hpp"

#include <fmt/format.h>

namespace ri::cli {

void BatchReport::done(const Json& record, const RecordWriter::HumanRenderer& human,
                       std::string_view skipped_because) {
    if (!skipped_because.empty()) tool_.warn(skipped_because);
    tool_.out().emit(record, human);
    outcome_.success();
}

void BatchReport::failed(const std::exception& e, std::string_view what) {
    if (!what.empty()) tool_.warn(fmt::format("failed to {}:", what));
    outcome_.failure(tool_.report_item(e));
}

void BatchReport::run(Progress::ItemId item, const std::function<Json()>& fn,
                      const RecordWriter::HumanRenderer& human) {
    try {
        done(fn(), human);
    } catch (const std::exception& e) {
        tool_.progress().fail(item, e);
        failed(e);
    }
}

}  // namespace ri::cli
