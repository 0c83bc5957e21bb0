#!/usr/bin/env bash
# services: radosgw sandbox
# ri-sandbox jobs, by curl, with the reference's example body: create (v3 and v2), submit, the
# statuses Pending -> Queued -> Started -> Validated -> Executing -> Completed newest first,
# tail while executing, outputs with full records that decrypt to what the command wrote,
# list filters (state, job_status, q=#tag), validation errors, the automation 500, a failing
# command, stop and the delete rules.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
ri_setup
# shellcheck source=tests/fixtures/sandbox.sh
source "$RI_SOURCE_DIR/tests/fixtures/sandbox.sh"
sbx_use sandbox

# The input: a tar.gz holding run.sh, decompressed by the platform.
mkdir -p "$T/in"
cat >"$T/in/run.sh" <<'SH'
env | grep -E '^(AWS_|AZURE_STORAGE_)' >leaked-env.txt
echo "start $GREETING"
for i in 1 2 3 4 5; do echo "tick $i"; sleep 0.3; done
mkdir -p results
printf 'result of %s\n' "$GREETING" >results/answer.txt
SH
tar czf "$T/input.tar.gz" -C "$T/in" run.sh
upload_v2 "$T/input.tar.gz"
input=$FID

body=$(cat <<JSON
{"name":"Job1","isLowPriority":false,"tags":["a","nightly"],
 "jobanalyses":[{"command":"sh run.sh","analysis":{"code":"user_included","version":"0"},
   "hardware":{"coreType":{"code":"emerald"},"coresPerSlot":4,"slots":1,"walltime":48},
   "inputFiles":[{"id":"$input","decompress":true}],"envVars":{"GREETING":"hello"},
   "useRescaleLicense":false,"onDemandLicenseSeller":null,"userDefinedLicenseSettings":null}],
 "jobAutomations":[]}
JSON
)
post_json /api/v3/jobs/ "$body"
job=$(jv 'd["id"]')
check 'd["name"] == "Job1" and d["jobanalyses"][0]["hardware"]["coreType"] == {"code": "emerald"} and "jobStatus" not in d' "v3 create echo"

# A draft has no statuses; submit starts it (200); a second submit is refused.
expect_api 200 GET "/api/v3/jobs/$job/statuses/"
check 'd["count"] == 0 and d["results"] == []'
expect_api 200 POST "/api/v2/jobs/$job/submit/" -H 'Content-Type: application/json' -d '{}'
expect_api 400 POST "/api/v2/jobs/$job/submit/" -H 'Content-Type: application/json' -d '{}'

# Tail sees process_output.log grow while the job executes.
wait_job_status "$job" Executing 30
seen=0
for _ in $(seq 1 50); do
  api GET "/api/v2/jobs/$job/runs/1/tail/process_output.log?lines=3"
  if [ "$CODE" = 200 ] && check 'isinstance(d["lines"], list)' && [ "$(jv 'len(d["lines"])')" -ge 2 ]; then
    seen=1
    break
  fi
  sleep 0.1
done
[ "$seen" = 1 ] || fail "tail never showed output while executing"

wait_job_status "$job" Completed 60
expect_api 200 GET "/api/v3/jobs/$job/statuses/"
check '[s["status"] for s in d["results"]] == ["Completed","Executing","Validated","Started","Queued","Pending"]' "status sequence"
check 'all(set(s) >= {"id","jobId","status","statusDate","statusReason","substatus"} for s in d["results"])' "status fields"
check 'all(d["results"][i]["statusDate"] >= d["results"][i+1]["statusDate"] for i in range(5))' "newest first"
check 'd["results"][0]["statusReason"] == "Completed successfully"'

# Single GET has no jobStatus; list items do.
expect_api 200 GET "/api/v2/jobs/$job/"
check '"jobStatus" not in d and d["jobanalyses"][0]["hardware"]["coreType"] == "emerald"' "v2 get"
expect_api 200 GET "/api/v3/jobs/?ordering=-dateInserted"
check 'set(d) == {"count","next","previous","results"}'
check 'any(j["id"] == "'"$job"'" and j["jobStatus"]["content"] == "Completed" and set(j["jobStatus"]) >= {"content","labelClass","useLabel","statusReason"} for j in d["results"])' "list jobStatus"
expect_api 200 GET "/api/v2/jobs/?state=completed"
check 'any(j["id"] == "'"$job"'" for j in d["results"])'
expect_api 200 GET "/api/v2/jobs/?state=not_completed"
check 'all(j["id"] != "'"$job"'" for j in d["results"])'
expect_api 200 GET "/api/v2/jobs/?job_status=COMPLETED"
check 'any(j["id"] == "'"$job"'" for j in d["results"])'
expect_api 200 GET "/api/v2/jobs/?q=%23nightly"
check '[j["id"] for j in d["results"]] == ["'"$job"'"]' "q=#tag"

