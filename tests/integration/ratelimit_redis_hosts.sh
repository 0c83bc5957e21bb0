#!/usr/bin/env bash
# services: radosgw redis
# Two hosts (two daemons, two runtime dirs) share one API key through one Redis: four processes
# on each hammer a sandbox at the real limits for 60 s. Their combined rate stays within the
# platform's limit (zero 429s) and still reaches 80% of it. Then Redis goes away: the daemons
# fall back to the emergency cap and say so, and no call exceeds the limit.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
ri_setup
need_bin ri-ratelimitd ri-sandbox ratelimit_probe
use_service radosgw
use_service redis
ri_start_service sandbox "$T/sandbox" RI_SANDBOX_RATE_LIMITS=real RI_SANDBOX_JOBS=simulate
# Each "host" has a daemon of its own (started by its first process), stopped at exit.
for h in a b c; do ri_at_exit ri_stop_ratelimitd "$T/host-$h/rl.sock"; done
# shellcheck disable=SC1091
source "$T/sandbox/sandbox.env"
# A database of its own on the shared Redis, so other tests' keys never mix in.
DB=$((RANDOM % 14 + 1))
BACKEND="${RI_REDIS_URL%/*}/$DB"
redis-cli -u "$BACKEND" flushdb >/dev/null

SECONDS_RUN=60
for h in a b; do
  mkdir -m 0700 "$T/host-$h"
  for i in 1 2 3 4; do
    RI_RATELIMITD_SOCKET="$T/host-$h/rl.sock" RI_RATELIMIT_BACKEND="$BACKEND" \
      ratelimit_probe hammer --url "$RI_SANDBOX_URL" --key "$RI_SANDBOX_KEY" --path /api/v2/jobs/ \
      --seconds "$SECONDS_RUN" >"$T/probe-$h$i.json" 2>"$T/probe-$h$i.err" &
  done
done
wait

python3 - "$T" "$SECONDS_RUN" <<'PY' || fail "two hosts did not share one budget (figures above)"
import json, sys
d, secs = sys.argv[1], float(sys.argv[2])
runs = {f"{h}{i}": json.load(open(f"{d}/probe-{h}{i}.json")) for h in "ab" for i in range(1, 5)}
calls = sum(r["ok"] for r in runs.values())
per_host = {h: sum(r["ok"] for k, r in runs.items() if k[0] == h) for h in "ab"}
throttled = sum(r["throttled"] for r in runs.values())
rate = calls / secs
print(f"2 hosts x 4 processes, {secs:.0f} s: {calls} calls ({per_host}), {rate:.2f}/s (limit 25/s), {throttled} x 429")
ok = throttled == 0 and 0.8 * 25 <= rate <= 25 and min(per_host.values()) > 0.3 * calls
sys.exit(0 if ok else 1)
PY
for h in a b; do
  RI_RATELIMITD_SOCKET="$T/host-$h/rl.sock" ri-ratelimitd status --json >"$T/status-$h.json"
  grep -q "\"backend\":\"$BACKEND\"" "$T/status-$h.json" || fail "host $h's daemon is not on Redis: $(cat "$T/status-$h.json")"
done
# The buckets live in Redis under the account hash, never the key.
redis-cli -u "$BACKEND" --scan --pattern 'ri:rl:*:jobs-usage:bucket' | grep -q . || fail "no bucket in Redis"
if redis-cli -u "$BACKEND" --scan | grep -q "$RI_SANDBOX_KEY"; then fail "the API key is in a Redis key name"; fi

# Redis down (a private one, so the shared server stays up for other tests): the daemon answers
# from the emergency cap, says why, and nothing is throttled.
PRIV="$T/redis"
ri_start_service redis "$PRIV"
PRIV_URL=$(sed -n "s/^export RI_REDIS_URL='\(.*\)'$/\1/p" "$PRIV/redis.env")
[ -n "$PRIV_URL" ] || fail "no RI_REDIS_URL in $PRIV/redis.env"
mkdir -m 0700 "$T/host-c"
export RI_RATELIMITD_SOCKET="$T/host-c/rl.sock" RI_RATELIMIT_BACKEND="$PRIV_URL"
ratelimit_probe hammer --url "$RI_SANDBOX_URL" --key "$RI_SANDBOX_KEY_2" --path /api/v2/jobs/ --seconds 3 >"$T/c1.json" 2>"$T/c1.err"
"$RI_SOURCE_DIR/scripts/services/redis" stop "$PRIV" >/dev/null
ratelimit_probe hammer --url "$RI_SANDBOX_URL" --key "$RI_SANDBOX_KEY_2" --path /api/v2/jobs/ --seconds 8 >"$T/c2.json" 2>"$T/c2.err"
grep -q 'unreachable' "$T/c2.err" || fail "no notice that Redis is unreachable: $(cat "$T/c2.err")"
[ "$(grep -c 'unreachable' "$T/c2.err")" = 1 ] || fail "the fallback notice was repeated: $(cat "$T/c2.err")"
python3 - "$T" <<'PY' || fail "the emergency cap did not hold"
import json, sys
r = json.load(open(f"{sys.argv[1]}/c2.json"))
# jobs-usage emergency cap: 25 / 4 / 2 = 3.125 calls/s, burst 1.
print(f"emergency cap: {r['ok']} calls in {r['seconds']:.1f} s, {r['throttled']} x 429")
sys.exit(0 if r["throttled"] == 0 and r["ok"] <= 3.125 * r["seconds"] + 2 else 1)
PY
ri-ratelimitd status --json | grep -q 'emergency cap' || fail "status does not say the daemon is on the emergency cap"
echo "ok: two hosts shared one Redis budget; Redis down -> emergency cap"
