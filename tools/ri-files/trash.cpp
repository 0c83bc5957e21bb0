// ri-files trash list, put, recover and delete.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "cli/inputs.hpp"
#include "cli/renderers.hpp"
#include "core/terminal.hpp"
#include "files.hpp"
#include "platform/records.hpp"

namespace ri::files {
namespace {

using namespace platform;

struct TrashOptions {
    std::vector<std::string> ids;
    std::string folder;
    size_t limit = 0;
    bool all = false, yes = false;
};

struct TrashItem {
    std::string id, parent;
    bool folder;
};

// What to put in the trash: ids (their folder is --folder), or file and folder records whose
// folder_id / parent_id say where they are.
std::vector<TrashItem> items_to_trash(const TrashOptions& o) {
    std::vector<TrashItem> items;
    if (!o.ids.empty()) {
        for (const auto& id : o.ids)
            items.push_back({id, o.folder, false});
        return items;
    }
    if (terminal::stdin_is_terminal())
        throw Error::usage("No ids given: pass IDs or pipe file or folder records.");
    RecordReader reader(std::cin);
    while (auto rec = reader.next()) {
        const Json& r = rec->record;
        std::string k = r.value("kind", "");
        std::string id = k == "path" ? r.value("path", "") : r.value("id", "");
        if ((k != "path" && k != "file" && k != "folder") || id.empty())
            throw Error::bad_data(fmt::format(
                "stdin line {}: expected a file or folder record with an id.", rec->line));
        std::string parent =
            o.folder.empty() ? r.value(k == "folder" ? "parent_id" : "folder_id", "") : o.folder;
        items.push_back({id, parent, k == "folder"});
    }
    return items;
}

// The platform archives by parent folder: the parent is --folder, else the record's, else My
// Library (a file's GET answer does not say which folder it is in).
int run_put(Context& ctx, const TrashOptions& o) {
    auto items = items_to_trash(o);
    PlatformClient& c = ctx.connect();
    BatchOutcome outcome;
    std::string library;
    for (auto& item : items) {
        try {
            if (item.parent.empty()) {
                if (library.empty()) library = c.my_folders().my_library;
                item.parent = library;
            }
            if (item.folder)
                c.archive(item.parent, {}, {item.id});
            else
                c.archive(item.parent, {item.id}, {});
            ctx.tool.out().emit(
                {{"kind", item.folder ? "folder" : "file"}, {"id", item.id}, {"in_trash", true}},
                item.folder ? cli::folder_line : cli::file_line);
            outcome.success();
        } catch (const std::exception& e) {
            outcome.failure(ctx.tool.report_item(e));
        }
    }
    return to_int(outcome.exit_code());
}

int run_list(Context& ctx, const TrashOptions& o) {
    auto items = ctx.connect().trash(o.limit);
    ctx.tool.out().human_text(cli::item_header());
    for (const auto& item : items) {
        Json r = item_record(item);
        r["in_trash"] = true;
        ctx.tool.out().emit(r, cli::item_line);
    }
    return 0;
}

// The items named (or all): the trash listing tells files from folders; an id not in it is 66.
std::vector<const FolderItem*> chosen_items(const TrashOptions& o,
                                            const std::vector<FolderItem>& items) {
    std::vector<const FolderItem*> chosen;
    if (o.all) {
        for (const auto& item : items)
            chosen.push_back(&item);
        return chosen;
    }
    if (o.ids.empty() && terminal::stdin_is_terminal())
        throw Error::usage("Name the items (IDs) or use --all.");
    for (const auto& id : cli::ids_of(cli::collect_ids(o.ids, {"item", "file", "folder"}))) {
        auto it = std::find_if(items.begin(), items.end(),
                               [&](const FolderItem& i) { return i.id() == id; });
        if (it == items.end())
            throw Error::missing_input(fmt::format("{} is not in the trash.", id));
        chosen.push_back(&*it);
    }
    return chosen;
}

int run_recover_or_delete(Context& ctx, const TrashOptions& o, bool purge) {
    PlatformClient& c = ctx.connect();
    auto items = c.trash(0);
    auto chosen = chosen_items(o, items);
    if (o.all && chosen.empty()) {
        ctx.tool.out().human_text("The trash is empty.");
        return 0;
    }
    std::vector<std::string> files, folders;
    for (const auto* item : chosen)
        (item->type == FolderItem::Type::file ? files : folders).push_back(item->id());
    if (purge) {
        cli::confirm_destructive(
            o.yes, fmt::format("Delete {} from the trash for good", plural(chosen.size(), "item")));
        c.delete_from_trash(files, folders);
    } else {
        c.recover_from_trash(files, folders);
    }
    for (const auto* item : chosen) {
        Json r = item_record(*item);
        r[purge ? "deleted" : "recovered"] = true;
        ctx.tool.out().emit(r, cli::item_line);
    }
    return 0;
}

}  // namespace

void add_trash_verbs(Context& ctx, cli::Verbs& verbs) {
    auto o = std::make_shared<TrashOptions>();
    auto* trash = ctx.tool.app().add_subcommand(
        "trash", "List the trash, recover items from it, or purge them");
    auto* list = trash->add_subcommand("list", "List what is in the trash (the default)");
    list->add_option("--limit", o->limit, "At most N items")->type_name("N");
    auto* put = trash->add_subcommand("put", "Move files (or folder records) to the trash");
    put->add_option("ID", o->ids, "File ids (or file/folder records on stdin)")->type_name("ID");
    put->add_option("--folder", o->folder,
                    "The folder they are in (default: from the records, else My Library)")
        ->type_name("ID");
    auto* recover = trash->add_subcommand("recover", "Put items back where they were");
    recover->add_option("ID", o->ids, "Item ids (or records on stdin)")->type_name("ID");
    recover->add_flag("--all", o->all, "Every item in the trash");
    auto* del = trash->add_subcommand("delete", "Delete items from the trash for good");
    del->add_option("ID", o->ids, "Item ids (or records on stdin)")->type_name("ID");
    del->add_flag("--all", o->all, "Every item in the trash");
    add_yes(del, o->yes);
    verbs.push_back({put, [&ctx, o] { return run_put(ctx, *o); }});
    verbs.push_back({recover, [&ctx, o] { return run_recover_or_delete(ctx, *o, false); }});
    verbs.push_back({del, [&ctx, o] { return run_recover_or_delete(ctx, *o, true); }});
    // list, and "trash" alone, list the trash.
    verbs.push_back({list, [&ctx, o] { return run_list(ctx, *o); }});
    verbs.push_back({trash, [&ctx, o] { return run_list(ctx, *o); }});
}

}  // namespace ri::files
