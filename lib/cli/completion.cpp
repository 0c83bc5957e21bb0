// Shell completions generated from the tool's own CLI11 definition, so they cannot drift from
// the flags. `TOOL --completion bash|zsh|fish` prints the script; completions/ holds the output
// and a test regenerates it and compares.
#include "cli/completion.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

#include "cli/options.hpp"
#include "core/error.hpp"

namespace ri::cli {
namespace {

struct OptionInfo {
    std::vector<std::string> shorts;  // without '-'
    std::vector<std::string> longs;   // without '--'
    bool takes_value = false;
    std::vector<std::string> choices;
    std::string value_kind;  // "choices", "file", "dir" or "none" (free text: nothing to offer)
    std::string description;
};

struct CommandInfo {
    std::string path;  // "" for the top, "encrypt", "hardware list"
    std::string description;
    std::vector<OptionInfo> options;  // own and inherited (fallthrough) options
    std::vector<std::pair<std::string, std::string>> subcommands;  // name, description
    bool positionals = false;
    std::string positional_kind;  // as OptionInfo::value_kind
    std::vector<std::string> positional_choices;
};

std::vector<std::string> choices_of(const CLI::Option* o) {
    std::string t = o->get_type_name();
    size_t b = t.find('{'), e = t.rfind('}');
    std::vector<std::string> out;
    if (b == std::string::npos || e == std::string::npos || e < b) return out;
    std::string inner = t.substr(b + 1, e - b - 1);
    size_t start = 0;
    while (start <= inner.size()) {
        size_t comma = inner.find(',', start);
        std::string item =
            inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        if (!item.empty()) out.push_back(item);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return out;
}

bool visible(const CLI::Option* o) {
    return !o->get_group().empty();
}

// What a value should complete to, from the option's type name: tools name path values
// FILE/PATH/DIR (type_name), and choices come from IsMember or a choices_hint.
std::string value_kind(const CLI::Option* o) {
    if (!choices_of(o).empty()) return "choices";
    std::string t = o->get_type_name();
    t = t.substr(0, t.find(':'));
    if (t.find("DIR") != std::string::npos) return "dir";
    if (t.find("FILE") != std::string::npos || t.find("PATH") != std::string::npos) return "file";
    return "none";
}

void collect(const CLI::App& app, const std::string& path, std::vector<OptionInfo> inherited,
             std::vector<CommandInfo>& out) {
    CommandInfo cmd;
    cmd.path = path;
    cmd.description = app.get_description();
    for (const CLI::Option* o : app.get_options()) {
        if (!visible(o)) continue;
        if (o->get_positional() && !o->nonpositional()) {
            cmd.positionals = true;
            cmd.positional_kind = value_kind(o);
            auto c = choices_of(o);
            cmd.positional_choices.insert(cmd.positional_choices.end(), c.begin(), c.end());
            continue;
        }
        OptionInfo info;
        info.shorts = o->get_snames();
        info.longs = o->get_lnames();
        info.takes_value = o->get_items_expected_max() > 0 && o->get_type_size() != 0;
        info.choices = choices_of(o);
        info.value_kind = value_kind(o);
        info.description = o->get_description();
        // A subcommand's own -h/--help shadows the inherited one: list it once.
        std::erase_if(inherited, [&](const OptionInfo& other) {
            return other.longs == info.longs && other.shorts == info.shorts;
        });
        inherited.push_back(info);
    }
    cmd.options = inherited;
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (sub->get_group().empty()) continue;
        cmd.subcommands.emplace_back(sub->get_name(), sub->get_description());
    }
    out.push_back(cmd);
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (sub->get_group().empty()) continue;
        // Subcommands see their parents' options only through fallthrough.
        std::vector<OptionInfo> pass =
            sub->get_fallthrough() ? inherited : std::vector<OptionInfo>{};
        collect(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), pass, out);
    }
}

std::vector<CommandInfo> commands(const CLI::App& app) {
    std::vector<CommandInfo> out;
    collect(app, "", {}, out);
    return out;
}

std::string fn_name(const std::string& tool) {
    std::string f = "_" + tool;
    for (auto& c : f) {
        if (c == '-') c = '_';
    }
    return f;
}

std::string join(const std::vector<std::string>& v, const char* sep = " ");
std::string sh_single_quote(const std::string& s);

// How each shell completes an option's value.
std::string value_action(const OptionInfo& o, std::string_view shell) {
    const std::string& k = o.value_kind;
    if (shell == "bash") {
        if (k == "choices")
            return fmt::format("COMPREPLY=($(compgen -W \"{}\" -- \"$cur\"))", join(o.choices));
        if (k == "file") return "COMPREPLY=($(compgen -f -- \"$cur\"))";
        if (k == "dir") return "COMPREPLY=($(compgen -d -- \"$cur\"))";
        return "COMPREPLY=()";
    }
    if (shell == "zsh") {
        if (k == "choices") return "compadd -- " + join(o.choices);
        if (k == "file") return "_files";
        if (k == "dir") return "_files -/";
        return "_message value";
    }
    if (k == "choices") return " -x -a " + sh_single_quote(join(o.choices));
    if (k == "file") return " -r -F";
    if (k == "dir") return " -x -a '(__fish_complete_directories)'";
    return " -x";
}

