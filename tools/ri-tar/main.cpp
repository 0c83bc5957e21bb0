// ri-tar: pack run directories into archives for upload; list and safely extract archives.
#include <fmt/format.h>

#include "cli/options.hpp"
#include "tar.hpp"

namespace ri::tar {
namespace {

void add_create_options(cli::ToolRunner& tool, Options& o) {
    CLI::App& app = tool.app();
    app.add_option("DIR", o.inputs,
                   "Run directories to pack, one archive each (or paths/dir records on stdin)")
        ->type_name("DIR");
    app.add_option("-o,--output-dir", o.output_dir,
                   "Directory for the archives (default: the current one; created if missing)")
        ->type_name("DIR");
    cli::add_choice_option(app, "--compression", o.compression, {"none", "gzip", "zstd"},
                           "none (default; config tar_compression), gzip, or zstd "
                           "(multi-threaded)");
    app.add_option("--level", o.level, "Compression level: gzip 1-9 (default 6), zstd 1-19 (3)");
    app.add_option("--threads", o.threads, "zstd worker threads (default: one per core)");
    cli::add_repeatable(app, "--include", o.includes,
                        "Store only files matching GLOB (repeatable; 'a;b' lists; default: config "
                        "include_pattern)",
                        "GLOB");
    cli::add_repeatable(app, "--exclude", o.excludes,
                        "Leave out files and directories matching GLOB (repeatable; 'a;b' lists; "
                        "default: config exclude_pattern)",
                        "GLOB");
    app.add_option("--subpath", o.subpath,
                   "Archive only this subdirectory of each run; paths leading out are refused")
        ->type_name("PATH");
    app.add_flag("--flatten,!--no-flatten", o.flatten,
                 "Store files without their directories; two files with one name are an error "
                 "(default: config flatten_tar)");
    app.add_flag("--reproducible", o.reproducible,
                 "Byte-identical archives for identical trees: fixed owner and time "
                 "(SOURCE_DATE_EPOCH or 2000-01-01)");
}

// The creation flags mean nothing to list and extract; saying so beats ignoring them.
void refuse_create_flags(CLI::App& app, const char* sub) {
    for (const char* f :
         {"--output-dir", "--compression", "--level", "--threads", "--include", "--exclude",
          "--subpath", "--flatten", "--no-flatten", "--reproducible"}) {
        if (app.count(f) > 0)
            throw Error::usage(fmt::format("{} is for creating archives, not for '{}'.", f, sub));
    }
}

}  // namespace
}  // namespace ri::tar

int main(int argc, char** argv) {
    using namespace ri;
    cli::ToolRunner tool("ri-tar",
                         "Pack run directories into archives for upload; list and safely "
                         "extract archives");
    CLI::App& app = tool.app();
    tar::Options o;
    tar::add_create_options(tool, o);
    auto* list = app.add_subcommand("list", "List the entries of archives");
    list->add_option("ARCHIVE", o.inputs, "Archives to list (or paths/archive records on stdin)")
        ->type_name("FILE");
    auto* extract = app.add_subcommand(
        "extract", "Extract archives safely: nothing is ever written outside the target directory");
    extract
        ->add_option("ARCHIVE", o.inputs, "Archives to extract (or paths/archive records on stdin)")
        ->type_name("FILE");
    extract
        ->add_option("-C,--directory", o.directory,
                     "Target directory (default: the current one; created if missing)")
        ->type_name("DIR");
    return tool.run(argc, argv, [&]() -> int {
        if (list->parsed()) {
            tar::refuse_create_flags(app, "list");
            return tar::run_list(tool, o);
        }
        if (extract->parsed()) {
            tar::refuse_create_flags(app, "extract");
            return tar::run_extract(tool, o);
        }
        return tar::run_create(tool, o);
    });
}
