#!/usr/bin/env bash
# services: radosgw sandbox
# ri-sandbox rate limits and the admin API: at x0.01 of the real limits a user's second call in
# the user scope is 429 with an integer Retry-After and the DRF throttle body, while the
# jobs-usage scope and the other user still have budget; injected faults (status + Retry-After
# for N requests, latency, dropped connection) hit only matching routes; the request log records
# method, path, user, scope and status; the admin status endpoint moves a job.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
ri_setup
# shellcheck source=tests/fixtures/sandbox.sh
source "$RI_SOURCE_DIR/tests/fixtures/sandbox.sh"

sbx_private "$T/limited" RI_SANDBOX_RATE_LIMITS=x0.01
expect_api 200 GET /api/v3/users/me/
expect_api 429 GET /api/v3/users/me/
check 'd["detail"].startswith("Request was throttled. Expected available in ")' "throttle body"
retry=$(sed -n 's/^[Rr]etry-[Aa]fter: *\([0-9]*\).*/\1/p' "$T/headers" | tr -d '\r')
{ [ -n "$retry" ] && [ "$retry" -ge 1 ] && [ "$retry" -le 60 ]; } || fail "Retry-After is '$retry': $(cat "$T/headers")"
grep -q "in $retry second" "$T/body" || fail "the body's wait differs from Retry-After $retry: $(cat "$T/body")"
expect_api 200 GET /api/v2/jobs/ # jobs-usage: 0.25/s, burst 3
expect_api 200 GET /api/v2/jobs/
expect_api 200 GET /api/v2/jobs/
expect_api 429 GET /api/v2/jobs/
KEY=$RI_SANDBOX_KEY_2 expect_api 200 GET /api/v3/users/me/
curl -s --noproxy '*' "$U/_sandbox/requests" -o "$T/body"
check '[(r["path"], r["scope"], r["status"]) for r in d["requests"] if r["user"] == "alice@example.com"] == [("/api/v3/users/me/", "user", 200), ("/api/v3/users/me/", "user", 429)] + [("/api/v2/jobs/", "jobs-usage", 200)] * 3 + [("/api/v2/jobs/", "jobs-usage", 429)]' "request log"
last=$(jv 'd["last"]')
curl -s --noproxy '*' "$U/_sandbox/requests?since=$last" -o "$T/body"
check 'd["requests"] == []' "since"

sbx_private "$T/faulty"
admin() { curl -s --noproxy '*' -o "$T/body" -w '%{http_code}' -H 'Content-Type: application/json' "$@"; }
[ "$(admin -d '{"route":"/api/v3/files/*","method":"GET","status":503,"retryAfter":2,"count":2}' "$U/_sandbox/faults")" = 201 ] ||
  fail "fault not accepted: $(cat "$T/body")"
expect_api 503 GET /api/v3/files/
grep -qi '^retry-after: 2' "$T/headers" || fail "no Retry-After on the injected 503"
expect_api 200 GET /api/v3/users/me/ # other routes unaffected
expect_api 503 GET /api/v3/files/
expect_api 200 GET /api/v3/files/ # count exhausted
admin -d '{"route":"^/api/v3/coretypes/$","latencyMs":700,"count":1}' "$U/_sandbox/faults" >/dev/null
t0=$(date +%s%N)
expect_api 200 GET /api/v3/coretypes/
[ $((($(date +%s%N) - t0) / 1000000)) -ge 650 ] || fail "latency was not injected"
check 'any(t["code"] == "emerald" for t in d["results"])'
admin -d '{"route":"/api/v3/analyses/","drop":true,"count":1}' "$U/_sandbox/faults" >/dev/null
rc=0
curl -s --noproxy '*' -o /dev/null -H "Authorization: Token $KEY" "$U/api/v3/analyses/" || rc=$?
[ "$rc" != 0 ] || fail "the dropped connection looked like a complete response"
expect_api 200 GET /api/v3/analyses/
check 'any(a["code"] == "user_included" and a["versions"][0]["versionCode"] for a in d["results"])'
admin -d '{"route":"/api/v3/users/me/","status":429,"retryAfter":3}' "$U/_sandbox/faults" >/dev/null
expect_api 429 GET /api/v3/users/me/
check 'd == {"detail": "Request was throttled. Expected available in 3 seconds."}'
[ "$(admin -X DELETE "$U/_sandbox/faults")" = 204 ] || fail "faults not cleared"
expect_api 200 GET /api/v3/users/me/

# Admin: move a job to a status by hand.
post_json /api/v3/jobs/ '{"name":"manual","jobanalyses":[{"command":"true","analysis":{"code":"user_included"},"hardware":{"coreType":{"code":"emerald"}}}]}'
job=$(jv 'd["id"]')
[ "$(admin -d '{"status":"Waiting for Queue"}' "$U/_sandbox/jobs/$job/status")" = 200 ] || fail "admin status: $(cat "$T/body")"
expect_api 200 GET "/api/v2/jobs/?job_status=WAITING_FOR_QUEUE"
check '[j["id"] for j in d["results"]] == ["'"$job"'"]'
[ "$(admin "$U/_sandbox/health")" = 200 ] || fail "health"
echo "ok: ri-sandbox rate limits, faults, request log and admin API"
