#!/usr/bin/env bash
# services: none
# HttpClient's retry policy against a real HTTP server (tests/fixtures/http_fault_server.py):
# 5xx and 429 are retried with backoff, Retry-After is honoured (measured by the server's own
# request timestamps, a property of the client and not of this machine's speed), non-idempotent
# requests are never blind-retried, a sink that already got bytes is never retried, max_attempts
# is respected, and Ctrl+C stops a backoff or a transfer with exit 130.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin http_probe
ri_setup
unset HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY http_proxy https_proxy all_proxy no_proxy

start_fault_server

# probe EXPECTED_EXIT ARGS...: http_probe ARGS with short backoffs; its JSON line is in $T/out.
probe() {
  local want=$1
  shift
  expect_exit "$want" http_probe --base-delay-ms 20 --max-delay-ms 200 "$@"
}

# requests PATH PYTHON-EXPR: evaluates EXPR over the server's records for PATH (list `r`).
requests() {
  curl -sf "$BASE/_requests?path=$1" >"$T/requests.json" || fail "cannot read the server's records"
  python3 -c 'import json, sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
    "$T/requests.json" "$2"
}

# --- 503, 503, then 200: three attempts on one kept-alive connection, signed afresh each time.
probe 0 "$BASE/script/three?seq=503,503,200&size=1000"
expect_field "$T/out" status 200
expect_field "$T/out" attempts 3
[ "$(requests /script/three 'len(r)')" = 3 ] || fail "503,503,200: the server saw $(requests /script/three 'len(r)') requests, want 3"
[ "$(requests /script/three '[x["headers"]["x-ri-attempt"] for x in r]')" = "['1', '2', '3']" ] ||
  fail "before_attempt did not run once per attempt on fresh headers: $(cat "$T/requests.json")"
[ "$(requests /script/three 'len(set(x["peer"] for x in r))')" = 1 ] ||
  fail "the retries did not reuse the connection: $(cat "$T/requests.json")"
[ "$(json_field "$T/out" retries | python3 -c 'import json,sys; print([e["status"] for e in json.load(sys.stdin)])')" = "[503, 503]" ] ||
  fail "on_retry did not report both 503s: $(cat "$T/out")"

# --- Each retry is logged, and a presigned URL's signature never reaches the log.
probe 0 "$BASE/script/signed?seq=503,200&X-Amz-Credential=AKIAEXAMPLE&X-Amz-Signature=f00dfacecafe0123456789&sig=c2FzLXNpZ25hdHVyZQ%3D"
expect_field "$T/out" status 200
LOG="$XDG_STATE_HOME/ri/logs/ri.log"
grep -q "/script/signed.* (attempt 1 of 10) failed: HTTP 503; retrying" "$LOG" || fail "the retry was not logged: $(cat "$LOG" 2>&1)"
grep -q -e f00dfacecafe -e c2FzLXNpZ25hdHVyZQ "$LOG" && fail "a URL signature reached the log: $(grep signed "$LOG")"

# --- 429 with Retry-After: 2 -> the second request comes at least ~2 s after the first.
probe 0 --base-delay-ms 1 --max-delay-ms 30000 "$BASE/script/ra?seq=429,200&retry_after=2"
expect_field "$T/out" status 200
expect_field "$T/out" attempts 2
gap=$(requests /script/ra 'r[1]["t"] - r[0]["t"]')
python3 -c "import sys; sys.exit(0 if $gap >= 1.9 else 1)" ||
  fail "Retry-After: 2 was not honoured: the server saw the retry ${gap}s after the 429"

# --- Retry-After as an HTTP-date 3 s ahead (whole seconds: at least 2 s remain).
probe 0 --base-delay-ms 1 --max-delay-ms 30000 "$BASE/script/radate?seq=503,200&retry_after_date=3"
expect_field "$T/out" status 200
gap=$(requests /script/radate 'r[1]["t"] - r[0]["t"]')
python3 -c "import sys; sys.exit(0 if $gap >= 1.5 else 1)" ||
  fail "an HTTP-date Retry-After was not honoured: the retry came ${gap}s after the 503"

# --- A non-idempotent POST is not retried after a 503, nor after a dropped connection...
probe 0 --method POST --non-idempotent --body '{"submit":1}' "$BASE/script/post503?seq=503,200"
expect_field "$T/out" status 503
expect_field "$T/out" attempts 1
[ "$(requests /script/post503 'len(r)')" = 1 ] || fail "a non-idempotent POST was retried after a 503"
probe 3 --method POST --non-idempotent --body x "$BASE/script/postclose?seq=close,200"
expect_field "$T/out" error transport
expect_field "$T/out" before_send false
[ "$(requests /script/postclose 'len(r)')" = 1 ] || fail "a non-idempotent POST was retried after reaching the server"
# ... but it is retried when it provably never left (connection refused), up to max_attempts.
closed=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
probe 3 --method POST --non-idempotent --max-attempts 3 --body x "http://127.0.0.1:$closed/x"
expect_field "$T/out" before_send true
expect_field "$T/out" attempts 3
# An idempotent POST is retried like a GET.
probe 0 --method POST --body x "$BASE/script/postok?seq=502,200"
expect_field "$T/out" attempts 2

