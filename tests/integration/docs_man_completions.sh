#!/usr/bin/env bash
# services: none
# Man pages and shell completions cannot drift from the tools: every tool has a man page naming
# each of its subcommands and long options (read from the tool's own CLI definition), the
# committed completions are exactly what the tools generate, and they work in bash, zsh and fish.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
ri_setup
src=${RI_SOURCE_DIR:?RI_SOURCE_DIR is not set}
tools=()
for main in "$src"/tools/ri-*/main.cpp; do # every tool the project builds
    tool=$(basename "$(dirname "$main")")
    [ -x "$RI_BIN/$tool" ] || fail "$tool is not built in $RI_BIN"
    tools+=("$tool")
done
[ ${#tools[@]} -ge 2 ] || fail "found only ${#tools[@]} tools in $RI_BIN"

for tool in "${tools[@]}"; do
    man=$src/man/$tool.1
    [ -f "$man" ] || fail "$tool has no man page $man"
    # Every long option and subcommand of the CLI definition is documented.
    "$tool" --cli-json >"$T/cli.json"
    /usr/bin/python3 - "$T/cli.json" >"$T/words" <<'PY'
import json, sys
def walk(app, path):
    for o in app["options"]:
        for l in o["long"]:
            print("--" + l)
    for sub in app["subcommands"]:
        print("cmd " + sub["name"])
        walk(sub, path + [sub["name"]])
walk(json.load(open(sys.argv[1])), [])
PY
    [ -s "$T/words" ] || fail "$tool --cli-json listed nothing"
    plain=$(sed 's/\\-/-/g; s/\\f[BIRP]//g' "$man")
    while read -r w; do
        case $w in
        cmd\ *) name=${w#cmd }
            grep -qE "(^|[^a-z-])$name([^a-z-]|$)" <<<"$plain" || fail "$man does not document the subcommand '$name'" ;;
        *) grep -qF -- "$w" <<<"$plain" || fail "$man does not document $w" ;;
        esac
    done <"$T/words"
    MANWIDTH=80 man --warnings -l "$man" 2>"$T/manwarn" >/dev/null || fail "man cannot render $man"
    [ -s "$T/manwarn" ] && fail "man warns about $man: $(cat "$T/manwarn")"

    # The committed completions are what the tool generates now.
    "$tool" --completion bash | cmp -s - "$src/completions/bash/$tool" ||
        fail "completions/bash/$tool is stale: run 'ninja completions' in the build dir"
    "$tool" --completion zsh | cmp -s - "$src/completions/zsh/_$tool" ||
        fail "completions/zsh/_$tool is stale: run 'ninja completions' in the build dir"
    "$tool" --completion fish | cmp -s - "$src/completions/fish/$tool.fish" ||
        fail "completions/fish/$tool.fish is stale: run 'ninja completions' in the build dir"
    bash -n "$src/completions/bash/$tool" || fail "bash completion for $tool does not parse"
    zsh -n "$src/completions/zsh/_$tool" || fail "zsh completion for $tool does not parse"
    fish --no-execute "$src/completions/fish/$tool.fish" || fail "fish completion for $tool does not parse"
done

# The bash completion really completes: subcommands, options, choices, setting names.
complete_words() { # TOOL WORD... (the last word is being completed)
    local tool=$1
    shift
    bash -c '
        source "$1/completions/bash/$2"; shift 2
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        fn=$(complete -p "$1" | sed -E "s/.* -F ([^ ]+) .*/\1/")
        "$fn"
        printf "%s\n" "${COMPREPLY[@]}"' _ "$src" "$tool" "$tool" "$@"
}
complete_words ri-encrypt de | grep -qx decrypt || fail "bash: 'ri-encrypt de' does not complete to decrypt"
complete_words ri-encrypt decrypt --for | grep -qx -- --format || fail "bash: --for does not complete"
[ "$(complete_words ri-encrypt decrypt --format "" | sort | tr '\n' ' ')" = "cbc hkdf " ] ||
    fail "bash: --format values are not cbc hkdf"
complete_words ri-config set auto_download.l | grep -qx auto_download.lookback_days ||
    fail "bash: setting names do not complete"
[ -z "$(complete_words ri-encrypt encrypt --key "")" ] || fail "bash: a key value should not complete to files"
echo "ok: man pages and completions match the tools' CLI definitions, and the completions work"
