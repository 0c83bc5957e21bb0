#include "transfer/part_planner.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "core/error.hpp"
#include "core/units.hpp"

namespace ri::transfer {
namespace {

constexpr uint64_t kMiB = 1ull << 20;

uint64_t round_up(uint64_t v, uint64_t to) {
    return (v + to - 1) / to * to;
}

}  // namespace

uint64_t PartPlan::length(int number) const {
    uint64_t off = offset(number);
    return off >= size ? 0 : std::min(part_size, size - off);
}

PartPlan plan_upload(uint64_t size, const storage::Limits& limits, const PlanOptions& options) {
    PartPlan plan;
    // What goes over the wire: ciphertext is padded to the next whole block.
    plan.size = options.encrypted ? size + 16 - size % 16 : size;
    if (plan.size <= options.multipart_threshold && plan.size <= limits.max_single_put) {
        plan.part_size = std::max<uint64_t>(plan.size, 1);
        plan.parts = 1;
        plan.multipart = false;
        return plan;
    }
    uint64_t part = std::max({options.part_size, limits.min_part_size, uint64_t{1}});
    uint64_t needed = (plan.size + static_cast<uint64_t>(limits.max_parts) - 1) /
                      static_cast<uint64_t>(limits.max_parts);
    // Grown for the part-count limit: whole MiB. Else as requested, in whole AES blocks.
    part = needed > part ? round_up(needed, kMiB) : round_up(part, 16);
    if (part > limits.max_part_size) {
        throw Error::usage(
            fmt::format("{} is too large for this store: at most {} parts of {} each.",
                        units::bytes(size), limits.max_parts, units::bytes(limits.max_part_size)));
    }
    plan.part_size = part;
    plan.parts = static_cast<int>((plan.size + part - 1) / part);
    plan.multipart = true;
    return plan;
}

PartPlan plan_download(uint64_t size, uint64_t part_size) {
    PartPlan plan;
    plan.size = size;
    plan.part_size = std::max<uint64_t>(round_up(std::max<uint64_t>(part_size, 16), 16), 16);
    plan.parts = size == 0 ? 1 : static_cast<int>((size + plan.part_size - 1) / plan.part_size);
    plan.multipart = plan.parts > 1;
    return plan;
}

}  // namespace ri::transfer
