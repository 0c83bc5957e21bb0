#!/usr/bin/env bash
# services: none
# Archive names are readable and collision-free (last two path components + FNV-32a of the
# absolute path, as Interlink names them); the archive record is printed only once the archive
# is complete under its final name; inputs come from arguments or stdin records; the records
# chain into `ri-tar list` and `ri-tar extract`.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-tar
ri_setup

fnv() {
  python3 -c '
import sys
h = 2166136261
for c in sys.argv[1].encode():
    h = ((h ^ c) * 16777619) & 0xffffffff
print("%08x" % h)' "$1"
}

mkdir -p "$T/data/Project_A/Run_1" "$T/data/Project_B/Run_1"
printf a >"$T/data/Project_A/Run_1/in.dat"
printf b >"$T/data/Project_B/Run_1/in.dat"
cd "$T/data" || fail "cannot enter $T/data"
abs=$(pwd -P)

expect_exit 0 ri-tar Project_A/Run_1 Project_B/Run_1 -o "$T/o" --json
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "want two records: $(cat "$T/out")"
head -1 "$T/out" >"$T/r1"
tail -1 "$T/out" >"$T/r2"
want1=$T/o/Project_A_Run_1_$(fnv "$abs/Project_A/Run_1").tar
want2=$T/o/Project_B_Run_1_$(fnv "$abs/Project_B/Run_1").tar
expect_field "$T/r1" kind archive
expect_field "$T/r1" path "$want1"
expect_field "$T/r2" path "$want2"
expect_field "$T/r1" source Project_A/Run_1
expect_field "$T/r1" compression none
expect_field "$T/r1" files 1
expect_field "$T/r1" directories 1
expect_field "$T/r1" symlinks 0
expect_field "$T/r1" bytes 1
expect_field "$T/r1" size "$(size_of "$want1")"
python3 - "$T/r1" <<'PY' || fail "record keys are not in the documented order"
import json, sys
keys = list(json.loads(open(sys.argv[1]).read()))
want = ["kind", "path", "source", "compression", "files", "directories", "symlinks", "bytes", "size"]
sys.exit(0 if keys == want else "keys: %s" % keys)
PY
[ "$want1" != "$want2" ] || fail "Project_A/Run_1 and Project_B/Run_1 collided"
[ "$(tar -xOf "$want2" Run_1/in.dat)" = b ] || fail "Project_B's archive does not hold Project_B's file"

# The same directory named another way (trailing slash, ./, absolute) gets the same name.
rm -rf "$T/o"
for spelling in Project_A/Run_1/ ./Project_A/Run_1 "$abs/Project_A/Run_1" Project_A/../Project_A/Run_1; do
  expect_exit 0 ri-tar "$spelling" -o "$T/o" --json
  expect_field "$T/out" path "$want1"
done
[ "$(ls "$T/o")" = "$(basename "$want1")" ] || fail "stray files: $(ls "$T/o")"

# Extensions follow the compression; -o is created; the default output is the current directory.
expect_exit 0 ri-tar Project_A/Run_1 --compression gzip -o "$T/new/deeper" --json
[[ $(json_field "$T/out" path) == "$T/new/deeper/Project_A_Run_1_"*.tar.gz ]] || fail "gzip name: $(cat "$T/out")"
expect_exit 0 ri-tar Project_A/Run_1 --compression zstd --json
[[ $(json_field "$T/out" path) == Project_A_Run_1_*.tar.zst ]] || fail "default output dir: $(cat "$T/out")"
[ -f "$(json_field "$T/out" path)" ] || fail "the archive is not in the current directory"
rm -f Project_A_Run_1_*.tar.zst

# Inputs on stdin: bare paths, "dir" records, "path" records; blank lines are skipped.
printf '%s\n\n{"kind":"dir","dir":"Project_B/Run_1"}\n{"kind":"path","path":"%s"}\n' \
  Project_A/Run_1 "$abs/Project_A/Run_1" | ri-tar -o "$T/s" --json >"$T/out"
[ "$(wc -l <"$T/out")" -eq 3 ] || fail "want three records from stdin: $(cat "$T/out")"

# Records chain: ri-tar | ri-tar list, ri-tar | ri-tar extract.
ri-tar Project_A/Run_1 Project_B/Run_1 -o "$T/c" --compression zstd | ri-tar list --json >"$T/list"
[ "$(grep -c '"kind":"entry"' "$T/list")" -eq 4 ] || fail "list of two archives: $(cat "$T/list")"
grep -q '"path":"Run_1/in.dat","type":"file","size":1,"mode":"0644"' "$T/list" ||
  fail "entry record fields: $(head -2 "$T/list")"
ri-tar Project_B/Run_1 -o "$T/c" | ri-tar extract -C "$T/x" --json >"$T/xrec"
expect_field "$T/xrec" kind extracted
expect_field "$T/xrec" path "$T/x"
expect_field "$T/xrec" files 1
[ "$(cat "$T/x/Run_1/in.dat")" = b ] || fail "extract from a piped record"

# Human output on request: one line per archive naming both ends.
expect_exit 0 ri-tar Project_A/Run_1 -o "$T/h" --human
grep -q "Project_A/Run_1 -> .*Project_A_Run_1_" "$T/out" || fail "human line: $(cat "$T/out")"
expect_exit 0 ri-tar list "$want1" --human
grep -q '^-rw-r--r-- .* Run_1/in.dat$' "$T/out" || fail "human list line: $(cat "$T/out")"

# The record is true when printed: while ri-tar works, only NAME.ri-partial exists.
mkdir -p "$T/big/Run_big"
head -c $((64 << 20)) /dev/zero >"$T/big/Run_big/zeros"
rm -rf "$T/o"
mkfifo "$T/pipe"
ri-tar "$T/big/Run_big" -o "$T/o" --compression gzip --level 9 --json >"$T/pipe" &
pid=$!
ri_at_exit ri_stop "$pid"
exec 3<"$T/pipe"
seen_partial=
while kill -0 "$pid" 2>/dev/null; do
  if compgen -G "$T/o/*.ri-partial" >/dev/null; then
    seen_partial=yes
    compgen -G "$T/o/*.tar.gz" >/dev/null && fail "the final name existed before the archive was complete"
  fi
  sleep 0.05
done
read -r rec <&3 || fail "no record"
exec 3<&-
wait "$pid" || fail "ri-tar failed"
final=$(printf '%s\n' "$rec" | python3 -c 'import json,sys; print(json.load(sys.stdin)["path"])')
[ -f "$final" ] || fail "the record names $final, which does not exist"
[ -n "$seen_partial" ] || echo "note: the archive was written too fast to see its .ri-partial"
compgen -G "$T/o/*.ri-partial" >/dev/null && fail "a .ri-partial was left behind"

echo "ok: readable FNV-32a names without collisions, stable across spellings; record fields; stdin records; list/extract chaining; records only for complete archives"
