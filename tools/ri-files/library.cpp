// ri-files list, get, delete, move and tag: the library's files.
#include <fmt/format.h>

#include "cli/inputs.hpp"
#include "cli/renderers.hpp"
#include "core/strings.hpp"
#include "files.hpp"
#include "platform/records.hpp"

namespace ri::files {
namespace {

using namespace platform;

struct ListOptions {
    std::string folder, search;
    size_t limit = 0;
};

int run_list(Context& ctx, const ListOptions& o) {
    PlatformClient& c = ctx.connect();
    ctx.tool.out().human_text(cli::item_header());
    size_t shown = 0;
    auto emit = [&](const CloudFile& f) {
        ctx.tool.out().emit(file_record(f), cli::file_line);
        return o.limit == 0 || ++shown < o.limit;
    };
    if (o.folder.empty()) {
        FileQuery q;
        q.search = o.search;
        q.limit = o.limit;
        c.list_files(q, [&](const CloudFile& f) {
            return !strings::icontains(f.name, o.search) || emit(f);
        });
    } else {
        // A folder listing has no server-side search: its files are filtered here.
        c.folder_contents(o.folder, [&](const FolderItem& item) {
            if (item.type != FolderItem::Type::file || !strings::icontains(item.name(), o.search))
                return true;
            return emit(item.file);
        });
    }
    return 0;
}

struct FilesOptions {
    std::vector<std::string> ids, add_tags, remove_tags;
    std::string folder;
    bool yes = false;
};

std::vector<std::string> file_ids(const FilesOptions& o) {
    return cli::ids_of(cli::collect_ids(o.ids, {"file"}));
}

int run_delete(Context& ctx, const FilesOptions& o) {
    auto ids = file_ids(o);
    cli::confirm_destructive(o.yes, fmt::format("Delete {} from the Rescale library ({})",
                                                plural(ids.size(), "file"), some_of(ids)));
    PlatformClient& c = ctx.connect();
    return ctx.tool.each(ids, [&](const std::string& id) {
        c.delete_file(id);
        ctx.tool.out().emit({{"kind", "file"}, {"id", id}, {"deleted", true}}, cli::file_line);
    });
}

int run_move(Context& ctx, const FilesOptions& o) {
    auto ids = file_ids(o);
    PlatformClient& c = ctx.connect();
    return ctx.tool.each(ids, [&](const std::string& id) {
        Json r = file_record(c.move_file(id, o.folder));
        r["folder_id"] = o.folder;
        r["moved"] = true;
        ctx.tool.out().emit(r, cli::file_line);
    });
}

int run_tag(Context& ctx, const FilesOptions& o) {
    auto ids = file_ids(o);
    PlatformClient& c = ctx.connect();
    return ctx.tool.each(ids, [&](const std::string& id) {
        for (const auto& t : o.add_tags)
            c.add_file_tag(id, t);
        for (const auto& t : o.remove_tags)
            c.remove_file_tag(id, t);
        Json tags = Json::array();
        for (const auto& t : c.file_tags(id))
            tags.push_back(t.name);
        ctx.tool.out().emit({{"kind", "file"}, {"id", id}, {"tags", tags}}, cli::file_line);
    });
}

}  // namespace

void add_library_verbs(Context& ctx, cli::Verbs& verbs) {
    CLI::App& app = ctx.tool.app();
    auto lo = std::make_shared<ListOptions>();
    auto* list =
        app.add_subcommand("list", "List library files (newest first), or a folder's files");
    list->add_option("--folder", lo->folder, "Only the files in this folder")->type_name("ID");
    list->add_option("--search", lo->search, "Only files whose name contains TEXT (any case)")
        ->type_name("TEXT");
    list->add_option("--limit", lo->limit, "At most N files")->type_name("N");
    verbs.push_back({list, [&ctx, lo] { return run_list(ctx, *lo); }});

    auto o = std::make_shared<FilesOptions>();
    auto ids_arg = [&](CLI::App* v) {
        v->add_option("ID", o->ids, "File ids (or file records on stdin)")->type_name("ID");
    };
    auto* get = app.add_subcommand("get", "Show files by id");
    ids_arg(get);
    verbs.push_back({get, [&ctx, o] {
                         auto ids = file_ids(*o);
                         PlatformClient& c = ctx.connect();
                         return ctx.tool.each(ids, [&](const std::string& id) {
                             ctx.tool.out().emit(file_record(c.get_file(id)), cli::file_line);
                         });
                     }});
    auto* del = app.add_subcommand("delete", "Delete files from the library");
    ids_arg(del);
    add_yes(del, o->yes);
    verbs.push_back({del, [&ctx, o] { return run_delete(ctx, *o); }});
    auto* move = app.add_subcommand("move", "Move files into a folder");
    ids_arg(move);
    move->add_option("--folder", o->folder, "The destination folder")->type_name("ID")->required();
    verbs.push_back({move, [&ctx, o] { return run_move(ctx, *o); }});
    auto* tag = app.add_subcommand("tag", "Add and remove tags of files, then show their tags");
    ids_arg(tag);
    cli::add_repeatable(*tag, "--add", o->add_tags, "Add this tag (repeatable)", "TAG");
    cli::add_repeatable(*tag, "--remove", o->remove_tags, "Remove this tag (repeatable)", "TAG");
    verbs.push_back({tag, [&ctx, o] { return run_tag(ctx, *o); }});
}

}  // namespace ri::files
