#!/usr/bin/env bash
# services: redis
# The API budget's ">60%" notice reflects real use over the scope's window, across processes,
# and shows once per episode: 20 short processes making a few user-scope calls each (what the
# commands of ./scripts/demo do) print none; then 5 processes making 100 calls each at once
# print exactly one between them. The same with the buckets in Redis (one daemon per "host").
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
ri_setup
need_bin ri-ratelimitd ratelimit_probe
use_service redis

# notice_round LABEL KEY: the two phases against whatever daemon the environment points at.
notice_round() {
  local label=$1 key=$2 dir="$T/$1" i n
  mkdir -p "$dir"
  for i in $(seq 1 20); do
    ratelimit_probe acquire --count 3 --no-wait --key "$key" >"$dir/short$i.json" 2>"$dir/short$i.err" ||
      fail "$label: short process $i failed: $(cat "$dir/short$i.err")"
  done
  n=$(cat "$dir"/short*.err | grep -c 'API budget' || true)
  [ "$n" = 0 ] || fail "$label: 20 short processes of 3 calls printed $n notice(s): $(cat "$dir"/short*.err)"
  if grep -q . "$dir"/short*.err; then fail "$label: unexpected stderr: $(cat "$dir"/short*.err)"; fi
  for i in 1 2 3 4 5; do
    ratelimit_probe acquire --count 100 --no-wait --key "$key" >"$dir/busy$i.json" 2>"$dir/busy$i.err" &
  done
  wait
  n=$(cat "$dir"/busy*.err | grep -c 'API budget' || true)
  [ "$n" = 1 ] || fail "$label: 5 processes x 100 calls printed $n notice(s), want exactly 1: $(cat "$dir"/busy*.err)"
  grep -h 'API budget' "$dir"/busy*.err | grep -q 'user calls are running at' ||
    fail "$label: the notice does not name the scope: $(cat "$dir"/busy*.err)"
  if grep -q '"degraded":true' "$dir"/*.json; then fail "$label: a process ran on the emergency cap"; fi
  echo "ok ($label): no notice for 60 short calls, one for 500 calls in 5 processes"
}

# --- the daemon's memory
notice_round memory notice-memory
ri-ratelimitd status --json >"$T/status.json"
python3 - "$T/status.json" <<'PY' || fail "status does not report the user scope's window: $(cat "$T/status.json")"
import json, sys
scopes = [json.loads(l) for l in open(sys.argv[1]) if '"kind":"scope"' in l]
user = [s for s in scopes if s["scope"] == "user"]
sys.exit(0 if user and user[0]["window_s"] == 88 and user[0]["utilization"] > 0.6 else 1)
PY

# --- Redis, on a database of its own, through a daemon of its own
DB=$((RANDOM % 14 + 1))
BACKEND="${RI_REDIS_URL%/*}/$DB"
redis-cli -u "$BACKEND" flushdb >/dev/null
mkdir -m 0700 "$T/host-r"
ri_at_exit ri_stop_ratelimitd "$T/host-r/rl.sock"
export RI_RATELIMITD_SOCKET="$T/host-r/rl.sock" RI_RATELIMIT_BACKEND="$BACKEND"
notice_round redis "notice-redis-$DB"
ri-ratelimitd status --json | grep -q "\"backend\":\"$BACKEND\"" || fail "the second round did not run on Redis"
echo "ok: the API budget notice shows once per busy episode, not at the first calls"
