#!/usr/bin/env bash
# services: radosgw sandbox
# ri-jobs list/get/statuses/tail/tag/fields/stop/delete and the catalog against ri-sandbox: list
# filters (--tag, --name-contains, --state, --status, --limit), job ids piped between ri-jobs runs,
# tail --follow streaming a running job's log until it ends, the delete rules (refused without
# --yes off a terminal; the platform's 400 while the cluster runs explained), hardware and
# software lists and gets, 404 -> 66 for another user's job.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-jobs
ri_setup
# shellcheck source=tests/fixtures/sandbox.sh
source "$RI_SOURCE_DIR/tests/fixtures/sandbox.sh"
sbx_use sandbox
export RESCALE_API_URL=$RI_SANDBOX_URL RESCALE_API_KEY=$RI_SANDBOX_KEY
tag=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')

submit() { # NAME COMMAND [FLAGS...] -> the job id
  local name=$1 cmd=$2
  shift 2
  ri-jobs submit --name "$name" --command "$cmd" --tag "m$tag" "$@" >"$T/sub" 2>"$T/err" || fail "submit $name: $(cat "$T/err")"
  json_field "$T/sub" id
}

# tail --follow on a job that prints for a few seconds: lines arrive while it executes, the
# command ends when the job does (exit 0 for Completed).
# shellcheck disable=SC2016 # expanded by the job's shell, not this one
long=$(submit "ticker-$tag" 'for i in 1 2 3 4 5 6 7 8; do echo "tick $i"; sleep 0.5; done')
ri-jobs tail "$long" --follow --interval 0.3 >"$T/tail" 2>"$T/tail.err" &
tail_pid=$!
ri_at_exit ri_stop "$tail_pid" # if the test fails before the job ends it
seen_early=0
for _ in $(seq 1 60); do
  if grep -q '"line":"tick 2"' "$T/tail" 2>/dev/null; then
    api GET "/api/v2/jobs/$long/statuses/"
    [ "$(jv 'd["results"][0]["status"]')" = Executing ] && seen_early=1
    break
  fi
  sleep 0.2
done
wait "$tail_pid" || fail "tail --follow exited $?: $(cat "$T/tail.err")"
[ "$seen_early" = 1 ] || fail "tail showed nothing while the job was executing: $(cat "$T/tail")"
for i in 1 2 3 4 5 6 7 8; do
  [ "$(grep -c "\"line\":\"tick $i\"" "$T/tail")" = 1 ] || fail "tail: 'tick $i' not exactly once: $(cat "$T/tail")"
done
grep -q "job $long: Completed" "$T/tail.err" || fail "tail did not follow the status: $(cat "$T/tail.err")"
grep -q "\"kind\":\"log\",\"job_id\":\"$long\",\"file\":\"process_output.log\"" "$T/tail" || fail "log record: $(head -1 "$T/tail")"
# Without --follow: the last N lines, at once.
expect_exit 0 ri-jobs tail "$long" --lines 2
{ [ "$(wc -l <"$T/out")" = 2 ] && grep -q "tick 8" "$T/out"; } || fail "tail --lines 2: $(cat "$T/out")"

# Statuses, newest first, as `status` records.
expect_exit 0 ri-jobs statuses "$long"
python3 -c 'import json,sys
s = [json.loads(l) for l in open(sys.argv[1])]
assert [r["status"] for r in s] == ["Completed","Executing","Validated","Started","Queued","Pending"], s
assert all(r["kind"] == "status" and r["job_id"] == sys.argv[2] for r in s)' "$T/out" "$long" ||
  fail "statuses: $(cat "$T/out")"

# A second, running job; then the list filters.
slow=$(submit "sleeper-$tag" 'sleep 60')
api GET "/api/v2/jobs/$slow/statuses/"
expect_exit 0 ri-jobs list --tag "m$tag"
[ "$(wc -l <"$T/out")" = 2 ] || fail "list --tag: $(cat "$T/out")"
{ grep -q "\"id\":\"$slow\"" "$T/out" && grep -q "\"id\":\"$long\"" "$T/out"; } || fail "list --tag misses a job"
expect_exit 0 ri-jobs list --name-contains "ticker-$tag"
[ "$(wc -l <"$T/out")" = 1 ] || fail "list --name-contains: $(cat "$T/out")"
expect_field "$T/out" id "$long"
expect_field "$T/out" status Completed
expect_exit 0 ri-jobs list --state completed --name-contains "$tag"
{ grep -q "\"id\":\"$long\"" "$T/out" && ! grep -q "\"id\":\"$slow\"" "$T/out"; } || fail "list --state completed: $(cat "$T/out")"
expect_exit 0 ri-jobs list --state not_completed --name-contains "$tag"
{ grep -q "\"id\":\"$slow\"" "$T/out" && ! grep -q "\"id\":\"$long\"" "$T/out"; } || fail "list --state not_completed: $(cat "$T/out")"
expect_exit 0 ri-jobs list --status completed --name-contains "$tag"
[ "$(wc -l <"$T/out")" = 1 ] || fail "list --status completed: $(cat "$T/out")"
expect_exit 0 ri-jobs list --name-contains "$tag" --limit 1
[ "$(wc -l <"$T/out")" = 1 ] || fail "list --limit 1: $(cat "$T/out")"
expect_exit 64 ri-jobs list --state finished

