#!/usr/bin/env bash
# services: radosgw sandbox
# A private ri-sandbox (--jobs simulate, a slow step) restarted between calls keeps everything:
# users and keys, files, folders, tags, jobs and their statuses; a job submitted before the
# restart carries on to Completed afterwards with its configured outputs. Serve starts in well
# under 2 s and stops cleanly (exit 0) on SIGTERM; a second server on the same data is refused.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
ri_setup
# shellcheck source=tests/fixtures/sandbox.sh
source "$RI_SOURCE_DIR/tests/fixtures/sandbox.sh"
cat >"$T/outputs.json" <<'JSON'
{"outputs": [{"name": "results/summary.txt", "content": "converged\n"}, {"name": "big.dat", "size": 300000}],
 "exitCode": 0}
JSON
sbx_private "$T/sbx" RI_SANDBOX_JOBS=simulate RI_SANDBOX_STEP_SECONDS=2

printf 'keep me\n' >"$T/keep.txt"
upload_v2 "$T/keep.txt"
file=$FID
post_json "/api/v3/files/$file/tags/" '{"name":"persist"}'
post_json /api/v3/jobs/ '{"name":"across","tags":["r"],"jobanalyses":[{"command":"./solve","analysis":{"code":"openfoam","version":"11-openmpi"},"hardware":{"coreType":{"code":"onyx"},"coresPerSlot":2,"walltime":2}}]}'
job=$(jv 'd["id"]')
expect_api 200 POST "/api/v2/jobs/$job/submit/" -d ''
wait_job_status "$job" Queued 10

# A second server on the same data is refused (it would run every job twice).
# shellcheck disable=SC2086
expect_exit 69 timeout 5 $RI_SANDBOX_CMD
grep -q 'Another ri-sandbox is serving' "$T/err" || fail "no clear message: $(cat "$T/err")"

# Restart: SIGTERM (clean exit 0), then serve again on the same data with the outputs config.
pid=$RI_SANDBOX_PID
kill -TERM "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "ri-sandbox did not stop on SIGTERM"
grep -q 'exit' "$T/sbx/sandbox.out" && fail "unexpected output at exit: $(cat "$T/sbx/sandbox.out")"
# shellcheck disable=SC1090
source "$(sed -n "s/^export RI_SANDBOX_STORAGE_ENV='\(.*\)'$/\1/p" "$T/sbx/sandbox.env")"
export AWS_ACCESS_KEY_ID=$RI_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$RI_S3_SECRET_KEY AWS_ENDPOINT_URL=$RI_S3_ENDPOINT
start=$(date +%s%N)
# shellcheck disable=SC2086
$RI_SANDBOX_CMD --simulate-outputs "$T/outputs.json" >"$T/serve.out" 2>"$T/serve.err" &
serve=$!
ri_at_exit ri_stop "$serve" # started by hand: the private sandbox's stop knows only the first one
for _ in $(seq 1 50); do grep -q '"kind":"sandbox"' "$T/serve.out" && break; sleep 0.05; done
ms=$((($(date +%s%N) - start) / 1000000))
grep -q '"kind":"sandbox"' "$T/serve.out" || fail "no ready line after restart: $(cat "$T/serve.err")"
[ "$ms" -lt 2000 ] || fail "serve took $ms ms to be ready"
U=$(/usr/bin/python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readline())["url"])' "$T/serve.out")
[ "$(wc -l <"$T/serve.out")" = 1 ] || fail "more than one line on stdout"

expect_api 200 GET "/api/v3/files/$file/"
check 'd["userTags"] == ["persist"]'
expect_api 200 GET "/api/v2/files/$file/contents/"
[ "$(cat "$T/body")" = "keep me" ] || fail "contents changed across the restart"
expect_api 200 GET "/api/v3/jobs/$job/tags/"
check '[t["name"] for t in d] == ["r"]'
wait_job_status "$job" Completed 30
expect_api 200 GET "/api/v3/jobs/$job/statuses/"
check '[s["status"] for s in d["results"]] == ["Completed","Executing","Validated","Started","Queued","Pending"]' "sequence across a restart"
expect_api 200 GET "/api/v2/jobs/$job/files/"
check 'sorted((f["relativePath"], f["decryptedSize"]) for f in d["results"]) == [("big.dat", 300000), ("process_output.log", d["results"][[f["relativePath"] for f in d["results"]].index("process_output.log")]["decryptedSize"]), ("results/summary.txt", 10)]' "simulated outputs"
summary=$(jv '[f for f in d["results"] if f["relativePath"] == "results/summary.txt"][0]["id"]')
expect_api 200 GET "/api/v2/files/$summary/contents/"
[ "$(cat "$T/body")" = "converged" ] || fail "summary.txt: $(cat "$T/body")"
KEY=$RI_SANDBOX_KEY_2
expect_api 404 GET "/api/v3/jobs/$job/"

kill -INT "$serve"
rc=0
wait "$serve" || rc=$?
[ "$rc" = 0 ] || fail "ri-sandbox exited $rc on SIGINT: $(cat "$T/serve.err")"
echo "ok: ri-sandbox state survives a restart; jobs resume"