std::vector<std::string> flag_words(const OptionInfo& o) {
    std::vector<std::string> w;
    for (const auto& s : o.shorts)
        w.push_back("-" + s);
    for (const auto& l : o.longs)
        w.push_back("--" + l);
    return w;
}

std::string join(const std::vector<std::string>& v, const char* sep) {
    return fmt::format("{}", fmt::join(v, sep));
}

std::string sh_single_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

// The loop that finds which subcommand path the words so far select; shared by bash and zsh.
std::string path_cases(const std::vector<CommandInfo>& cmds, const char* var) {
    std::string s;
    for (const auto& c : cmds) {
        for (const auto& [name, desc] : c.subcommands) {
            std::string next = c.path.empty() ? name : c.path + " " + name;
            s += fmt::format("            \"{}:{}\") cmd=\"{}\" ;;\n", c.path, name, next);
        }
    }
    (void)var;
    return s;
}

std::string bash(const CLI::App& app) {
    auto cmds = commands(app);
    std::string tool = app.get_name();
    std::string s = fmt::format(
        "# bash completion for {0}. Generated by `{0} --completion bash`; do not edit.\n", tool);
    s += fmt::format("{}() {{\n", fn_name(tool));
    s += "    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=\"\" i\n";
    s += "    for ((i = 1; i < COMP_CWORD; i++)); do\n        case \"$cmd:${COMP_WORDS[i]}\" in\n";
    s += path_cases(cmds, "cmd");
    s += "        esac\n    done\n";
    s += "    case \"$cmd:$prev\" in\n";
    for (const auto& c : cmds) {
        for (const auto& o : c.options) {
            if (!o.takes_value) continue;
            std::vector<std::string> pats;
            for (const auto& w : flag_words(o))
                pats.push_back(fmt::format("\"{}:{}\"", c.path, w));
            s += fmt::format("        {}) {}; return ;;\n", join(pats, "|"),
                             value_action(o, "bash"));
        }
    }
    s += "    esac\n";
    s += "    if [[ $cur == -* ]]; then\n        case \"$cmd\" in\n";
    for (const auto& c : cmds) {
        std::vector<std::string> words;
        for (const auto& o : c.options) {
            for (const auto& w : flag_words(o))
                words.push_back(w);
        }
        s += fmt::format("            \"{}\") COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")) ;;\n",
                         c.path, join(words));
    }
    s += "        esac\n        return\n    fi\n    case \"$cmd\" in\n";
    for (const auto& c : cmds) {
        std::vector<std::string> subs;
        for (const auto& [name, desc] : c.subcommands)
            subs.push_back(name);
        if (!subs.empty()) {
            s += fmt::format("        \"{}\") COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")) ;;\n",
                             c.path, join(subs));
        } else if (!c.positional_choices.empty()) {
            s += fmt::format("        \"{}\") COMPREPLY=($(compgen -W \"{}\" -- \"$cur\")) ;;\n",
                             c.path, join(c.positional_choices));
        } else if (c.positionals && c.positional_kind != "none") {
            s += fmt::format("        \"{}\") COMPREPLY=($(compgen -{} -- \"$cur\")) ;;\n", c.path,
                             c.positional_kind == "dir" ? "d" : "f");
        }
    }
    s += "    esac\n}\n";
    s += fmt::format("complete -o filenames -F {} {}\n", fn_name(tool), tool);
    return s;
}

std::string zsh_escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        if (c == ':')
            out += "\\:";
        else
            out += c;
    }
    return out;
}

