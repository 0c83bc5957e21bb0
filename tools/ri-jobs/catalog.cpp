// ri-jobs hardware and software: the core types and analyses on offer.
#include <fmt/format.h>

#include <algorithm>

#include "cli/renderers.hpp"
#include "core/strings.hpp"
#include "jobs.hpp"
#include "platform/job_records.hpp"

namespace ri::jobs {
namespace {

using namespace platform;

struct CatalogOptions {
    std::string search, code;
    bool all = false;
};

int list_hardware(Context& ctx, const CatalogOptions& o) {
    auto types = ctx.connect().coretypes(!o.all);
    std::sort(types.begin(), types.end(), [](const CoreType& a, const CoreType& b) {
        return a.display_order < b.display_order;
    });
    ctx.tool.out().human_text(cli::coretype_header());
    for (const auto& t : types) {
        if (!o.all && !t.is_active) continue;
        std::string hay = t.code + " " + t.name + " " + t.raw.value("processorInfo", "");
        if (!strings::icontains(hay, o.search)) continue;
        ctx.tool.out().emit(coretype_record(t), cli::coretype_line);
    }
    return 0;
}

int get_hardware(Context& ctx, const CatalogOptions& o) {
    for (const auto& t : ctx.connect().coretypes(false))
        if (t.code == o.code) {
            ctx.tool.out().human_text(cli::coretype_header());
            ctx.tool.out().emit(coretype_record(t), cli::coretype_line);
            return 0;
        }
    throw Error::missing_input(
        fmt::format("Core type '{}' not found (see ri-jobs hardware list --all).", o.code));
}

std::string analysis_detail(const Json& r) {
    std::string out = fmt::format("{} - {} ({})\n  {:<16} {:<20}  {}", r["code"].get<std::string>(),
                                  r["name"].get<std::string>(), r["vendor"].get<std::string>(),
                                  "VERSION", "VERSION CODE", "CORE TYPES");
    for (const auto& v : r["versions"]) {
        std::string types;
        for (const auto& t : v.value("allowed_core_types", Json::array()))
            types += (types.empty() ? "" : ",") + t.get<std::string>();
        out += fmt::format("\n  {:<16} {:<20}  {}", v["version"].get<std::string>(),
                           v["version_code"].get<std::string>(), types);
    }
    return out;
}

int list_software(Context& ctx, const CatalogOptions& o) {
    ctx.tool.out().human_text(cli::analysis_header());
    for (const auto& a : ctx.connect().analyses()) {
        if (!strings::icontains(a.code + " " + a.name + " " + a.vendor_name, o.search)) continue;
        ctx.tool.out().emit(analysis_record(a, false), cli::analysis_line);
    }
    return 0;
}

int get_software(Context& ctx, const CatalogOptions& o) {
    for (const auto& a : ctx.connect().analyses())
        if (a.code == o.code) {
            ctx.tool.out().emit(analysis_record(a, true), analysis_detail);
            return 0;
        }
    throw Error::missing_input(
        fmt::format("Analysis '{}' not found (see ri-jobs software list).", o.code));
}

}  // namespace

void add_hardware(Context& ctx, cli::Verbs& verbs) {
    auto o = std::make_shared<CatalogOptions>();
    auto* group = ctx.tool.app().add_subcommand("hardware", "The core types (hardware) on offer");
    group->require_subcommand(1);
    auto* list = group->add_subcommand("list", "List core types (active ones by default)");
    list->add_option("--search", o->search, "Only those whose code, name or CPU contains TEXT")
        ->type_name("TEXT");
    list->add_flag("--all", o->all, "Include retired core types");
    auto* get = group->add_subcommand("get", "Show one core type");
    get->add_option("CODE", o->code, "Core type code")->required();
    verbs.push_back({list, [&ctx, o] { return list_hardware(ctx, *o); }});
    verbs.push_back({get, [&ctx, o] { return get_hardware(ctx, *o); }});
}

void add_software(Context& ctx, cli::Verbs& verbs) {
    auto o = std::make_shared<CatalogOptions>();
    auto* group = ctx.tool.app().add_subcommand("software", "The analyses (software) on offer");
    group->require_subcommand(1);
    auto* list = group->add_subcommand("list", "List analyses and their versions");
    list->add_option("--search", o->search, "Only those whose code, name or vendor contains TEXT")
        ->type_name("TEXT");
    auto* get = group->add_subcommand("get", "Show one analysis with its version codes");
    get->add_option("CODE", o->code, "Analysis code")->required();
    verbs.push_back({list, [&ctx, o] { return list_software(ctx, *o); }});
    verbs.push_back({get, [&ctx, o] { return get_software(ctx, *o); }});
}

}  // namespace ri::jobs
