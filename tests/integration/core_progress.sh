#!/usr/bin/env bash
# services: none
# Progress goes to stderr only, in the mode asked for: JSON events with totals, plain lines
# when not a terminal, a self-rewriting bar with speed and ETA on a terminal, nothing when quiet.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-encrypt
ri_setup
head -c $((24 << 20)) /dev/urandom >"$T/a"
head -c 1000 /dev/urandom >"$T/b"

# json: start and end events per file, bytes adding up to the total, "N of M files" counters.
expect_exit 0 ri-encrypt hash "$T/a" "$T/b" --progress json
/usr/bin/python3 - "$T/err" $(((24 << 20) + 1000)) <<'PY' || fail "bad progress events: $(head -c 2000 "$T/err")"
import json, sys
events = [json.loads(l) for l in open(sys.argv[1]).read().splitlines()]
total = int(sys.argv[2])
assert all(e["kind"] == "progress" for e in events)
starts = [e for e in events if e["event"] == "start"]
ends = [e for e in events if e["event"] == "end"]
assert [e["item"].split("/")[-1] for e in starts] == ["a", "b"], starts
assert len(ends) == 2 and ends[-1]["bytes"] == total and ends[-1]["files_done"] == 2, ends
assert all(e["total_bytes"] == total and e["files_total"] == 2 for e in events)
assert events[-1]["event"] == "finish"
PY
# stdout stays pure records.
[ "$(grep -vc '"kind":"hash"' "$T/out")" = 0 ] || fail "progress leaked to stdout"

# plain: one line per step, no escape sequences.
expect_exit 0 ri-encrypt hash "$T/a" --progress plain
grep -q "^hashing $T/a (24.0 MiB)$" "$T/err" || fail "no plain start line: $(cat "$T/err")"
grep -q "^done $T/a: 24.0 MiB in " "$T/err" || fail "no plain done line: $(cat "$T/err")"
grep -q $'\e' "$T/err" && fail "plain progress has escape sequences"

# quiet: nothing at all on stderr.
expect_exit 0 ri-encrypt hash "$T/a" --quiet
[ -s "$T/err" ] && fail "--quiet printed: $(cat "$T/err")"

# bar on a terminal (script gives the tool a pty): a rewriting line with percent and ETA.
if command -v script >/dev/null; then
    script -qec "ri-encrypt hash '$T/a' --json 2>&1 >/dev/null" /dev/null >"$T/tty" || fail "ri-encrypt under a pty failed"
    grep -q $'\r\e\[K\[' "$T/tty" || fail "no rewriting bar on a terminal: $(od -c "$T/tty" | head)"
    grep -q 'ETA' "$T/tty" || fail "the bar has no ETA"
    grep -q '100%' "$T/tty" || fail "the bar never reached 100%"
else
    fail "script(1) is missing (package bsdutils)"
fi
echo "ok: progress modes json, plain, bar and quiet"
