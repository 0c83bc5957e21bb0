#!/usr/bin/env bash
# services: radosgw
# Real faults: a server answering 503 SlowDown for a while is survived with backoff (and the
# object is right); a server restarted in the middle of a download is survived by rerunning
# the same command, which continues from the parts already saved.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-upload ri-download
ri_setup
use_service radosgw
s3_env
new_bucket ri-fault
bucket=$BUCKET

# 1. SlowDown: the first 4 PUTs through the proxy get 503 (with Retry-After: 1).
/usr/bin/python3 "$RI_SOURCE_DIR/tests/fixtures/s3_fault_proxy.py" "$RI_S3_ENDPOINT" --slowdown 4 \
    --slowdown-method PUT --retry-after 1 --log "$T/proxy.log" >"$T/port" 2>"$T/proxy.err" &
ri_at_exit ri_stop "$!"
for _ in $(seq 1 100); do [ -s "$T/port" ] && break; sleep 0.05; done
port=$(head -1 "$T/port")
[ -n "$port" ] || fail "the fault proxy did not start: $(cat "$T/proxy.err")"
head -c $((12 << 20)) /dev/urandom >"$T/f.bin"
AWS_ENDPOINT_URL=http://127.0.0.1:$port expect_exit 0 ri-upload --path-style --part-size 5MiB -j 1 "$T/f.bin" "s3://$bucket/slow/" --json
aws_ s3 cp "s3://$bucket/slow/f.bin" "$T/check" >/dev/null
cmp -s "$T/check" "$T/f.bin" || fail "the object is wrong after SlowDown retries"
[ "$(grep -c '"status": 503' "$T/proxy.log")" = 4 ] || fail "the proxy did not inject 4 SlowDowns: $(cat "$T/proxy.log")"
# Retry-After was honoured: each retry came at least ~1 s after its 503 (server-side times).
/usr/bin/python3 - "$T/proxy.log" <<'PY' || fail "retries did not wait for Retry-After: $(cat "$T/proxy.log")"
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
puts = [r for r in reqs if r["method"] == "PUT"]
for a, b in zip(puts, puts[1:]):
    if a["status"] == 503:
        assert b["t"] - a["t"] >= 0.9, (a, b)
PY

# 2. A private server whose S3 front end (radosgw) is killed and restarted on the same port in
# the middle of a download: the running download retries through the outage and finishes, and
# the file is byte-identical.
ri_start_service radosgw "$T/rgw"
# shellcheck disable=SC1091
source "$T/rgw/radosgw.env"
export AWS_ACCESS_KEY_ID=$RI_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$RI_S3_SECRET_KEY AWS_ENDPOINT_URL=$RI_S3_ENDPOINT
printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$RI_S3_ACCESS_KEY" "$RI_S3_SECRET_KEY" >"$AWS_SHARED_CREDENTIALS_FILE"
aws_ s3 mb s3://restart >/dev/null
head -c $((64 << 20)) /dev/urandom >"$T/r.bin"
aws_ s3 cp "$T/r.bin" s3://restart/r.bin >/dev/null
port=${RI_S3_ENDPOINT##*:}
ri-download --path-style s3://restart/r.bin -o "$T/rdl" --part-size 2MiB -j 1 --json >"$T/d.out" 2>"$T/d.err" &
dl=$!
ri_at_exit ri_stop "$dl"
for _ in $(seq 1 400); do
    [ "$(state_count "SELECT COUNT(*) FROM download_parts")" -ge 3 ] && break
    sleep 0.05
done
kill -9 "$RI_RADOSGW_PID" # the server dies mid-download
sleep 2
radosgw -c "$T/rgw/ceph.conf" -n client.rgw.a -f --rgw-frontends "beast endpoint=127.0.0.1:$port" >/dev/null 2>&1 &
# This radosgw is not the service script's: stop it here, and for good (TERM, then KILL: it can
# outlive a SIGTERM while its OSD is being stopped; one was found running minutes after CI).
# Registered last, it is stopped before the private cluster it serves.
ri_at_exit ri_stop "$!"
wait "$dl" || fail "the download did not survive the server restart: $(cat "$T/d.err")"
cmp -s "$T/rdl/r.bin" "$T/r.bin" || fail "the download differs after the restart"
grep -q 'requesting the rest\|retry' "$XDG_STATE_HOME/ri/logs/ri.log" || fail "the log shows no retry across the outage"
echo "ok: SlowDown is survived with Retry-After backoff; a server restart mid-download resumes"
