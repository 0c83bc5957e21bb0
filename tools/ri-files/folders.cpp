// ri-files folders create, list, contents and delete.
#include <fmt/format.h>

#include "cli/inputs.hpp"
#include "cli/renderers.hpp"
#include "files.hpp"
#include "platform/records.hpp"

namespace ri::files {
namespace {

using namespace platform;

struct FolderOptions {
    std::vector<std::string> ids;
    std::string name, parent, folder;
    size_t limit = 0;
    bool yes = false;
};

std::string library_or(PlatformClient& c, const std::string& folder) {
    return folder.empty() ? c.my_folders().my_library : folder;
}

int run_create(Context& ctx, const FolderOptions& o) {
    PlatformClient& c = ctx.connect();
    Json r = folder_record(c.create_folder(library_or(c, o.parent), o.name));
    r["created"] = true;
    ctx.tool.out().emit(r, cli::folder_line);
    return 0;
}

int run_list(Context& ctx, const FolderOptions& o, bool folders_only, const std::string& folder) {
    PlatformClient& c = ctx.connect();
    ctx.tool.out().human_text(cli::item_header());
    c.folder_contents(
        library_or(c, folder),
        [&](const FolderItem& item) {
            if (folders_only && item.type != FolderItem::Type::folder) return true;
            ctx.tool.out().emit(item_record(item), cli::item_line);
            return true;
        },
        folders_only ? 0 : o.limit);
    return 0;
}

int run_delete(Context& ctx, const FolderOptions& o) {
    auto ids = cli::ids_of(cli::collect_ids(o.ids, {"folder"}));
    cli::confirm_destructive(o.yes, fmt::format("Delete {} and everything in them ({})",
                                                plural(ids.size(), "folder"), some_of(ids)));
    PlatformClient& c = ctx.connect();
    return ctx.tool.each(ids, [&](const std::string& id) {
        c.delete_folder(id);
        ctx.tool.out().emit({{"kind", "folder"}, {"id", id}, {"deleted", true}}, cli::folder_line);
    });
}

}  // namespace

void add_folder_verbs(Context& ctx, cli::Verbs& verbs) {
    auto o = std::make_shared<FolderOptions>();
    auto* folders = ctx.tool.app().add_subcommand("folders", "Create, list and delete folders");
    folders->require_subcommand(1);
    auto* create = folders->add_subcommand("create", "Create a folder");
    create->add_option("NAME", o->name, "Name of the new folder")->required();
    create->add_option("--parent", o->parent, "Parent folder (default: My Library)")
        ->type_name("ID");
    auto* list = folders->add_subcommand("list", "List the folders in a folder");
    list->add_option("--parent", o->parent, "Parent folder (default: My Library)")->type_name("ID");
    auto* contents = folders->add_subcommand("contents", "List a folder's files and folders");
    contents->add_option("ID", o->folder, "The folder (default: My Library)")->type_name("ID");
    contents->add_option("--limit", o->limit, "At most N items")->type_name("N");
    auto* del = folders->add_subcommand("delete", "Delete folders");
    del->add_option("ID", o->ids, "Folder ids (or folder records on stdin)")->type_name("ID");
    add_yes(del, o->yes);
    verbs.push_back({create, [&ctx, o] { return run_create(ctx, *o); }});
    verbs.push_back({list, [&ctx, o] { return run_list(ctx, *o, true, o->parent); }});
    verbs.push_back({contents, [&ctx, o] { return run_list(ctx, *o, false, o->folder); }});
    verbs.push_back({del, [&ctx, o] { return run_delete(ctx, *o); }});
}

}  // namespace ri::files