std::string zsh(const CLI::App& app) {
    auto cmds = commands(app);
    std::string tool = app.get_name();
    std::string s = fmt::format(
        "#compdef {0}\n# zsh completion for {0}. Generated by `{0} --completion zsh`; do not "
        "edit.\n",
        tool);
    s += fmt::format("{}() {{\n", fn_name(tool));
    s +=
        "    local cmd=\"\" i cur=${words[CURRENT]} prev=${words[CURRENT-1]}\n    local -a items\n";
    s += "    for ((i = 2; i < CURRENT; i++)); do\n        case \"$cmd:${words[i]}\" in\n";
    s += path_cases(cmds, "cmd");
    s += "        esac\n    done\n    case \"$cmd:$prev\" in\n";
    for (const auto& c : cmds) {
        for (const auto& o : c.options) {
            if (!o.takes_value) continue;
            std::vector<std::string> pats;
            for (const auto& w : flag_words(o))
                pats.push_back(fmt::format("\"{}:{}\"", c.path, w));
            s +=
                fmt::format("        {}) {}; return ;;\n", join(pats, "|"), value_action(o, "zsh"));
        }
    }
    s += "    esac\n    if [[ $cur == -* ]]; then\n        case \"$cmd\" in\n";
    for (const auto& c : cmds) {
        std::vector<std::string> items;
        for (const auto& o : c.options) {
            for (const auto& w : flag_words(o))
                items.push_back(sh_single_quote(zsh_escape(w) + ":" + o.description));
        }
        s += fmt::format("            \"{}\") items=({}) ;;\n", c.path, join(items));
    }
    s += "        esac\n        _describe -t options option items\n        return\n    fi\n    "
         "case \"$cmd\" in\n";
    for (const auto& c : cmds) {
        if (!c.subcommands.empty()) {
            std::vector<std::string> items;
            for (const auto& [name, desc] : c.subcommands)
                items.push_back(sh_single_quote(zsh_escape(name) + ":" + desc));
            s += fmt::format("        \"{}\") items=({}); _describe -t commands command items ;;\n",
                             c.path, join(items));
        } else if (!c.positional_choices.empty()) {
            s += fmt::format("        \"{}\") compadd -- {} ;;\n", c.path,
                             join(c.positional_choices));
        } else if (c.positionals && c.positional_kind != "none") {
            s += fmt::format("        \"{}\") {} ;;\n", c.path,
                             c.positional_kind == "dir" ? "_files -/" : "_files");
        }
    }
    s += "    esac\n}\n";
    s += fmt::format("compdef {} {}\n", fn_name(tool), tool);
    return s;
}

std::string fish(const CLI::App& app) {
    auto cmds = commands(app);
    std::string tool = app.get_name();
    std::string helper = "__" + fn_name(tool).substr(1) + "_cmd";
    std::string s = fmt::format(
        "# fish completion for {0}. Generated by `{0} --completion fish`; do not edit.\n", tool);
    s += fmt::format(
        "function {}\n    set -l cmd ''\n    for t in (commandline -opc)[2..-1]\n        switch "
        "\"$cmd:$t\"\n",
        helper);
    for (const auto& c : cmds) {
        for (const auto& [name, desc] : c.subcommands) {
            std::string next = c.path.empty() ? name : c.path + " " + name;
            s += fmt::format("            case '{}:{}'\n                set cmd '{}'\n", c.path,
                             name, next);
        }
    }
    s += "        end\n    end\n    echo $cmd\nend\n";
    s += fmt::format("complete -c {} -f\n", tool);
    for (const auto& c : cmds) {
        std::string cond = fmt::format("-n 'test \"({})\" = \"{}\"'", helper, c.path);
        for (const auto& [name, desc] : c.subcommands) {
            s += fmt::format("complete -c {} {} -a {} -d {}\n", tool, cond, name,
                             sh_single_quote(desc));
        }
        for (const auto& o : c.options) {
            std::string line = fmt::format("complete -c {} {}", tool, cond);
            for (const auto& sh : o.shorts)
                line += " -s " + sh;
            for (const auto& l : o.longs)
                line += " -l " + l;
            if (o.takes_value) {
                line += value_action(o, "fish");
            }
            line += " -d " + sh_single_quote(o.description);
            s += line + "\n";
        }
        if (c.subcommands.empty() && !c.positional_choices.empty()) {
            s += fmt::format("complete -c {} {} -a {}\n", tool, cond,
                             sh_single_quote(join(c.positional_choices)));
        } else if (c.subcommands.empty() && c.positionals && c.positional_kind != "none") {
            s += fmt::format(
                "complete -c {} {} {}\n", tool, cond,
                c.positional_kind == "dir" ? "-a '(__fish_complete_directories)'" : "-F");
        }
    }
    return s;
}

Json describe(const CLI::App& app) {
    Json j{{"name", app.get_name()}, {"description", app.get_description()}};
    j["options"] = Json::array();
    j["positionals"] = Json::array();
    for (const CLI::Option* o : app.get_options()) {
        if (!visible(o)) continue;
        if (o->get_positional() && !o->nonpositional()) {
            j["positionals"].push_back(
                {{"name", o->get_name()}, {"description", o->get_description()}});
            continue;
        }
        Json oj{{"short", o->get_snames()},
                {"long", o->get_lnames()},
                {"description", o->get_description()},
                {"takes_value", o->get_items_expected_max() > 0 && o->get_type_size() != 0},
                {"choices", choices_of(o)},
                {"value", value_kind(o)}};
        j["options"].push_back(oj);
    }
    j["subcommands"] = Json::array();
    for (const CLI::App* sub : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (!sub->get_group().empty()) j["subcommands"].push_back(describe(*sub));
    }
    return j;
}

}  // namespace

std::string completion_script(const CLI::App& app, std::string_view shell) {
    if (shell == "bash") return bash(app);
    if (shell == "zsh") return zsh(app);
    if (shell == "fish") return fish(app);
    throw Error::usage(fmt::format("Unknown shell '{}': use bash, zsh or fish.", shell));
}

Json describe_cli(const CLI::App& app) {
    return describe(app);
}

}  // namespace ri::cli
