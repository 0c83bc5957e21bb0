#!/usr/bin/env bash
# services: none
# Ctrl+C (SIGINT) and SIGTERM stop a tool cleanly: exit 130, a one-line message, and no output
# left under its final name or as .ri-partial. The input is a FIFO that never ends, so the
# signal always arrives mid-run, whatever the machine's speed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-encrypt
ri_setup

interrupt_run() { # SIGNAL
    local sig=$1 rc=0 i
    rm -f "$T/fifo"
    mkfifo "$T/fifo"
    # This shell holds the FIFO open (fd 3) so the reader never sees the end; a background
    # writer puts 5 MiB into it and exits once they are read.
    exec 3<>"$T/fifo"
    head -c $((5 << 20)) /dev/urandom >&3 2>/dev/null &
    local writer=$!
    ri_at_exit ri_stop "$writer"
    ri-encrypt encrypt "$T/fifo" -o "$T/out.enc" --json >"$T/out" 2>"$T/err" &
    local tool=$!
    ri_at_exit ri_stop "$tool" # if the test fails before it is interrupted
    for i in $(seq 1 200); do
        [ -s "$T/out.enc.ri-partial" ] && break
        sleep 0.05
    done
    [ -s "$T/out.enc.ri-partial" ] || fail "the tool never started writing"
    kill "-$sig" "$tool"
    wait "$tool" || rc=$?
    kill "$writer" 2>/dev/null || true
    wait "$writer" 2>/dev/null || true
    exec 3>&-
    [ "$rc" = 130 ] || fail "SIG$sig: exit $rc, want 130 ($(cat "$T/err"))"
    grep -q '^ri-encrypt: Interrupted' "$T/err" || fail "SIG$sig: no clear message: $(cat "$T/err")"
    [ -s "$T/out" ] && fail "SIG$sig: a record was printed for unfinished work: $(cat "$T/out")"
    assert_no_file "$T/out.enc"
}
interrupt_run INT
interrupt_run TERM
echo "ok: SIGINT and SIGTERM exit 130 and leave no partial output"
