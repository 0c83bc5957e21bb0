#!/usr/bin/env python3
"""Checks a --progress json stream (stderr of one ri run) the way a supervisor reads it.

usage: progress_events.py STDERR EXIT_CODE NAME=FATE...

Every line of STDERR must be a progress event. Each item announced ("queued") must end exactly
once ("end", "skipped" or "failed"), and an item named NAME (its last path component, or the
whole name when it has no slash) must end with FATE: done, skipped, or failed:CLASS (the exit
class name, e.g. failed:bad_data). Every item named on the command line must have been queued,
and every queued item must be named. Totals never go backwards or past 100 %; the last event is
"finish" with the process's exit code. Prints the fates it found, one per line.
"""
import json
import sys


def short(name):
    return name.rstrip("/").rsplit("/", 1)[-1]


def main():
    path, exit_code, wanted = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
    expect = dict(w.split("=", 1) for w in wanted)
    events = []
    for n, line in enumerate(open(path, encoding="utf-8").read().splitlines(), 1):
        try:
            e = json.loads(line)
        except ValueError:
            sys.exit(f"FAIL: {path}:{n}: not a JSON event: {line[:200]}")
        if e.get("kind") != "progress" or "event" not in e:
            sys.exit(f"FAIL: {path}:{n}: not a progress event: {line[:200]}")
        events.append(e)
    if not events or events[-1]["event"] != "finish":
        sys.exit(f"FAIL: the last event is not finish: {events[-1:] if events else 'none'}")
    if events[-1].get("exit_code") != exit_code:
        sys.exit(f"FAIL: finish says exit {events[-1].get('exit_code')}, the process exited {exit_code}")
    names, fates, last_bytes = {}, {}, 0
    for e in events:
        if e["bytes"] < last_bytes:
            sys.exit(f"FAIL: bytes went backwards: {last_bytes} then {e}")
        if e["bytes"] > e["total_bytes"]:
            sys.exit(f"FAIL: bytes past the total: {e}")
        last_bytes = e["bytes"]
        kind, item = e["event"], e.get("item_id")
        if kind == "queued":
            if item in names:
                sys.exit(f"FAIL: item {item} queued twice")
            names[item] = e["item"]
        elif kind in ("end", "skipped", "failed"):
            if item not in names:
                sys.exit(f"FAIL: item {item} ended without being queued: {e}")
            if item in fates:
                sys.exit(f"FAIL: item {item} ({names[item]}) ended twice: {fates[item]} then {kind}")
            if kind == "failed":
                for field in ("exit_code", "error", "message"):
                    if field not in e:
                        sys.exit(f"FAIL: a failed event without {field}: {e}")
                fates[item] = "failed:" + e["error"]
            else:
                fates[item] = "done" if kind == "end" else "skipped"
    for item, name in names.items():
        if item not in fates:
            sys.exit(f"FAIL: item {item} ({name}) never ended")
    found = {short(names[i]): fates[i] for i in names}
    if len(found) != len(names):
        sys.exit(f"FAIL: two items share a short name: {sorted(names.values())}")
    for name, fate in sorted(found.items()):
        print(f"{name}={fate}")
    if found != expect:
        sys.exit(f"FAIL: fates {found}, expected {expect}")


main()
