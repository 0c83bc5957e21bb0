// ri-files: the Rescale library from the command line: list, show, move, tag and delete files;
// create, list and delete folders; list, recover and purge the trash.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>

#include "core/cli.hpp"
#include "core/config.hpp"
#include "core/error.hpp"
#include "core/input.hpp"
#include "platform/platform_client.hpp"
#include "platform/records.hpp"
#include "platform/tool_client.hpp"

using namespace ri;
using namespace ri::platform;

namespace {

struct Options {
    AccountOptions account;
    std::vector<std::string> ids, add_tags, remove_tags;
    std::string folder, parent, search, name;
    size_t limit = 0;
    bool yes = false, all = false;
};

std::unique_ptr<PlatformClient> connect(ToolRunner& tool, const Options& o) {
    return platform::client_for_tool(tool, load_config(tool, o.account));
}

// Ids from the arguments, else from stdin: a bare id per line, or records of the given kind
// ("file" records from ri-files list / ri-upload, "folder" records) whose "id" is taken.
std::vector<std::string> collect_ids(const std::vector<std::string>& args, std::string_view kind) {
    if (!args.empty()) return args;
    if (stdin_is_terminal())
        throw Error::usage(
            fmt::format("No {} ids given: pass IDs or pipe {} records on stdin.", kind, kind));
    std::vector<std::string> out;
    RecordReader reader(std::cin);
    while (auto rec = reader.next()) {
        const Json& r = rec->record;
        std::string k =
            r.contains("kind") && r["kind"].is_string() ? r["kind"].get<std::string>() : "";
        if (k == "path") {  // a bare line
            out.push_back(r["path"].get<std::string>());
            continue;
        }
        if (!k.empty() && k != kind && !(kind == "item" && (k == "file" || k == "folder")))
            throw Error::bad_data(
                fmt::format("stdin line {}: a '{}' record; this command takes {} records.",
                            rec->line, k, kind));
        if (!r.contains("id") || !r["id"].is_string() || r["id"].get<std::string>().empty())
            throw Error::bad_data(
                fmt::format("stdin line {}: the record has no \"id\" field.", rec->line));
        out.push_back(r["id"].get<std::string>());
    }
    if (out.empty()) throw Error::usage("No input given: stdin had no records.");
    return out;
}

std::string plural(size_t n, std::string_view one) {
    return n == 1 ? fmt::format("1 {}", one) : fmt::format("{} {}s", n, one);
}

bool name_matches(const std::string& name, const std::string& search) {
    if (search.empty()) return true;
    auto lower = [](std::string s) {
        std::transform(s.begin(), s.end(), s.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return s;
    };
    return lower(name).find(lower(search)) != std::string::npos;
}

int run_list(ToolRunner& tool, PlatformClient& c, const Options& o) {
    tool.out().human_text(item_header());
    size_t shown = 0;
    auto emit = [&](const CloudFile& f) {
        tool.out().emit(file_record(f), file_line);
        return o.limit == 0 || ++shown < o.limit;
    };
    if (o.folder.empty()) {
        FileQuery q;
        q.search = o.search;
        q.limit = o.limit;
        c.list_files(
            q, [&](const CloudFile& f) { return !name_matches(f.name, o.search) || emit(f); });
    } else {
        // A folder listing has no server-side search: its files are filtered here.
        c.folder_contents(o.folder, [&](const FolderItem& item) {
            if (item.type != FolderItem::Type::file || !name_matches(item.name(), o.search))
                return true;
            return emit(item.file);
        });
    }
    return 0;
}

int run_get(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto ids = collect_ids(o.ids, "file");
    return tool.each(ids, [&](const std::string& id) {
        tool.out().emit(file_record(c.get_file(id)), file_line);
    });
}

int run_delete(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto ids = collect_ids(o.ids, "file");
    confirm_destructive(
        o.yes,
        fmt::format("Delete {} from the Rescale library ({})", plural(ids.size(), "file"),
                    fmt::join(ids.begin(), ids.begin() + std::min<size_t>(ids.size(), 5), ", ")));
    return tool.each(ids, [&](const std::string& id) {
        c.delete_file(id);
        tool.out().emit({{"kind", "file"}, {"id", id}, {"deleted", true}}, file_line);
    });
}

int run_move(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto ids = collect_ids(o.ids, "file");
    return tool.each(ids, [&](const std::string& id) {
        Json r = file_record(c.move_file(id, o.folder));
        r["folder_id"] = o.folder;
        r["moved"] = true;
        tool.out().emit(r, file_line);
    });
}

int run_tag(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto ids = collect_ids(o.ids, "file");
    return tool.each(ids, [&](const std::string& id) {
        for (const auto& t : o.add_tags)
            c.add_file_tag(id, t);
        for (const auto& t : o.remove_tags)
            c.remove_file_tag(id, t);
        Json tags = Json::array();
        for (const auto& t : c.file_tags(id))
            tags.push_back(t.name);
        tool.out().emit({{"kind", "file"}, {"id", id}, {"tags", tags}}, file_line);
    });
}

std::string library_or(PlatformClient& c, const std::string& folder) {
    return folder.empty() ? c.my_folders().my_library : folder;
}

int run_folders_create(ToolRunner& tool, PlatformClient& c, const Options& o) {
    Folder f = c.create_folder(library_or(c, o.parent), o.name);
    Json r = folder_record(f);
    r["created"] = true;
    tool.out().emit(r, folder_line);
    return 0;
}

int run_folders_list(ToolRunner& tool, PlatformClient& c, const Options& o, bool folders_only,
                     const std::string& folder) {
    tool.out().human_text(item_header());
    c.folder_contents(
        library_or(c, folder),
        [&](const FolderItem& item) {
            if (folders_only && item.type != FolderItem::Type::folder) return true;
            tool.out().emit(item_record(item), item_line);
            return true;
        },
        folders_only ? 0 : o.limit);
    return 0;
}

int run_folders_delete(ToolRunner& tool, PlatformClient& c, const Options& o) {
    auto ids = collect_ids(o.ids, "folder");
    confirm_destructive(
        o.yes,
        fmt::format("Delete {} and everything in them ({})", plural(ids.size(), "folder"),
                    fmt::join(ids.begin(), ids.begin() + std::min<size_t>(ids.size(), 5), ", ")));
    return tool.each(ids, [&](const std::string& id) {
        c.delete_folder(id);
        tool.out().emit({{"kind", "folder"}, {"id", id}, {"deleted", true}}, folder_line);
    });
}

// Moves files (and folders, from folder records) to the trash. The platform archives by parent
// folder: the parent is --folder, else the record's folder_id / parent_id, else My Library (a
// file's GET answer does not say which folder it is in).
int run_trash_put(ToolRunner& tool, PlatformClient& c, const Options& o) {
    struct Item {
        std::string id, parent;
        bool folder;
    };
    std::vector<Item> items;
    if (!o.ids.empty()) {
        for (const auto& id : o.ids)
            items.push_back({id, o.folder, false});
    } else {
        if (stdin_is_terminal())
            throw Error::usage("No ids given: pass IDs or pipe file or folder records.");
        RecordReader reader(std::cin);
        while (auto rec = reader.next()) {
            const Json& r = rec->record;
            std::string k = r.value("kind", "");
            std::string id = k == "path" ? r.value("path", "") : r.value("id", "");
            if ((k != "path" && k != "file" && k != "folder") || id.empty())
                throw Error::bad_data(fmt::format(
                    "stdin line {}: expected a file or folder record with an id.", rec->line));
            std::string parent = o.folder.empty()
                                     ? r.value(k == "folder" ? "parent_id" : "folder_id", "")
                                     : o.folder;
            items.push_back({id, parent, k == "folder"});
        }
    }
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
            tool.out().emit(
                {{"kind", item.folder ? "folder" : "file"}, {"id", item.id}, {"in_trash", true}},
                item.folder ? folder_line : file_line);
            outcome.success();
        } catch (const std::exception& e) {
            outcome.failure(tool.report_item(e));
        }
    }
    return to_int(outcome.exit_code());
}

