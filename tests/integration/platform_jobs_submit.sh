#!/usr/bin/env bash
# services: radosgw sandbox
# ri-jobs submit/wait/files against ri-sandbox (--jobs execute): a job from an SGE script with
# #RESCALE_* directives and flags over them, its input from `file` records on stdin; the exact
# create body (--dry-run) and what the platform stored (GET) in the reference's shapes (coreType
# an object in v3, walltime in hours, automations with environmentVariables); wait's records
# and exit codes (a failing command -> 1, --timeout -> 75); output files as `file` records
# whose contents are what the command wrote; and validation before any API call: a walltime in
# seconds, an unknown core type or analysis version -> 65 and no create in the request log.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-jobs
ri_setup
# shellcheck source=tests/fixtures/sandbox.sh
source "$RI_SOURCE_DIR/tests/fixtures/sandbox.sh"
sbx_use sandbox
export RESCALE_API_URL=$RI_SANDBOX_URL RESCALE_API_KEY=$RI_SANDBOX_KEY
tag=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')

# The input: a library file, uploaded through the v2 contents endpoint.
printf 'input line for %s\n' "$tag" >"$T/in.dat"
upload_v2 "$T/in.dat"
input=$FID

cat >"$T/run.sh" <<SH
#!/bin/bash
#RESCALE_NAME from-script-$tag
#RESCALE_CORES onyx
#RESCALE_CORES_PER_SLOT 2
#RESCALE_WALLTIME 300
#RESCALE_TAGS ri-jobs-test,t$tag
#RESCALE_ENV_GREETING hello
#RESCALE_AUTOMATION auto-$tag
#\$ -N qsub-name-loses
#\$ -l rescale_walltime=9
echo "start \$GREETING on \$RESCALE_CORES_PER_SLOT cores"
for i in 1 2 3; do echo "tick \$i"; sleep 0.3; done
mkdir -p results
cat in.dat >results/copy.txt
printf 'answer %s\n' "\$GREETING" >results/answer.txt
SH

# --dry-run: the exact create body, flags over directives (walltime, slots, env), nothing created.
echo "{\"kind\":\"file\",\"id\":\"$input\",\"name\":\"in.dat\"}" >"$T/in.rec"
expect_exit 0 ri-jobs submit --script "$T/run.sh" --walltime 2 --slots 1 --env EXTRA=1 --dry-run --no-decompress <"$T/in.rec"
python3 - "$T/out" "$input" "$tag" <<'PY' || fail "dry-run body: $(cat "$T/out")"
import json, sys
rec = json.loads(open(sys.argv[1]).read())
assert rec["kind"] == "job_request", rec
b = rec["body"]
ja = b["jobanalyses"][0]
assert b["name"] == "from-script-" + sys.argv[3], b["name"]
assert b["isLowPriority"] is False
assert b["tags"] == ["ri-jobs-test", "t" + sys.argv[3]], b["tags"]
assert ja["hardware"] == {"coreType": {"code": "onyx"}, "coresPerSlot": 2, "slots": 1, "walltime": 2}, ja["hardware"]
assert ja["analysis"] == {"code": "user_included"}, ja["analysis"]
assert ja["inputFiles"] == [{"id": sys.argv[2], "decompress": False}], ja["inputFiles"]
assert ja["envVars"] == {"EXTRA": "1", "GREETING": "hello"}, ja["envVars"]
assert ja["command"].startswith('echo "start $GREETING') and "#" not in ja["command"], ja["command"]
assert set(ja) >= {"useRescaleLicense", "onDemandLicenseSeller", "userDefinedLicenseSettings"}
assert b["jobAutomations"] == [{"automation": {"id": "auto-" + sys.argv[3]}, "environmentVariables": {}}], b["jobAutomations"]
PY

# Submit for real: one `job` record, then wait re-emits it Completed (exit 0).
ri-jobs submit --script "$T/run.sh" --walltime 2 --version 0 <"$T/in.rec" >"$T/submitted" 2>"$T/err" ||
  fail "submit failed: $(cat "$T/err")"
job=$(json_field "$T/submitted" id)
expect_field "$T/submitted" kind job
expect_field "$T/submitted" name "from-script-$tag"
python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read()); assert list(r)[:4]==["kind","id","name","status"] and r["status"] in ("Pending","Queued","Started","Validated","Executing"), r' "$T/submitted" ||
  fail "submit record: $(cat "$T/submitted")"

# What the platform stored: the v3 shapes.
expect_api 200 GET "/api/v3/jobs/$job/"
check 'd["jobanalyses"][0]["hardware"]["coreType"] == {"code": "onyx"} and d["jobanalyses"][0]["hardware"]["walltime"] == 2 and d["jobanalyses"][0]["hardware"]["coresPerSlot"] == 2' "stored hardware"
check 'd["jobAutomations"] == [{"automation": {"id": "auto-'"$tag"'"}, "environmentVariables": {}}]' "stored automations"
check 'd["jobanalyses"][0]["inputFiles"] == [{"id": "'"$input"'", "decompress": True}] and d["jobanalyses"][0]["analysis"] == {"code": "user_included", "version": "0"}' "stored inputs"
check 'sorted(d["tags"]) == sorted(["ri-jobs-test", "t'"$tag"'"])' "stored tags"
# The request log: create on v3, submit on v2 (job-submission scope).
api GET "/_sandbox/requests"
python3 - "$T/body" "$job" <<'PY' || fail "request log: create/submit paths"
import json, sys
reqs = json.load(open(sys.argv[1]))["requests"]
job = sys.argv[2]
sub = [r for r in reqs if r["method"] == "POST" and r["path"] == "/api/v2/jobs/%s/submit/" % job]
assert len(sub) == 1 and sub[0]["status"] == 200 and sub[0]["scope"] == "job-submission", sub
PY

