#!/usr/bin/env bash
# services: radosgw redis
# Eight ri processes hammer one jobs-usage endpoint of a sandbox that enforces the real limits,
# for 60 s, through the ri-ratelimitd they start themselves: zero 429s, and together they reach
# at least 80% of the platform's limit (25 calls/s). Then: the daemon's status shows the scope.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
ri_setup
need_bin ri-ratelimitd ri-sandbox ratelimit_probe
use_service radosgw
ri_start_service sandbox "$T/sandbox" RI_SANDBOX_RATE_LIMITS=real RI_SANDBOX_JOBS=simulate
# shellcheck disable=SC1091
source "$T/sandbox/sandbox.env"

SECONDS_RUN=60
for i in 1 2 3 4 5 6 7 8; do
  ratelimit_probe hammer --url "$RI_SANDBOX_URL" --key "$RI_SANDBOX_KEY" --path /api/v2/jobs/ \
    --seconds "$SECONDS_RUN" >"$T/probe$i.json" 2>"$T/probe$i.err" &
done
wait

python3 - "$T" "$SECONDS_RUN" <<'PY' || fail "the shared budget was not respected (figures above)"
import json, sys
d, secs = sys.argv[1], float(sys.argv[2])
runs = [json.load(open(f"{d}/probe{i}.json")) for i in range(1, 9)]
calls = sum(r["ok"] for r in runs)
throttled = sum(r["throttled"] for r in runs)
errors = sum(r["errors"] for r in runs)
rate = calls / secs
print(f"8 processes, {secs:.0f} s: {calls} calls, {rate:.2f}/s (limit 25/s), {throttled} x 429, {errors} errors")
ok = throttled == 0 and errors == 0 and rate >= 0.8 * 25 and rate <= 25
# Every process got a share: one starving while the others run is not a shared budget.
ok = ok and min(r["ok"] for r in runs) > 0.5 * calls / 8
sys.exit(0 if ok else 1)
PY

# The key never reaches the daemon; its status names the scope by the account hash.
ri-ratelimitd status --json >"$T/status.json"
grep -q '"scope":"jobs-usage"' "$T/status.json" || fail "status does not show the jobs-usage scope: $(cat "$T/status.json")"
if grep -q "$RI_SANDBOX_KEY" "$T/status.json"; then fail "the API key appears in the daemon's status"; fi
# One daemon, however many processes raced to start it.
[ "$(pgrep -u "$(id -u)" -f "ri-ratelimitd serve --socket $XDG_RUNTIME_DIR/ri/ratelimitd.sock" | wc -l)" = 1 ] ||
  fail "expected exactly one daemon for this runtime dir"
echo "ok: 8 processes shared one budget with no 429"