# Outputs: full records; each decrypts (openssl, key from the record, iv from the object via the
# v2 contents endpoint's server-side decryption) to what the command wrote.
expect_api 200 GET "/api/v2/jobs/$job/files/"
check 'sorted(f["relativePath"] for f in d["results"]) == ["leaked-env.txt", "process_output.log", "results/answer.txt"]' "outputs"
leaked=$(jv '[f for f in d["results"] if f["relativePath"] == "leaked-env.txt"][0]["decryptedSize"]')
[ "$leaked" = 0 ] || fail "the job saw the sandbox's storage credentials"
check 'all(f["typeId"] == 5 and f["downloadUrl"].startswith("http") and f["fileChecksums"][0]["hashFunction"] == "sha512" and set(f) >= {"id","name","typeId","dateUploaded","relativePath","path","encodedEncryptionKey","downloadUrl","decryptedSize","pathParts","storage","fileChecksums","isUploaded","md5","owner","sharedWith","viewInBrowser"} for f in d["results"])' "output fields"
answer=$(jv '[f for f in d["results"] if f["relativePath"] == "results/answer.txt"][0]["id"]')
sha=$(jv '[f for f in d["results"] if f["relativePath"] == "results/answer.txt"][0]["fileChecksums"][0]["fileHash"]')
expect_api 200 GET "/api/v2/files/$answer/contents/"
[ "$(cat "$T/body")" = "result of hello" ] || fail "answer.txt has '$(cat "$T/body")'"
[ "$(sha512sum <"$T/body" | cut -d' ' -f1)" = "$sha" ] || fail "the output's fileChecksums do not match its contents"
expect_api 200 GET "/api/v2/jobs/$job/runs/"
check 'd["results"][0]["id"] == "1" and d["results"][0]["dateCompleted"]'
expect_api 200 GET "/api/v2/jobs/$job/runs/1/files/"
check 'sorted(f["relativePath"] for f in d["results"]) == ["leaked-env.txt", "process_output.log", "results/answer.txt"] and all(set(f) >= {"id","name","size","relativePath"} for f in d["results"])'
expect_api 200 GET "/api/v2/jobs/$job/runs/1/tail/process_output.log?lines=2"
check 'd["lines"] == ["tick 4", "tick 5"]' "tail after completion"

# Tags and custom fields.
expect_api 200 GET "/api/v3/jobs/$job/tags/"
check 'sorted(t["name"] for t in d) == ["a", "nightly"]'
post_json "/api/v3/jobs/$job/tags/" '{"name":"Done"}'
expect_api 200 GET "/api/v3/jobs/$job/tags/"
check '{"name": "Done", "normalizedName": "done"} in d'
expect_api 200 GET "/api/v3/jobs/$job/custom-fields/"
check 'd["Context"]["meta"]["name"] == "Context" and d["Context"]["value"] is None'
curl -s --noproxy '*' -o /dev/null -H 'Content-Type: application/json' -d '{"Context":"ci"}' "$U/_sandbox/jobs/$job/custom-fields"
expect_api 200 GET "/api/v3/jobs/$job/custom-fields/"
check 'd["Context"]["value"] == "ci"'

# v2 body (coreType a string); validation errors are DRF field errors.
post_json /api/v2/jobs/ '{"name":"v2","jobanalyses":[{"command":"true","analysis":{"code":"user_included"},"hardware":{"coreType":"onyx","coresPerSlot":1}}]}'
check 'd["jobanalyses"][0]["hardware"]["coreType"] == "onyx" and d["jobanalyses"][0]["hardware"]["coreSummary"]["numCores"] == 1'
post_json /api/v3/jobs/ '{"name":"bad","jobanalyses":[{"command":"x","analysis":{"code":"user_included"},"hardware":{"coreType":{"code":"unobtainium"}}}]}' 400
check '"coreType" in d["jobanalyses"][0]["hardware"]'
post_json /api/v3/jobs/ '{"name":"bad","jobanalyses":[{"command":"x","analysis":{"code":"user_included","version":"99"},"hardware":{"coreType":{"code":"emerald"}}}]}' 400
check '"version" in d["jobanalyses"][0]["analysis"]'
post_json /api/v3/jobs/ '{"name":"bad"}' 400
check 'd == {"jobanalyses": ["This field is required."]}'
post_json /api/v3/jobs/ '{"name":"auto","jobanalyses":[{"command":"x","analysis":{"code":"user_included"},"hardware":{"coreType":{"code":"emerald"}}}],"jobAutomations":[{"automation":{"id":"a1"}}]}' 500

# A failing command ends Failed with a reason; a running job cannot be deleted; stop -> Stopped.
post_json /api/v3/jobs/ '{"name":"fails","jobanalyses":[{"command":"echo bad; exit 3","analysis":{"code":"user_included"},"hardware":{"coreType":{"code":"emerald"}}}]}'
bad=$(jv 'd["id"]')
expect_api 200 POST "/api/v2/jobs/$bad/submit/" -d ''
wait_job_status "$bad" Failed 60
check '"3" in d["results"][0]["statusReason"]' "failure reason"
post_json /api/v3/jobs/ '{"name":"long","jobanalyses":[{"command":"sleep 60","analysis":{"code":"user_included"},"hardware":{"coreType":{"code":"emerald"}}}]}'
long=$(jv 'd["id"]')
expect_api 200 POST "/api/v2/jobs/$long/submit/" -d ''
wait_job_status "$long" Executing 30
expect_api 400 DELETE "/api/v3/jobs/$long/"
expect_api 202 POST "/api/v3/jobs/$long/stop/" -d ''
wait_job_status "$long" Stopped 30
expect_api 204 DELETE "/api/v3/jobs/$long/"
expect_api 404 GET "/api/v3/jobs/$long/"

# The other user sees none of it.
KEY=$RI_SANDBOX_KEY_2
expect_api 404 GET "/api/v3/jobs/$job/"
expect_api 404 GET "/api/v2/jobs/$job/files/"
expect_api 404 GET "/api/v2/files/$answer/contents/"
echo "ok: jobs lifecycle on ri-sandbox"
