#!/usr/bin/env bash
# services: radosgw sandbox
# ri-download --job against ri-sandbox (--jobs execute): the outputs a command wrote are listed
# once through the v2 job-files endpoint and downloaded with no per-file GET (request log:
# ceil(N/1000) listing calls + credential calls), decrypted and verified; --include/--exclude;
# job records on stdin; an output whose relativePath is ../../etc/x is refused and nothing is
# written outside -o DIR; injected 503s on the credentials and a 429 on the listing are survived.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-download
ri_setup
use_service radosgw
# A private sandbox: this test injects faults, which would hit other tests' calls on the shared one.
# shellcheck source=tests/fixtures/sandbox.sh
source "$RI_SOURCE_DIR/tests/fixtures/sandbox.sh"
sbx_private "$T/sandbox"
# The second user: the request log assertion must see no other test's calls.
export RESCALE_API_URL=$RI_SANDBOX_URL RESCALE_API_KEY=$RI_SANDBOX_KEY_2
U=$RI_SANDBOX_URL
api() { curl -sf --noproxy '*' -H "Authorization: Token $RI_SANDBOX_KEY_2" -H 'Content-Type: application/json' "$@"; }
admin() { curl -s --noproxy '*' -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' "$@"; }

# A job whose command writes 30 outputs, some in subdirectories.
# shellcheck disable=SC2016 # expanded by the job's shell, not this one
cmd='mkdir -p out/deep; for i in $(seq 1 25); do head -c $((i * 1000)) /dev/urandom > out/f$i.dat; done; for i in 1 2 3; do echo deep$i > out/deep/d$i.txt; done; head -c 3000000 /dev/urandom > big.bin; sha512sum out/*.dat out/deep/*.txt big.bin > sums.txt'
body=$(/usr/bin/python3 -c 'import json,sys; print(json.dumps({"name":"dl","jobanalyses":[{"command":sys.argv[1],"analysis":{"code":"user_included"},"hardware":{"coreType":{"code":"emerald"},"coresPerSlot":1}}]}))' "$cmd")
job=$(api -X POST -d "$body" "$U/api/v3/jobs/" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || fail "job create failed"
api -X POST -d '{}' "$U/api/v2/jobs/$job/submit/" >/dev/null || fail "submit failed"
for _ in $(seq 1 120); do
    st=$(api "$U/api/v2/jobs/$job/statuses/" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["results"][0]["status"])')
    [ "$st" = Completed ] && break
    [ "$st" = Failed ] && fail "job failed"
    sleep 0.5
done
[ "$st" = Completed ] || fail "job did not complete ($st)"
n=$(api "$U/api/v2/jobs/$job/files/?page_size=1000" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["count"])')
[ "$n" -ge 30 ] || fail "the job has only $n outputs"

last=$(curl -s --noproxy '*' "$U/_sandbox/requests" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["last"])')
expect_exit 0 ri-download --job "$job" -o "$T/out1" --part-size 1MiB
[ "$(grep -c '"kind":"download"' "$T/out")" = "$n" ] || fail "expected $n download records"
(cd "$T/out1" && sha512sum -c --quiet sums.txt) || fail "outputs differ from what the command wrote"
# API calls: one listing page, credentials once (S3: one storage), maybe users/me; no per-file GETs.
curl -s --noproxy '*' "$U/_sandbox/requests?since=$last" >"$T/log.json"
/usr/bin/python3 - "$T/log.json" "$job" <<'PY' || fail "API calls: $(cat "$T/log.json")"
import json, sys
reqs = [r for r in json.load(open(sys.argv[1]))["requests"] if r["user"] == "bob@example.com"]
paths = [r["method"] + " " + r["path"] for r in reqs]
lists = [p for p in paths if p == "GET /api/v2/jobs/%s/files/" % sys.argv[2]]
creds = [p for p in paths if p == "POST /api/v3/credentials/"]
other = [p for p in paths if p not in lists and p not in creds and p != "GET /api/v3/users/me/"]
assert len(lists) == 1, paths
assert len(creds) == 1, paths
assert not other, other
print("api calls:", len(reqs), "(1 listing, 1 credentials)")
PY

# --include / --exclude on relative paths; job records on stdin.
expect_exit 0 ri-download --job "$job" -o "$T/out2" --include 'out/deep/*'
[ "$(grep -c '"kind":"download"' "$T/out")" = 3 ] || fail "--include: $(cat "$T/out")"
echo "{\"kind\":\"job\",\"id\":\"$job\"}" | ri-download -o "$T/out3" --exclude '*.dat' >"$T/out" || fail "stdin job record"
{ [ -f "$T/out3/big.bin" ] && [ ! -e "$T/out3/out/f1.dat" ]; } || fail "stdin job + --exclude"

# Faults: 503 twice on credentials, 429 once on the listing: survived.
admin -d '{"route":"/api/v3/credentials/","status":503,"count":2}' "$U/_sandbox/faults" >/dev/null
admin -d "{\"route\":\"/api/v2/jobs/$job/files/\",\"status\":429,\"retryAfter\":1,\"count\":1}" "$U/_sandbox/faults" >/dev/null
expect_exit 0 ri-download --job "$job" -o "$T/out4" --include big.bin
cmp "$T/out1/big.bin" "$T/out4/big.bin" || fail "after faults"
admin -X DELETE "$U/_sandbox/faults" >/dev/null

# An output named ../../etc/x (set in the sandbox's database) is refused; nothing outside DIR.
/usr/bin/python3 - "$RI_SANDBOX_DATA" "$job" <<'PY' || fail "could not rename an output in the sandbox database"
import sqlite3, sys, glob, os, json
dbs = [p for p in glob.glob(os.path.join(sys.argv[1], "*.db")) + glob.glob(os.path.join(sys.argv[1], "*.sqlite*")) if not p.endswith(("-wal", "-shm"))]
db = sqlite3.connect(dbs[0])
cur = db.execute("SELECT id, doc FROM files WHERE job_id = ? AND json_extract(doc, '$.relativePath') = 'out/f1.dat'", (sys.argv[2],))
fid, doc = cur.fetchone()
d = json.loads(doc); d["relativePath"] = "../../etc/x"
db.execute("UPDATE files SET doc = ? WHERE id = ?", (json.dumps(d), fid)); db.commit()
PY
mkdir -p "$T/jail/a/b"
expect_exit 1 ri-download --job "$job" -o "$T/jail/a/b"  # the other outputs download
grep -q "Refusing to write '../../etc/x'" "$T/err" || fail "traversal message: $(cat "$T/err")"
{ [ ! -e "$T/jail/etc/x" ] && [ ! -e "$T/jail/a/etc/x" ]; } || fail "wrote outside -o DIR"
# A symlinked directory inside DIR that leads out is refused too.
mkdir -p "$T/outside" "$T/jail2"
ln -s "$T/outside" "$T/jail2/out"
expect_exit 65 ri-download --job "$job" -o "$T/jail2" --include 'out/deep/d1.txt'
[ -z "$(ls -A "$T/outside")" ] || fail "wrote through a symlink out of -o DIR"
echo "ok: job outputs listed once, downloaded and verified; filters; faults; traversal refused"