# --- A connection dropped mid-body: with a sink the bytes already delivered are reported and
# nothing is retried (the caller resumes with a range); without one the request is retried.
probe 3 --sink "$BASE/script/dropsink?seq=drop,200&size=200000"
expect_field "$T/out" error transport
expect_field "$T/out" sink_bytes 100000
expect_field "$T/out" sunk 100000
[ "$(requests /script/dropsink 'len(r)')" = 1 ] || fail "a sink that had bytes was retried"
probe 0 "$BASE/script/dropbody?seq=drop,200&size=200000"
expect_field "$T/out" status 200
expect_field "$T/out" attempts 2
probe 0 --sink "$BASE/script/sinkok?seq=503,200&size=300000"
expect_field "$T/out" sink_bytes 300000
expect_field "$T/out" body ""

# --- max_attempts is respected, and the last failing answer is returned, not thrown.
probe 0 --max-attempts 4 "$BASE/script/always500?seq=500"
expect_field "$T/out" status 500
expect_field "$T/out" attempts 4
[ "$(requests /script/always500 'len(r)')" = 4 ] || fail "max_attempts 4: the server saw $(requests /script/always500 'len(r)') requests"
probe 0 --max-attempts 1 "$BASE/script/once503?seq=503,200"
expect_field "$T/out" status 503
[ "$(requests /script/once503 'len(r)')" = 1 ] || fail "max_attempts 1 was not one attempt"
# Statuses that are not transient are not retried.
probe 0 "$BASE/script/notfound?seq=404,200"
expect_field "$T/out" status 404
expect_field "$T/out" attempts 1

# --- perform(): one attempt, signed by before_attempt too, never retried.
probe 0 --once "$BASE/script/perform?seq=503,200"
expect_field "$T/out" status 503
expect_field "$T/out" attempts 1
[ "$(requests /script/perform '[x["headers"].get("x-ri-attempt") for x in r]')" = "['1']" ] ||
  fail "perform() did not run before_attempt exactly once: $(cat "$T/requests.json")"

# --- Bodies: PUT sends exactly the bytes, with Content-Length and without Expect: 100-continue.
probe 0 --method PUT --body 'part body bytes' --header 'Content-Type: text/plain' "$BASE/echo/put"
json_field "$T/out" body >"$T/echo.json"
python3 - "$T/echo.json" <<'EOF' || fail "PUT did not arrive as sent: $(cat "$T/echo.json")"
import json, sys
e = json.load(open(sys.argv[1]))
assert e["method"] == "PUT" and e["body"] == "part body bytes", e
assert e["headers"].get("content-length") == "15", e
assert "expect" not in e["headers"], e
assert e["headers"].get("content-type") == "text/plain", e
EOF
probe 0 --method PATCH --body '{"a":1}' --header 'Content-Type: application/json' "$BASE/echo/patch"
json_field "$T/out" body | grep -q '"method": "PATCH".*"content-length": "7".*"body": "{\\"a\\":1}"' ||
  fail "PATCH did not arrive as sent: $(cat "$T/out")"
probe 0 --method PUT "$BASE/echo/emptyput"
json_field "$T/out" body | grep -q '"content-length": "0"' || fail "an empty PUT had no Content-Length: 0: $(cat "$T/out")"
probe 0 --method POST --body '' "$BASE/echo/emptypost"
json_field "$T/out" body | grep -q '"body_size": 0' || fail "an empty POST was not empty: $(cat "$T/out")"
probe 0 --method HEAD "$BASE/script/head?size=1234"
expect_field "$T/out" status 200
expect_field "$T/out" body ""

# --- A stalled body trips the low-speed limit: a timeout, not a hang.
probe 3 --sink --low-speed-time 1 "$BASE/script/stall?seq=200&size=100000&chunk=10&slow_ms=3000"
expect_field "$T/out" timeout true

# --- Ctrl+C during a backoff and during a transfer: exit 130, nothing more sent.
interrupt() { # URL: start the probe, wait until the server has seen it, SIGINT it.
  local path=${1%%\?*} rc=0
  path=${path#"$BASE"}
  http_probe --sink "$1" >"$T/out" 2>"$T/err" &
  local pid=$!
  ri_at_exit ri_stop "$pid" # if the test fails before it is interrupted
  for _ in $(seq 1 200); do
    [ "$(requests "$path" 'len(r)')" -ge 1 ] && break
    sleep 0.05
  done
  sleep 0.3
  kill -INT "$pid"
  wait "$pid" || rc=$?
  [ "$rc" = 130 ] || fail "SIGINT during $path: exit $rc, want 130: $(cat "$T/out" "$T/err")"
  [ "$(requests "$path" 'len(r)')" = 1 ] || fail "SIGINT during $path: the request was sent again"
}
interrupt "$BASE/script/int-backoff?seq=503,200&retry_after=600"
interrupt "$BASE/script/int-body?seq=200&size=100000000&chunk=1000&slow_ms=100"

echo "ok: retries, Retry-After, non-idempotent requests, sinks, max_attempts and interrupts"
