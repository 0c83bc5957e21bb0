#!/usr/bin/env bash
# services: none
# ri-encrypt hash: SHA-512 records equal to sha512sum, from arguments or JSON lines on stdin;
# partial failure is exit 1, total failure is the failure's own class.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-encrypt
ri_setup

# records FILE: "kind<TAB>path<TAB>sha512<TAB>size" per JSON line, sorted.
records() {
  /usr/bin/python3 -c '
import json, sys
for line in open(sys.argv[1], encoding="utf-8").read().splitlines():
    r = json.loads(line)
    print("\t".join(str(r.get(k)) for k in ("kind", "path", "sha512", "size")))
' "$1" | LC_ALL=C sort
}
# expected PATH...: the records sha512sum and stat say PATH... should produce.
expected() {
  local f
  for f in "$@"; do
    printf 'hash\t%s\t%s\t%s\n' "$f" "$(sha512_of "$f")" "$(size_of "$f")"
  done | LC_ALL=C sort
}

: >"$T/empty"
head -c 777 /dev/urandom >"$T/with space.bin"
head -c 1048579 /dev/urandom >"$T/big"

expect_exit 0 ri-encrypt hash "$T/empty" "$T/with space.bin" "$T/big"
[ "$(wc -l <"$T/out")" -eq 3 ] || fail "want 3 records, got: $(cat "$T/out")"
diff <(records "$T/out") <(expected "$T/empty" "$T/with space.bin" "$T/big") >&2 ||
  fail "hash records differ from sha512sum"

# One good, one missing: partial failure, exit 1, the good one still reported.
expect_exit 1 ri-encrypt hash "$T/big" "$T/nosuchfile"
diff <(records "$T/out") <(expected "$T/big") >&2 || fail "the good file's record is missing or wrong"
grep -q nosuchfile "$T/err" || fail "stderr does not name the missing file: $(cat "$T/err")"

# Every input missing: the class's own code.
expect_exit 66 ri-encrypt hash "$T/nosuchfile"
[ ! -s "$T/out" ] || fail "records printed for a missing file: $(cat "$T/out")"

# stdin: bare paths and JSON records with "path".
mkdir "$T/cwd"
cd "$T/cwd" || fail "cannot cd to $T/cwd"
printf 'alpha\n' >a
head -c 100 /dev/urandom >b
printf 'a\n{"path":"b"}\n' >"$T/list"
expect_exit 0 ri-encrypt hash <"$T/list"
[ "$(wc -l <"$T/out")" -eq 2 ] || fail "want 2 records from stdin, got: $(cat "$T/out")"
records "$T/out" | sed "s#\t$PWD/#\t#" >"$T/got" # a path may come back as given or made absolute
diff "$T/got" <(expected a b) >&2 || fail "stdin hash records differ from sha512sum"

# A malformed line is exit 65 and the message names its line number.
printf 'a\n{"path":\n' >"$T/list"
expect_exit 65 ri-encrypt hash <"$T/list"
grep -q 'line 2' "$T/err" || fail "stderr does not name line 2: $(cat "$T/err")"

echo "ok: ri-encrypt hash matches sha512sum (empty file, space in name, stdin paths and records); exits 1/66/65 as specified"
