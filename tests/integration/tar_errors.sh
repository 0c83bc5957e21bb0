#!/usr/bin/env bash
# services: none
# Each failure has its exit code and one plain line on stderr naming what is wrong, and never
# leaves an archive (nor NAME.ri-partial) behind: --flatten collisions 65, an unreadable file 66,
# a missing directory 66, an output directory that cannot be written 73, bad usage 64; with
# several directories, the others are still packed and the exit code is 1.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-tar
ri_setup

# expect_fail CODE CMD...: CMD exits CODE with one stderr line, prints no record, leaves no file in
# $T/o. (Progress lines are turned off: on a pipe they would be plain lines on stderr too.)
expect_fail() {
  local code=$1
  shift
  expect_exit "$code" "$@" --progress none
  [ "$(wc -l <"$T/err")" -eq 1 ] || fail "want one line on stderr, got: $(cat "$T/err")"
  [ -s "$T/out" ] && fail "a record was printed by a failed run: $(cat "$T/out")"
  [ -z "$(ls -A "$T/o" 2>/dev/null)" ] || fail "left behind in $T/o: $(ls -A "$T/o")"
}

mkdir -p "$T/Run_1/a" "$T/Run_1/b"
printf 1 >"$T/Run_1/a/x.dat"
printf 2 >"$T/Run_1/b/x.dat"
printf 3 >"$T/Run_1/b/y.dat"

# --flatten: two files with one name are an error naming both, not a silent overwrite.
expect_fail 65 ri-tar "$T/Run_1" -o "$T/o" --flatten
if ! grep -q "a/x.dat" "$T/err" || ! grep -q "b/x.dat" "$T/err"; then
  fail "the collision message does not name both files: $(cat "$T/err")"
fi
# ...and without the collision it works, storing bare names.
expect_exit 0 ri-tar "$T/Run_1" -o "$T/o" --flatten --exclude 'a/x.dat' --json
[ "$(tar -tf "$(json_field "$T/out" path)" | sort | tr '\n' ' ')" = "x.dat y.dat " ] || fail "flattened names are wrong"
rm -rf "$T/o"

# A missing directory, and a file given instead of a directory: 66.
expect_fail 66 ri-tar "$T/missing" -o "$T/o"
grep -q "$T/missing" "$T/err" || fail "the missing directory is not named: $(cat "$T/err")"
expect_fail 66 ri-tar "$T/Run_1/a/x.dat" -o "$T/o"

# An unreadable file inside the tree: 66, naming the file. Root reads everything, so as root the
# run drops the capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) first.
printf secret >"$T/Run_1/b/locked.dat"
chmod 000 "$T/Run_1/b/locked.dat"
as_user=()
if [ "$(id -u)" -eq 0 ]; then
  command -v setpriv >/dev/null || fail "precondition: setpriv (util-linux) is needed to test unreadable files as root"
  caps=-dac_override,-dac_read_search
  as_user=(setpriv --bounding-set "$caps" --inh-caps "$caps")
  "${as_user[@]}" cat "$T/Run_1/b/locked.dat" >/dev/null 2>&1 &&
    fail "precondition: dropping CAP_DAC_OVERRIDE did not make a mode 000 file unreadable"
fi
expect_fail 66 "${as_user[@]}" ri-tar "$T/Run_1" -o "$T/o"
grep -q "Run_1/b/locked.dat" "$T/err" || fail "the unreadable file is not named: $(cat "$T/err")"
grep -qi "permission denied" "$T/err" || fail "the message does not say why: $(cat "$T/err")"
chmod 000 "$T/Run_1/a"
expect_fail 66 "${as_user[@]}" ri-tar "$T/Run_1" -o "$T/o"
grep -q "Run_1/a" "$T/err" || fail "the unreadable directory is not named: $(cat "$T/err")"
chmod 755 "$T/Run_1/a"
rm -f "$T/Run_1/b/locked.dat"

# Output directory that cannot be written, even by root: sysfs refuses new files (EACCES).
[ -d /sys/kernel ] || fail "precondition: /sys is not mounted"
if touch /sys/kernel/ri-tar-probe 2>/dev/null; then fail "precondition: /sys/kernel is writable here"; fi
expect_exit 73 ri-tar "$T/Run_1" -o /sys/kernel --progress none
[ "$(wc -l <"$T/err")" -eq 1 ] || fail "want one line on stderr, got: $(cat "$T/err")"
grep -q "/sys/kernel" "$T/err" || fail "the output is not named: $(cat "$T/err")"
expect_exit 73 ri-tar "$T/Run_1" -o /sys/kernel/ri-tar-out
printf x >"$T/plainfile"
expect_exit 73 ri-tar "$T/Run_1" -o "$T/plainfile"
expect_exit 73 ri-tar extract /dev/null -C /sys/kernel/ri-tar-out

# Usage: 64, before any work.
expect_fail 64 ri-tar "$T/Run_1" -o "$T/o" --level 5
expect_fail 64 ri-tar "$T/Run_1" -o "$T/o" --compression gzip --level 10
expect_fail 64 ri-tar "$T/Run_1" -o "$T/o" --compression zstd --level 0
expect_fail 64 ri-tar "$T/Run_1" -o "$T/o" --compression bzip2
expect_fail 64 ri-tar "$T/Run_1" -o "$T/o" --subpath ../elsewhere
expect_fail 64 ri-tar "$T/Run_1" -o "$T/o" --subpath /etc
expect_fail 64 ri-tar list "$T/x.tar" --compression zstd
expect_fail 64 ri-tar </dev/null
expect_fail 64 ri-tar --no-such-flag

# Several directories, one failing: the others are packed, the failure reported, exit 1.
mkdir -p "$T/Run_2"
printf ok >"$T/Run_2/ok.dat"
expect_exit 1 ri-tar "$T/Run_2" "$T/missing" -o "$T/o" --json
[ "$(wc -l <"$T/out")" -eq 1 ] || fail "want one record for the good directory: $(cat "$T/out")"
expect_field "$T/out" source "$T/Run_2"
grep -q "$T/missing" "$T/err" || fail "the failed directory is not named: $(cat "$T/err")"
rm -rf "$T/o"

# A malformed stdin record: 65 naming the line.
printf '%s\n{"kind":"dir",\n' "$T/Run_2" | expect_exit 65 ri-tar -o "$T/o"
grep -q "line 2" "$T/err" || fail "the malformed line is not named: $(cat "$T/err")"

echo "ok: flatten collision 65, unreadable file/dir 66 (as root via dropped capabilities), missing input 66, unwritable output 73, usage 64, batch 1, malformed stdin 65"
