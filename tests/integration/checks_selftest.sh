#!/usr/bin/env bash
# services: none
# The repository checks of scripts/check/ on a scratch git repository laid out like this one:
# each passes on a clean tree, and fails (non-zero, naming the offending file) on a deliberate
# violation: a mis-formatted .cpp; a script with an unquoted variable; lib/core including
# "transfer/..."; siblings including each other; CLI11 outside lib/cli and tools/; httplib
# outside lib/sandbox; a tool other than ri-sandbox including the sandbox; a committed foo.o,
# __pycache__/x.pyc, ELF binary, CMakeCache.txt or build/ file. scripts/check/all fails if any does.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
ri_setup
CHECKS=${RI_SOURCE_DIR:?}/scripts/check
for tool in git clang-format shellcheck; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/test installs it)"
done
export GIT_AUTHOR_NAME=ri GIT_AUTHOR_EMAIL=ri@example.com GIT_COMMITTER_NAME=ri GIT_COMMITTER_EMAIL=ri@example.com

R=$T/repo
# put PATH: write stdin to PATH in the scratch repository and track it (even if ignored).
put() {
  mkdir -p "$(dirname "$R/$1")"
  cat >"$R/$1"
  git -C "$R" add -f -- "$1"
}

# The clean tree: every rule has an allowed case in it.
mkdir -p "$R"
git -C "$R" init -q
cp "$RI_SOURCE_DIR/.clang-format" "$R/.clang-format"
git -C "$R" add .clang-format
put lib/core/units.hpp <<'EOF'
#pragma once
namespace ri::core {
int kib(int n);
}
EOF
put lib/core/units.cpp <<'EOF'
#include "core/units.hpp"

#include <vector>

#include "units.hpp"
namespace ri::core {
int kib(int n) { return n * 1024; }
}  // namespace ri::core
EOF
put lib/http/client.hpp <<'EOF'
#include "core/units.hpp"
EOF
put lib/ipc/server.hpp <<'EOF'
#include "core/units.hpp"
EOF
put lib/storage/z.hpp <<'EOF'
#include "http/client.hpp"
EOF
put lib/storage/z.cpp <<'EOF'
#include "storage/z.hpp"

#include <curl/curl.h>
#include <nlohmann/json.hpp>
EOF
put lib/transfer/y.hpp <<'EOF'
#include "../storage/z.hpp"
#include "ipc/server.hpp"
EOF
put lib/sandbox/server.hpp <<'EOF'
#include <httplib.h>

#include "transfer/y.hpp"
EOF
put lib/cli/frame.hpp <<'EOF'
#include <CLI/CLI.hpp>

#include "sandbox/server.hpp"
#include "transfer/y.hpp"
EOF
put tools/ri-sandbox/main.cpp <<'EOF'
#include <CLI/CLI.hpp>

#include "cli/frame.hpp"
#include "sandbox/server.hpp"
EOF
put tools/ri-x/main.cpp <<'EOF'
#include <CLI/CLI.hpp>

#include "cli/frame.hpp"
#include "local.hpp"
#include "transfer/y.hpp"
EOF
put tools/ri-x/local.hpp <<'EOF'
#include "core/units.hpp"
EOF
# Tests are exempt from layering.
put tests/unit/units_test.cpp <<'EOF'
#include <CLI/CLI.hpp>
#include <httplib.h>

