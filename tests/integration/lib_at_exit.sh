#!/usr/bin/env bash
# services: none
# The cleanup registry of lib.sh (ri_at_exit): registered commands run at exit in reverse order,
# every one even when an earlier one fails or exits, with their arguments as given; the test's
# exit status is kept whether it passes, fails, dies under set -e or is sent TERM; ri_setup's
# $T is removed and ri_stop stops a background job. And no other script sets an EXIT trap.
#
# It does not source lib.sh itself: a broken registry would decide its exit status too.
set -euo pipefail
LIB="$(cd "$(dirname "$0")" && pwd)/lib.sh"
T=$(mktemp -d)
fail() {
  echo "FAIL: $*" >&2
  rm -rf "$T"
  exit 1
}
# alive PID: running, not a zombie.
alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# child BODY: run BODY as a test script that sources lib.sh; its stderr in $T/child.err,
# its stdout in $T/child.out, its exit status in $RC.
child() {
  printf 'source %q\n%s\n' "$LIB" "$1" >"$T/child.sh"
  RC=0
  bash "$T/child.sh" >"$T/child.out" 2>"$T/child.err" || RC=$?
}
expect_child() { # RC OUTPUT WHAT
  [ "$RC" = "$1" ] || fail "$3: exit $RC, want $1 (stderr: $(cat "$T/child.err"))"
  [ "$(cat "$T/child.out")" = "$2" ] || fail "$3: ran '$(tr '\n' ' ' <"$T/child.out")', want '$(tr '\n' ' ' <<<"$2")'"
}

# Reverse order, a failing and an exiting command in the middle, arguments kept as given.
# shellcheck disable=SC2016 # the child expands it
body='ri_at_exit echo first
ri_at_exit false
ri_at_exit printf "%s|\n" "two words" "*" "\$HOME" "it'"'"'s"
ri_at_exit exit 9
ri_at_exit echo last'
for end in 'true:0' 'exit 7:7' 'fail boom:1' 'false:1' 'set +e; (exit 3); set -e; (exit 3):3'; do
  child "$body
${end%:*}"
  expect_child "${end##*:}" "last
two words|
*|
\$HOME|
it's|
first" "ending with '${end%:*}'"
done
grep -q "cleanup: 'false' failed (exit 1)" "$T/child.err" || fail "a failed cleanup is not reported: $(cat "$T/child.err")"

# TERM (as ctest's --stop-time or a Ctrl+C of the whole run would send): cleanups run, exit 143.
printf 'source %q\nri_at_exit echo stopped\nsleep 30 & wait\n' "$LIB" >"$T/child.sh"
bash "$T/child.sh" >"$T/child.out" 2>"$T/child.err" &
pid=$!
sleep 0.5
kill -TERM "$pid"
RC=0
wait "$pid" || RC=$?
expect_child 143 stopped "sent TERM"

# ri_setup's $T is gone at exit; a background job registered with ri_stop is stopped (TERM).
# shellcheck disable=SC2016 # the child expands its own $T and $!
child 'ri_setup
echo "$T" >"'"$T"'/child.t"
sleep 60 &
echo $! >"'"$T"'/child.sleep"
ri_at_exit ri_stop "$!"
fail "on purpose"'
expect_child 1 "" "ri_setup and ri_stop"
[ ! -e "$(cat "$T/child.t")" ] || fail "ri_setup's \$T was not removed at exit"
sleep_pid=$(cat "$T/child.sleep")
for _ in $(seq 1 50); do alive "$sleep_pid" || break; sleep 0.1; done
if alive "$sleep_pid"; then
  kill "$sleep_pid"
  fail "ri_stop did not stop the child's background job"
fi

# lib.sh's is the only EXIT trap: any other would replace it and skip every registered command.
src=${RI_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
traps=$(grep -rnE '^[^#]*\btrap\b.*\b(EXIT|0)\b' "$src/tests/integration" "$src/tests/fixtures" --include='*.sh' |
  grep -v -e "^$src/tests/integration/lib.sh:" -e "^$src/tests/integration/lib_at_exit.sh:" || true)
[ -z "$traps" ] || fail "only lib.sh may set an EXIT trap (use ri_at_exit):
$traps"
rm -rf "$T"
echo "ok: ri_at_exit runs every cleanup in reverse order and keeps the exit status"
