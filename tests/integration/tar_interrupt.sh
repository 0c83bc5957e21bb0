#!/usr/bin/env bash
# services: none
# Ctrl+C (SIGINT) and SIGTERM stop ri-tar cleanly: exit 130, no record, no NAME.ri-partial, no
# half-extracted tree.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-tar
ri_setup

mkdir -p "$T/Run_1"
for i in 1 2 3 4; do head -c $((48 << 20)) /dev/urandom >"$T/Run_1/f$i.bin"; done

# interrupt SIGNAL GLOB CMD...: start CMD, wait until GLOB matches (work has begun), send SIGNAL;
# CMD must exit 130 without printing a record.
interrupt() {
  local sig=$1 glob=$2 pid rc=0 i
  shift 2
  "$@" >"$T/out" 2>"$T/err" &
  pid=$!
  ri_at_exit ri_stop "$pid" # if the test fails before it is interrupted
  for ((i = 0; i < 600; i++)); do
    compgen -G "$glob" >/dev/null && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.01
  done
  compgen -G "$glob" >/dev/null || fail "precondition: '$*' never started writing $glob"
  kill -s "$sig" "$pid"
  wait "$pid" || rc=$?
  [ "$rc" = 130 ] || fail "$sig: expected exit 130, got $rc: $(cat "$T/err")"
  [ -s "$T/out" ] && fail "$sig: a record was printed: $(cat "$T/out")"
  return 0
}

interrupt INT "$T/o/*.ri-partial" ri-tar "$T/Run_1" -o "$T/o" --compression gzip --level 9
[ -z "$(ls -A "$T/o")" ] || fail "SIGINT left files: $(ls -A "$T/o")"
interrupt TERM "$T/o/*.ri-partial" ri-tar "$T/Run_1" -o "$T/o" --compression gzip --level 9
[ -z "$(ls -A "$T/o")" ] || fail "SIGTERM left files: $(ls -A "$T/o")"

expect_exit 0 ri-tar "$T/Run_1" -o "$T/a" --compression gzip --json
archive=$(json_field "$T/out" path)
interrupt INT "$T/x/Run_1/*" ri-tar extract "$archive" -C "$T/x"
[ -z "$(ls -A "$T/x")" ] || fail "an interrupted extraction left files: $(ls -R "$T/x")"

echo "ok: SIGINT and SIGTERM while packing and extracting exit 130 with nothing left behind"