# Ids piped between runs: list | get.
ri-jobs list --tag "m$tag" | ri-jobs get >"$T/got" || fail "list | get failed"
[ "$(wc -l <"$T/got")" = 2 ] || fail "piped get: $(cat "$T/got")"

# Tags and custom fields.
expect_exit 0 ri-jobs tag "$long" --add reviewed --add "x$tag"
python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read()); assert sorted(r["tags"]) == sorted(["m"+sys.argv[2], "reviewed", "x"+sys.argv[2]]), r' "$T/out" "$tag" ||
  fail "tag: $(cat "$T/out")"
curl -s --noproxy '*' -o /dev/null -H 'Content-Type: application/json' -d '{"Context":"ci"}' "$U/_sandbox/jobs/$long/custom-fields"
expect_exit 0 ri-jobs fields "$long"
expect_field "$T/out" custom_fields '{"Context": "ci"}'

# Delete: refused without --yes off a terminal; refused by the platform while the cluster runs,
# explained; after stop + wait it goes.
wait_job_status "$slow" Executing 30
expect_exit 64 ri-jobs delete "$slow" </dev/null
grep -q "without --yes" "$T/err" || fail "delete without --yes: $(cat "$T/err")"
expect_exit 65 ri-jobs delete "$slow" --yes
grep -q "cluster is still running. Stop it first (ri-jobs stop $slow" "$T/err" || fail "delete 400 message: $(cat "$T/err")"
expect_exit 0 ri-jobs stop "$slow"
expect_field "$T/out" stop_requested true
expect_exit 1 ri-jobs wait "$slow" --interval 0.3 --timeout 30
expect_field "$T/out" status Stopped
echo "$slow" | ri-jobs delete --yes >"$T/out" 2>"$T/err" || fail "piped delete: $(cat "$T/err")"
expect_field "$T/out" deleted true
expect_exit 66 ri-jobs get "$slow"
grep -q "job $slow not found" "$T/err" || fail "404 message: $(cat "$T/err")"
RESCALE_API_KEY=$RI_SANDBOX_KEY_2 expect_exit 66 ri-jobs get "$long"
# A batch with one bad id: the others done, exit 1 (partial).
expect_exit 1 ri-jobs get "$long" nosuchjob
[ "$(wc -l <"$T/out")" = 1 ] || fail "partial get: $(cat "$T/out")"

# The catalog.
expect_exit 0 ri-jobs hardware list
grep -q '"kind":"coretype","code":"emerald"' "$T/out" || fail "hardware list: $(head -3 "$T/out")"
! grep -q '"code":"standard-plus"' "$T/out" || fail "hardware list shows a retired core type"
expect_exit 0 ri-jobs hardware list --all
grep -q '"code":"standard-plus".*"is_active":false' "$T/out" || fail "hardware list --all misses the retired type"
expect_exit 0 ri-jobs hardware list --search epyc
[ "$(wc -l <"$T/out")" = 1 ] || fail "hardware --search: $(cat "$T/out")"
expect_field "$T/out" code nickel
expect_exit 0 ri-jobs hardware get onyx
expect_field "$T/out" cores '[1, 2, 4, 9, 18, 36]'
expect_exit 66 ri-jobs hardware get unobtainium
expect_exit 0 ri-jobs software list --search foam
[ "$(wc -l <"$T/out")" = 1 ] || fail "software --search: $(cat "$T/out")"
expect_field "$T/out" code openfoam
expect_exit 0 ri-jobs software get openfoam
python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).read()); v={x["version"]: x["version_code"] for x in r["versions"]}; assert v["11"] == "11-openmpi" and "emerald" in r["versions"][0]["allowed_core_types"], r' "$T/out" ||
  fail "software get: $(cat "$T/out")"
expect_exit 66 ri-jobs software get nastran
# Human tables with --human.
expect_exit 0 ri-jobs software list --human
{ grep -q "^CODE" "$T/out" && grep -q "11 (11-openmpi)" "$T/out"; } || fail "software table: $(cat "$T/out")"

expect_exit 0 ri-jobs delete "$long" --yes
echo "ok: ri-jobs list/get/tail/statuses/tag/fields/stop/delete and the catalog on ri-sandbox"