ri-jobs wait --interval 0.5 --timeout 60s <"$T/submitted" >"$T/waited" 2>"$T/err" || fail "wait: exit $? $(cat "$T/err")"
expect_field "$T/waited" id "$job"
expect_field "$T/waited" status Completed
expect_field "$T/waited" name "from-script-$tag"
expect_exit 0 ri-jobs get "$job"
expect_field "$T/out" status Completed

# Output files as `file` records (v2, jobs-usage scope), contents as the command wrote them.
expect_exit 0 ri-jobs files "$job"
grep -q '"name":"copy.txt"' "$T/out" || fail "files: no copy.txt: $(cat "$T/out")"
grep -q '"kind":"file"' "$T/out" || fail "files: not file records"
[ "$(wc -l <"$T/out")" = 3 ] || fail "files: want 3 (log, copy, answer): $(cat "$T/out")"
copy=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["name"] == "copy.txt": print(r["id"], r["sha512"])' "$T/out")
expect_api 200 GET "/api/v2/files/${copy% *}/contents/"
cmp -s "$T/body" "$T/in.dat" || fail "copy.txt differs from in.dat"
[ "$(sha512_of "$T/in.dat")" = "${copy#* }" ] || fail "copy.txt's sha512 is not in.dat's"
expect_exit 0 ri-jobs files "$job" --search answer
[ "$(wc -l <"$T/out")" = 1 ] || fail "files --search: $(cat "$T/out")"

# A failing command: wait exits 1 and still re-emits the record, with the reason.
ri-jobs submit --name "fails-$tag" --command 'echo bad; exit 3' --core-type emerald >"$T/bad" 2>"$T/err" ||
  fail "submit (flags) failed: $(cat "$T/err")"
bad=$(json_field "$T/bad" id)
expect_exit 1 ri-jobs wait "$bad" --interval 0.5
expect_field "$T/out" status Failed
grep -q "status 3" "$T/out" || fail "no failure reason in $(cat "$T/out")"
grep -q "job $bad ended Failed" "$T/err" || fail "wait did not say which job failed: $(cat "$T/err")"

# --timeout: 75, naming the job still running; then stop it.
ri-jobs submit --name "slow-$tag" --command 'sleep 60' >"$T/slow" 2>"$T/err" || fail "submit slow: $(cat "$T/err")"
slow=$(json_field "$T/slow" id)
expect_exit 75 ri-jobs wait "$slow" --interval 0.5 --timeout 2s
grep -q "Timed out after 2 s.*$slow" "$T/err" || fail "timeout message: $(cat "$T/err")"
expect_exit 0 ri-jobs stop "$slow"
expect_exit 1 ri-jobs wait "$slow" --interval 0.5 --timeout 60
expect_field "$T/out" status Stopped

# --create-only: a draft, "Not Submitted".
expect_exit 0 ri-jobs submit --name "draft-$tag" --command true --create-only
expect_field "$T/out" status "Not Submitted"
draft=$(json_field "$T/out" id)
expect_exit 0 ri-jobs get "$draft"
expect_field "$T/out" status "Not Submitted"

# Validation before any API call: a walltime in seconds, with an unreachable platform (no call
# can have been made, or this would be 69), from a script and from a flag.
printf '#RESCALE_WALLTIME 3600\necho x\n' >"$T/legacy.sh"
RESCALE_API_URL=http://127.0.0.1:9 expect_exit 65 ri-jobs submit --script "$T/legacy.sh"
grep -q "legacy.sh line 1: #RESCALE_WALLTIME: walltime 3600 is over 336 hours" "$T/err" || fail "walltime message: $(cat "$T/err")"
RESCALE_API_URL=http://127.0.0.1:9 expect_exit 65 ri-jobs submit --command x --walltime 86400
RESCALE_API_URL=http://127.0.0.1:9 expect_exit 64 ri-jobs submit --name "no command"
grep -q "no command" "$T/err" || fail "no-command message: $(cat "$T/err")"
# Catalog checks (user 2, whose jobs no other test creates): 65 naming the value, no create.
api GET "/_sandbox/requests"
since=$(jv 'd["last"]')
RESCALE_API_KEY=$RI_SANDBOX_KEY_2 expect_exit 65 ri-jobs submit --command x --core-type unobtainium
grep -q "Unknown core type 'unobtainium'" "$T/err" || fail "core type message: $(cat "$T/err")"
RESCALE_API_KEY=$RI_SANDBOX_KEY_2 expect_exit 65 ri-jobs submit --command x --analysis openfoam --version 99
grep -q "Unknown version '99' of analysis 'openfoam'" "$T/err" || fail "version message: $(cat "$T/err")"
RESCALE_API_KEY=$RI_SANDBOX_KEY_2 expect_exit 65 ri-jobs submit --command x --analysis nastran
api GET "/_sandbox/requests?since=$since"
python3 - "$T/body" <<'PY' || fail "validation: a job was created: $(cat "$T/body")"
import json, sys
reqs = json.load(open(sys.argv[1]))["requests"]
mine = {r["user"] for r in reqs if r["path"] == "/api/v3/coretypes/"}
assert len(mine) == 1, mine  # ri-jobs's own catalog reads
assert not [r for r in reqs if r["method"] == "POST" and r["user"] in mine and "/jobs/" in r["path"]], reqs
PY

expect_exit 0 ri-jobs delete "$draft" "$bad" --yes
echo "ok: ri-jobs submit, wait, files and validation on ri-sandbox"