int run_trash(ToolRunner& tool, PlatformClient& c, const Options& o, const std::string& action) {
    auto items = c.trash(action == "list" ? o.limit : 0);
    if (action == "list") {
        tool.out().human_text(item_header());
        for (const auto& item : items) {
            Json r = item_record(item);
            r["in_trash"] = true;
            tool.out().emit(r, item_line);
        }
        return 0;
    }
    // recover / delete: the trash listing tells files from folders; an id not in it is 66.
    std::vector<const FolderItem*> chosen;
    if (o.all) {
        for (const auto& item : items)
            chosen.push_back(&item);
        if (chosen.empty()) {
            tool.out().human_text("The trash is empty.");
            return 0;
        }
    } else {
        if (o.ids.empty() && stdin_is_terminal())
            throw Error::usage("Name the items (IDs) or use --all.");
        auto ids = collect_ids(o.ids, "item");
        for (const auto& id : ids) {
            auto it = std::find_if(items.begin(), items.end(),
                                   [&](const FolderItem& i) { return i.id() == id; });
            if (it == items.end())
                throw Error::missing_input(fmt::format("{} is not in the trash.", id));
            chosen.push_back(&*it);
        }
    }
    std::vector<std::string> files, folders;
    for (const auto* item : chosen)
        (item->type == FolderItem::Type::file ? files : folders).push_back(item->id());
    if (action == "delete") {
        confirm_destructive(
            o.yes, fmt::format("Delete {} from the trash for good", plural(chosen.size(), "item")));
        c.delete_from_trash(files, folders);
    } else {
        c.recover_from_trash(files, folders);
    }
    for (const auto* item : chosen) {
        Json r = item_record(*item);
        r[action == "delete" ? "deleted" : "recovered"] = true;
        tool.out().emit(r, item_line);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    ToolRunner tool("ri-files", "The Rescale library: files, folders, tags and the trash");
    CLI::App& app = tool.app();
    app.require_subcommand(1);
    Options o;
    add_account_options(tool, o.account);

    auto ids_arg = [&](CLI::App* sub, const char* what) {
        sub->add_option("ID", o.ids, what)->type_name("ID");
    };
    auto yes_flag = [&](CLI::App* sub) {
        sub->add_flag("-y,--yes", o.yes, "Do it without asking (needed when not on a terminal)");
    };
    auto* list =
        app.add_subcommand("list", "List library files (newest first), or a folder's files");
    list->add_option("--folder", o.folder, "Only the files in this folder")->type_name("ID");
    list->add_option("--search", o.search, "Only files whose name contains TEXT (any case)")
        ->type_name("TEXT");
    list->add_option("--limit", o.limit, "At most N files")->type_name("N");
    auto* get = app.add_subcommand("get", "Show files by id");
    ids_arg(get, "File ids (or file records on stdin)");
    auto* del = app.add_subcommand("delete", "Delete files from the library");
    ids_arg(del, "File ids (or file records on stdin)");
    yes_flag(del);
    auto* move = app.add_subcommand("move", "Move files into a folder");
    ids_arg(move, "File ids (or file records on stdin)");
    move->add_option("--folder", o.folder, "The destination folder")->type_name("ID")->required();
    auto* tag = app.add_subcommand("tag", "Add and remove tags of files, then show their tags");
    ids_arg(tag, "File ids (or file records on stdin)");
    tag->add_option("--add", o.add_tags, "Add this tag (repeatable)")
        ->type_name("TAG")
        ->allow_extra_args(false);
    tag->add_option("--remove", o.remove_tags, "Remove this tag (repeatable)")
        ->type_name("TAG")
        ->allow_extra_args(false);

    auto* folders = app.add_subcommand("folders", "Create, list and delete folders");
    folders->require_subcommand(1);
    auto* fcreate = folders->add_subcommand("create", "Create a folder");
    fcreate->add_option("NAME", o.name, "Name of the new folder")->required();
    fcreate->add_option("--parent", o.parent, "Parent folder (default: My Library)")
        ->type_name("ID");
    auto* flist = folders->add_subcommand("list", "List the folders in a folder");
    flist->add_option("--parent", o.parent, "Parent folder (default: My Library)")->type_name("ID");
    auto* fcontents = folders->add_subcommand("contents", "List a folder's files and folders");
    fcontents->add_option("ID", o.folder, "The folder (default: My Library)")->type_name("ID");
    fcontents->add_option("--limit", o.limit, "At most N items")->type_name("N");
    auto* fdelete = folders->add_subcommand("delete", "Delete folders");
    fdelete->add_option("ID", o.ids, "Folder ids (or folder records on stdin)")->type_name("ID");
    yes_flag(fdelete);

    auto* trash =
        app.add_subcommand("trash", "List the trash, recover items from it, or purge them");
    auto* tlist = trash->add_subcommand("list", "List what is in the trash (the default)");
    tlist->add_option("--limit", o.limit, "At most N items")->type_name("N");
    auto* tput = trash->add_subcommand("put", "Move files (or folder records) to the trash");
    tput->add_option("ID", o.ids, "File ids (or file/folder records on stdin)")->type_name("ID");
    tput->add_option("--folder", o.folder,
                     "The folder they are in (default: from the records, else My Library)")
        ->type_name("ID");
    auto* trecover = trash->add_subcommand("recover", "Put items back where they were");
    trecover->add_option("ID", o.ids, "Item ids (or records on stdin)")->type_name("ID");
    trecover->add_flag("--all", o.all, "Every item in the trash");
    auto* tdelete = trash->add_subcommand("delete", "Delete items from the trash for good");
    tdelete->add_option("ID", o.ids, "Item ids (or records on stdin)")->type_name("ID");
    tdelete->add_flag("--all", o.all, "Every item in the trash");
    yes_flag(tdelete);

    return tool.run(argc, argv, [&]() -> int {
        auto client = connect(tool, o);
        PlatformClient& c = *client;
        if (list->parsed()) return run_list(tool, c, o);
        if (get->parsed()) return run_get(tool, c, o);
        if (del->parsed()) return run_delete(tool, c, o);
        if (move->parsed()) return run_move(tool, c, o);
        if (tag->parsed()) return run_tag(tool, c, o);
        if (fcreate->parsed()) return run_folders_create(tool, c, o);
        if (flist->parsed()) return run_folders_list(tool, c, o, true, o.parent);
        if (fcontents->parsed()) return run_folders_list(tool, c, o, false, o.folder);
        if (fdelete->parsed()) return run_folders_delete(tool, c, o);
        if (tput->parsed()) return run_trash_put(tool, c, o);
        if (trecover->parsed()) return run_trash(tool, c, o, "recover");
        if (tdelete->parsed()) return run_trash(tool, c, o, "delete");
        if (trash->parsed()) return run_trash(tool, c, o, "list");
        return to_int(ExitCode::usage);
    });
}
