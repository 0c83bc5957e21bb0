#!/usr/bin/env bash
# services: radosgw sandbox
# kill -9 mid-upload and mid-download in library mode, then the same command again: the upload
# continues the same multipart upload (same key, chained IV; confirmed parts not re-sent), the
# file is registered exactly once and decrypts to the source; the state DB is mode 0600; a
# crash between upload and registration registers once on the rerun; the download resumes
# from its parts and verifies.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-upload ri-download
ri_setup
use_service radosgw
# A private sandbox: this test injects faults, which would hit other tests' calls on the shared one.
# shellcheck source=tests/fixtures/sandbox.sh
source "$RI_SOURCE_DIR/tests/fixtures/sandbox.sh"
sbx_private "$T/sandbox"
export RESCALE_API_URL=$RI_SANDBOX_URL RESCALE_API_KEY=$RI_SANDBOX_KEY
U=$RI_SANDBOX_URL
tag=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
api() { curl -sf --noproxy '*' -H "Authorization: Token $RI_SANDBOX_KEY" "$U$1"; }
count_named() { api "/api/v3/files/?search=$1&page_size=1000" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["results"]))'; }

f="$T/resume-$tag.bin"
head -c $((48 * 1024 * 1024)) /dev/urandom >"$f"
# Slow the storage down is not possible here; small parts and one worker make the run long enough.
ri-upload --part-size 1MiB -j 1 "$f" >"$T/up1" 2>"$T/e1" &
pid=$!
done_parts=$(kill_after_parts "$pid" upload_parts 5)
[ "$done_parts" -ge 5 ] || fail "killed before any part was confirmed"
[ "$(stat -c %a "$XDG_STATE_HOME/ri/state.db")" = 600 ] || fail "state db is not 0600"
[ ! -s "$T/up1" ] || fail "a record was printed before registration: $(cat "$T/up1")"
[ "$(count_named "resume-$tag")" = 0 ] || fail "registered before the upload completed"
expect_exit 0 ri-upload --part-size 1MiB -j 1 "$f"
resumed=$(json_field "$T/out" resumed_parts)
[ "$resumed" -ge "$done_parts" ] || fail "resumed $resumed parts, $done_parts were confirmed"
id=$(json_field "$T/out" id)
[ "$(count_named "resume-$tag")" = 1 ] || fail "not registered exactly once"
expect_exit 0 ri-download "$id" -o "$T/dl"
assert_same "$f" "$T/dl/resume-$tag.bin"
[ "$(state_count "SELECT COUNT(*) FROM platform_uploads")" = 0 ] || fail "platform upload state left behind"

# A crash between upload and registration: the rerun registers once (the register fault makes
# the first run fail after the upload, as a crash would).
g="$T/reg-$tag.bin"
head -c 3000 /dev/urandom >"$g"
curl -s --noproxy '*' -o /dev/null -H 'Content-Type: application/json' -d '{"route":"^/api/v3/files/$","method":"POST","status":503,"count":1}' "$U/_sandbox/faults"
expect_exit 69 ri-upload "$g"
[ "$(state_count "SELECT COUNT(*) FROM platform_uploads WHERE stage = 'registering'")" = 1 ] || fail "no registering state"
expect_exit 0 ri-upload "$g"
[ "$(count_named "reg-$tag")" = 1 ] || fail "not registered exactly once"
# And once more: the state is gone and the name exists -> skipped, not a second file.
expect_exit 0 ri-upload --check-conflicts "$g"
expect_field "$T/out" skipped true
[ "$(count_named "reg-$tag")" = 1 ] || fail "registered twice"

# kill -9 mid-download, then resume.
ri-download --part-size 1MiB -j 1 "$id" -o "$T/dl2" >"$T/d1" 2>&1 &
pid=$!
got=$(kill_after_parts "$pid" download_parts 5)
[ -e "$T/dl2/resume-$tag.bin.ri-partial" ] || fail "no partial file kept"
[ ! -e "$T/dl2/resume-$tag.bin" ] || fail "final name before completion"
expect_exit 0 ri-download --part-size 1MiB -j 1 "$id" -o "$T/dl2"
expect_field "$T/out" resumed true
assert_same "$f" "$T/dl2/resume-$tag.bin"
echo "ok: upload and download resume after kill -9 ($done_parts / $got parts kept), registered once"