#include "core/units.hpp"
#include "sandbox/server.hpp"
EOF
(cd "$R" && clang-format -i lib/*/* tools/*/* tests/unit/*) || fail "clang-format could not format the scratch tree"
git -C "$R" add -A
put scripts/tool <<'EOF'
#!/usr/bin/env bash
# A clean script without an extension: found by its shebang.
set -euo pipefail
echo "$@"
EOF
put scripts/helper.py <<'EOF'
#!/usr/bin/env python3
# Not shell: if shellcheck read this, `print(x $1)` would be an error.
print("x $1")
EOF
put tests/integration/a.sh <<'EOF'
#!/usr/bin/env bash
# services: none
dir=$1
ls -- "$dir"
EOF
put .ci/run <<'EOF'
#!/usr/bin/env bash
set -euo pipefail
exec ./scripts/tool "$@"
EOF
ln -s tool "$R/scripts/tool_link"
git -C "$R" add scripts/tool_link
put tests/contract/README.md <<<'contract'
git -C "$R" commit -qm clean
git -C "$R" tag clean

# clean: back to the committed clean tree.
clean() {
  git -C "$R" reset -q --hard clean
  git -C "$R" clean -qfdx
}

# expect_pass CHECK: CHECK passes on the scratch repository as it is.
expect_pass() {
  local rc=0
  "$CHECKS/$1" "$R" >"$T/out" 2>"$T/err" || rc=$?
  [ "$rc" = 0 ] || fail "$1 fails on a clean tree (exit $rc): $(cat "$T/out" "$T/err")"
}
# expect_violation CHECK TEXT...: CHECK fails (exit 1) and its output contains every TEXT.
expect_violation() {
  local check=$1 rc=0 want
  shift
  "$CHECKS/$check" "$R" >"$T/out" 2>"$T/err" || rc=$?
  [ "$rc" = 1 ] || fail "$check: exit $rc on a violation, want 1: $(cat "$T/out" "$T/err")"
  for want in "$@"; do
    grep -qF -- "$want" "$T/out" "$T/err" || fail "$check: the output does not name '$want': $(cat "$T/out" "$T/err")"
  done
}
# expect_not_named TEXT: the last check's output does not contain TEXT.
expect_not_named() {
  if grep -qF -- "$1" "$T/out" "$T/err"; then fail "names '$1', which is fine: $(cat "$T/out" "$T/err")"; fi
}

for check in format shellcheck layering artifacts all; do expect_pass "$check"; done
# The root may be given by RI_CHECK_ROOT instead of an argument.
RI_CHECK_ROOT=$R "$CHECKS/layering" >"$T/out" 2>&1 || fail "layering with RI_CHECK_ROOT: $(cat "$T/out")"
grep -q ': 12 files' "$T/out" || fail "layering with RI_CHECK_ROOT did not check the scratch tree: $(cat "$T/out")"

# --- format
printf '#include "core/units.hpp"\nint  twice( int n ){return 2*n;}\n' | put lib/core/bad.cpp
printf 'int  x ;\n' | put tests/unit/bad_test.hpp
printf 'int  x ;\n' | put docs/not_checked.cpp
expect_violation format lib/core/bad.cpp tests/unit/bad_test.hpp
expect_not_named lib/core/units.cpp
expect_not_named docs/not_checked.cpp
clean

# --- shellcheck (the scripts written here are single-quoted: their variables are theirs)
# shellcheck disable=SC2016
printf '#!/bin/bash\nrm -rf $1/cache\n' | put scripts/bad
expect_violation shellcheck scripts/bad:2 SC2086
clean
# shellcheck disable=SC2016
printf '#!/usr/bin/env bash\n# services: none\nfor f in $(ls "$1"); do echo $f; done\n' | put tests/integration/bad.sh
expect_violation shellcheck tests/integration/bad.sh:3
clean
# shellcheck disable=SC2016
printf '#!/usr/bin/env bash\ncd $(dirname "$0")\n' | put .ci/run
expect_violation shellcheck .ci/run:2
clean

# --- layering
printf '#include <vector>\n\n#include "transfer/y.hpp"\n' | put lib/core/x.cpp
expect_violation layering 'lib/core/x.cpp:3' 'transfer is above core'
expect_not_named lib/core/units.cpp
clean
printf '#include <CLI/CLI.hpp>\n' | put lib/storage/z.cpp
expect_violation layering 'lib/storage/z.cpp:1' CLI11
clean
printf '#include "ipc/server.hpp"\n' | put lib/http/h.cpp
expect_violation layering 'lib/http/h.cpp:1' sibling
clean
printf '#include "watch/x.hpp"\n' | put lib/sandbox/runner.cpp
expect_violation layering 'lib/sandbox/runner.cpp:1' sibling
clean
printf '#include <vector>\n#include <httplib.h>\n' | put lib/platform/p.cpp
expect_violation layering 'lib/platform/p.cpp:2' httplib
clean
printf '#include "sandbox/server.hpp"\n' | put tools/ri-x/sbx.cpp
expect_violation layering 'tools/ri-x/sbx.cpp:1' 'only tools/ri-sandbox'
clean
printf '#include "local.hpp"\n' | put lib/newlayer/n.cpp
expect_violation layering 'lib/newlayer/n.cpp:1' 'not in the layer order'
clean
printf '#include "../transfer/y.hpp"\n' | put lib/storage/up.cpp
expect_violation layering 'lib/storage/up.cpp:1' 'transfer is above storage'
clean

# --- artifacts
: | put foo.o
expect_violation artifacts 'foo.o: object file'
clean
printf 'bytecode' | put lib/__pycache__/x.pyc
expect_violation artifacts 'lib/__pycache__/x.pyc'
clean
printf 'bytecode' | put tests/x.pyc
expect_violation artifacts 'tests/x.pyc: Python bytecode'
clean
put tools/ri-x/helper </bin/true
expect_violation artifacts 'tools/ri-x/helper: ELF binary'
clean
: | put CMakeCache.txt
: | put build/rules.ninja
: | put lib/core/libri.a
: | put core.1234
expect_violation artifacts CMakeCache.txt build/rules.ninja lib/core/libri.a core.1234
expect_not_named lib/core/units.cpp
clean

# --- all: runs every check, fails when one does, says which.
printf '#include "cli/frame.hpp"\n' | put lib/core/x.cpp
expect_violation all 'lib/core/x.cpp:1' 'checks failed: layering'
expect_not_named 'checks failed: format'
clean
expect_pass all
echo "ok: format, shellcheck, layering and artifacts pass clean trees and fail on violations"
