#!/usr/bin/env bash
# services: radosgw tinyproxy
# HttpClient through a real proxy (tinyproxy with BasicAuth): with the right credentials a
# request reaches the fault server and radosgw through the proxy; with wrong or no credentials
# it fails with a clear 407 (tinyproxy's 401 for wrong ones is reported as 407) and reaches
# nothing; NO_PROXY entries (CIDR, names) bypass the proxy; system mode reads HTTP_PROXY with
# credentials in the URL.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin http_probe
ri_setup
use_service radosgw
use_service tinyproxy
PROXY_LOG="$RI_SERVICES_DIR/tinyproxy/tinyproxy.log"

start_fault_server

count() { # PATH: requests the fault server saw for PATH
  curl -sf "$BASE/_count?path=$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)["count"])'
}
# via_proxy EXPECTED_EXIT USER PASSWORD [ARGS...]: http_probe through tinyproxy in basic mode.
via_proxy() {
  local want=$1 user=$2 password=$3
  shift 3
  expect_exit "$want" http_probe --base-delay-ms 20 --max-delay-ms 200 --proxy-mode basic \
    --proxy-url "$RI_PROXY_URL" --proxy-user "$user" --proxy-password "$password" "$@"
}
proxy_saw() { # URL: tinyproxy's log shows it forwarded a GET for URL
  grep -q "Request (file descriptor [0-9]*): GET $1 HTTP" "$PROXY_LOG"
}

# --- Right credentials: the fault server answers, and the request went through tinyproxy.
via_proxy 0 "$RI_PROXY_USER" "$RI_PROXY_PASSWORD" "$BASE/echo/right"
expect_field "$T/out" status 200
expect_field "$T/out" attempts 1
json_field "$T/out" body | grep -q '"path": "/echo/right"' || fail "not the fault server's answer: $(cat "$T/out")"
proxy_saw "$BASE/echo/right" || fail "tinyproxy's log does not show /echo/right"
# Retries go through the proxy too, on the same settings.
via_proxy 0 "$RI_PROXY_USER" "$RI_PROXY_PASSWORD" "$BASE/script/retry?seq=503,200"
expect_field "$T/out" status 200
[ "$(count /script/retry)" = 2 ] || fail "503 then 200 through the proxy: the server saw $(count /script/retry) requests"
# A PUT body crosses the proxy intact.
via_proxy 0 "$RI_PROXY_USER" "$RI_PROXY_PASSWORD" --method PUT --body 'through the proxy' "$BASE/echo/put"
json_field "$T/out" body | grep -q '"body": "through the proxy"' || fail "the PUT body was changed: $(cat "$T/out")"

# --- and radosgw answers through it (an anonymous ListBuckets: radosgw's own answer either way).
via_proxy 0 "$RI_PROXY_USER" "$RI_PROXY_PASSWORD" "$RI_S3_ENDPOINT/"
json_field "$T/out" headers | grep -q '"x-amz-request-id"' || fail "radosgw did not answer through the proxy: $(cat "$T/out")"
proxy_saw "$RI_S3_ENDPOINT/" || fail "tinyproxy's log does not show the radosgw request"

# --- Wrong credentials and no credentials: 407, not retried, nothing reaches the server.
via_proxy 0 "$RI_PROXY_USER" "wrong-$RI_PROXY_PASSWORD" "$BASE/echo/wrong"
expect_field "$T/out" status 407
expect_field "$T/out" attempts 1
via_proxy 0 "" "" "$BASE/echo/none"
expect_field "$T/out" status 407
via_proxy 0 "$RI_PROXY_USER" "wrong-$RI_PROXY_PASSWORD" "$RI_S3_ENDPOINT/"
expect_field "$T/out" status 407
json_field "$T/out" headers | grep -q '"x-amz-request-id"' && fail "wrong proxy credentials reached radosgw"
[ "$(count /echo/wrong)" = 0 ] || fail "wrong proxy credentials reached the fault server"
[ "$(count /echo/none)" = 0 ] || fail "a request without proxy credentials reached the fault server"
# An https URL goes through CONNECT; a refused CONNECT is the same clear 407.
via_proxy 0 "$RI_PROXY_USER" "wrong-$RI_PROXY_PASSWORD" "https://127.0.0.1:$(cat "$T/port")/echo/tls"
expect_field "$T/out" status 407

# --- NO_PROXY: matching hosts go direct (the wrong credentials do not matter then).
via_proxy 0 "$RI_PROXY_USER" "wrong-$RI_PROXY_PASSWORD" --no-proxy "example.com,127.0.0.0/8" "$BASE/echo/bypass-cidr"
expect_field "$T/out" status 200
proxy_saw "$BASE/echo/bypass-cidr" && fail "a NO_PROXY (CIDR) host went through the proxy"
via_proxy 0 "$RI_PROXY_USER" "wrong-$RI_PROXY_PASSWORD" --no-proxy "127.0.0.1:$(cat "$T/port")" "$BASE/echo/bypass-port"
expect_field "$T/out" status 200
via_proxy 0 "$RI_PROXY_USER" "wrong-$RI_PROXY_PASSWORD" --no-proxy "127.0.0.1:1" "$BASE/echo/other-port"
expect_field "$T/out" status 407

# --- System mode: HTTP_PROXY with credentials in the URL, NO_PROXY from the environment.
hostport=${RI_PROXY_URL#http://}
HTTP_PROXY="http://$RI_PROXY_USER:$RI_PROXY_PASSWORD@$hostport" \
  expect_exit 0 http_probe --proxy-mode system "$BASE/echo/system"
expect_field "$T/out" status 200
proxy_saw "$BASE/echo/system" || fail "system mode did not use HTTP_PROXY"
grep -q "$RI_PROXY_PASSWORD" "$T/out" "$T/err" && fail "the proxy password was printed"
http_proxy="$RI_PROXY_URL" NO_PROXY="localhost,127.0.0.1" \
  expect_exit 0 http_probe --proxy-mode system "$BASE/echo/system-bypass"
expect_field "$T/out" status 200
proxy_saw "$BASE/echo/system-bypass" && fail "system mode ignored NO_PROXY"
HTTPS_PROXY="$RI_PROXY_URL" expect_exit 0 http_probe --proxy-mode system "$BASE/echo/https-only"
proxy_saw "$BASE/echo/https-only" && fail "HTTPS_PROXY was used for an http:// URL"

echo "ok: through tinyproxy with credentials, a clear 407 without, NO_PROXY bypasses it"
