#!/usr/bin/env bash
# services: azurite sandbox_az
# ri-upload / ri-download in library mode for a user whose default storage is Azure (ri-sandbox on
# Azurite): files of 0 B, one AES block, small with spaces and unicode, several blocks (past the
# threshold, lowered with --part-size) and a whole number of parts (the padding block is a block of
# its own); file records only after registration; the blob fetched directly with the Python SDK
# (azure-storage-blob) from the record's pathParts and decrypted with openssl (key from the file,
# iv from the blob metadata) equals the source and fileChecksums is its SHA-512; downloads by id
# and from piped records are byte-identical; a job's outputs (stored on Azure by the sandbox,
# --jobs execute) download and verify.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-upload ri-download
ri_setup
use_service sandbox_az
# The blob store itself: the sandbox's env names the storage server's env file.
# shellcheck disable=SC1090
source "${RI_SANDBOX_STORAGE_ENV:-$RI_SERVICES_DIR/azurite/azurite.env}"
[ -n "${RI_AZ_CONNECTION_STRING:-}" ] || fail "no RI_AZ_CONNECTION_STRING in the azurite env file"
export RI_AZ_CONNECTION_STRING
# ri must get its storage access from the platform (SAS), never from the environment.
unset AZURE_STORAGE_ACCOUNT AZURE_STORAGE_KEY AZURE_STORAGE_ENDPOINT AZURE_STORAGE_CONNECTION_STRING AZURE_STORAGE_SAS_TOKEN
export RESCALE_API_URL=$RI_SANDBOX_URL RESCALE_API_KEY=$RI_SANDBOX_KEY
tag=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
U=$RI_SANDBOX_URL
api() { curl -sf --noproxy '*' -H "Authorization: Token $RI_SANDBOX_KEY" -H 'Content-Type: application/json' "$@"; }
api "$U/api/v3/users/me/" | /usr/bin/python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["defaultStorage"]["storageType"] == "AzureStorage", d' ||
  fail "the sandbox_az user's default storage is not Azure"

# blob_get CONTAINER PATH OUT: the blob's bytes to OUT, its metadata as JSON on stdout.
blob_get() {
  /usr/bin/python3 - "$@" <<'PY'
import json, os, sys
from azure.storage.blob import BlobServiceClient
svc = BlobServiceClient.from_connection_string(os.environ["RI_AZ_CONNECTION_STRING"])
blob = svc.get_blob_client(sys.argv[1], sys.argv[2])
with open(sys.argv[3], "wb") as f:
    blob.download_blob().readinto(f)
meta = {k.lower(): v for k, v in blob.get_blob_properties().metadata.items()}
committed, _ = blob.get_block_list("committed")
meta["_blocks"] = [b.size for b in committed]
print(json.dumps(meta))
PY
}

mkdir -p "$T/src"
: >"$T/src/empty-$tag.bin"
printf 'sixteen bytes!!!' >"$T/src/block-$tag.bin"
head -c 1000 /dev/urandom >"$T/src/small $tag é ü 文件.dat"
head -c $((2 * 1024 * 1024 + 12345)) /dev/urandom >"$T/src/multi-$tag.bin" # 3 blocks of 1 MiB
head -c $((2 * 1024 * 1024)) /dev/urandom >"$T/src/exact-$tag.bin"         # + a padding block
files=("$T/src/empty-$tag.bin" "$T/src/block-$tag.bin" "$T/src/small $tag é ü 文件.dat" "$T/src/multi-$tag.bin" "$T/src/exact-$tag.bin")
expect_exit 0 ri-upload --part-size 1MiB --tag "t$tag" "${files[@]}"
[ "$(grep -c '"kind":"file"' "$T/out")" = 5 ] || fail "expected 5 file records: $(cat "$T/out")"
cp "$T/out" "$T/uploaded"
/usr/bin/python3 - "$T/uploaded" "${files[@]}" <<'PY' || fail "records do not match the sources"
import json, sys, hashlib, os
recs = [json.loads(l) for l in open(sys.argv[1])]
by_path = {r["path"]: r for r in recs}
for p in sys.argv[2:]:
    r = by_path[p]
    data = open(p, "rb").read()
    assert r["kind"] == "file" and r["size"] == len(data), (p, r)
    assert r["sha512"] == hashlib.sha512(data).hexdigest(), p
    assert r["name"] == os.path.basename(p), r
    assert r["id"] and "encodedEncryptionKey" not in json.dumps(r), r
PY

# Every file: registered on Azure storage; the blob, fetched with the SDK and decrypted with
# openssl, is the source; fileChecksums is the plaintext's SHA-512.
for f in "${files[@]}"; do
  id=$(/usr/bin/python3 -c 'import json,sys
for l in open(sys.argv[1]):
    r = json.loads(l)
    if r["path"] == sys.argv[2]: print(r["id"])' "$T/uploaded" "$f")
  api "$U/api/v3/files/$id/" >"$T/rec.json" || fail "GET file $id failed"
  IFS=$'\t' read -r container blob ekey sum stype dsize < <(/usr/bin/python3 -c 'import json,sys
d = json.load(open(sys.argv[1]))
print(d["pathParts"]["container"], d["pathParts"]["path"], d["encodedEncryptionKey"],
      d["fileChecksums"][0]["fileHash"], d["storage"]["storageType"], d["decryptedSize"], sep="\t")' "$T/rec.json")
  [ "$stype" = AzureStorage ] || fail "$(basename "$f"): storage $stype"
  [ "$dsize" = "$(size_of "$f")" ] || fail "$(basename "$f"): decryptedSize $dsize"
  [ "$sum" = "$(sha512_of "$f")" ] || fail "$(basename "$f"): fileChecksums is not the plaintext's SHA-512"
  [[ ${blob##*-} =~ ^[A-Za-z0-9]{22}$ ]] || fail "blob name '$blob' is not pathBase/NAME-<22 alphanumerics>"
  blob_get "$container" "$blob" "$T/obj.enc" >"$T/meta.json" || fail "$(basename "$f"): SDK could not fetch $container/$blob"
  iv=$(/usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["streamingformat"] == "cbc" and int(m["partsize"]) % 16 == 0, m; print(m["iv"])' "$T/meta.json") ||
    fail "$(basename "$f"): blob metadata $(cat "$T/meta.json")"
  [ "$(size_of "$T/obj.enc")" = $(($(size_of "$f") / 16 * 16 + 16)) ] || fail "$(basename "$f"): blob is not whole-file CBC ciphertext"
  case $f in
  */multi-*) want='[1048576, 1048576, 12352]' ;; # 3 blocks of --part-size 1MiB
  */exact-*) want='[1048576, 1048576, 16]' ;;    # the padding block on its own
  *) want= ;;
  esac
  if [ -n "$want" ]; then
    /usr/bin/python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["_blocks"]; sys.exit(b != json.loads(sys.argv[2]))' "$T/meta.json" "$want" ||
      fail "$(basename "$f"): committed blocks $(cat "$T/meta.json"), want $want"
  fi
  /usr/bin/openssl enc -d -aes-256-cbc -K "$(b64_to_hex "$ekey")" -iv "$(b64_to_hex "$iv")" -in "$T/obj.enc" -out "$T/obj.dec" ||
    fail "$(basename "$f"): openssl could not decrypt the blob"
  assert_same "$T/obj.dec" "$f"
done
big=$(grep "multi-$tag" "$T/uploaded" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
api "$U/api/v3/files/$big/tags/" | grep -q "t$tag" || fail "tag not added"

# Download by id and from the piped file records: verified, byte-identical.
ids=$(/usr/bin/python3 -c 'import json,sys; print(" ".join(json.loads(l)["id"] for l in open(sys.argv[1])))' "$T/uploaded")
# shellcheck disable=SC2086
expect_exit 0 ri-download --part-size 1MiB $ids -o "$T/dl1"
[ "$(grep -c '"kind":"download"' "$T/out")" = 5 ] || fail "download records: $(cat "$T/out")"
for f in "${files[@]}"; do assert_same "$f" "$T/dl1/$(basename "$f")"; done
/usr/bin/python3 - "$T/out" "${files[@]}" <<'PY' || fail "download records: $(cat "$T/out")"
import json, sys, hashlib, os
recs = {os.path.basename(r["path"]): r for r in map(json.loads, open(sys.argv[1]))}
for p in sys.argv[2:]:
    r = recs[os.path.basename(p)]
    assert r["sha512"] == hashlib.sha512(open(p, "rb").read()).hexdigest() and r["size"] == os.path.getsize(p), r
PY
expect_exit 0 ri-download -o "$T/dl2" <"$T/uploaded"
[ "$(grep -c '"kind":"download"' "$T/out")" = 5 ] || fail "piped download records: $(cat "$T/out")"
for f in "${files[@]}"; do assert_same "$f" "$T/dl2/$(basename "$f")"; done

# A job of this Azure user: its outputs are stored on Azure, downloaded and verified.
# shellcheck disable=SC2016 # expanded by the job's shell
cmd='mkdir -p out/deep; for i in 1 2 3 4 5; do head -c $((i * 777)) /dev/urandom > out/f$i.dat; done; echo deep > out/deep/d.txt; head -c 1500000 /dev/urandom > big.bin; : > empty.out; sha512sum out/*.dat out/deep/d.txt big.bin empty.out > sums.txt'
body=$(/usr/bin/python3 -c 'import json,sys; print(json.dumps({"name":"az-dl","jobanalyses":[{"command":sys.argv[1],"analysis":{"code":"user_included"},"hardware":{"coreType":{"code":"emerald"},"coresPerSlot":1}}]}))' "$cmd")
job=$(api -X POST -d "$body" "$U/api/v3/jobs/" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])') || fail "job create failed"
api -X POST -d '{}' "$U/api/v2/jobs/$job/submit/" >/dev/null || fail "submit failed"
st=
for _ in $(seq 1 120); do
  st=$(api "$U/api/v2/jobs/$job/statuses/" | /usr/bin/python3 -c 'import json,sys; r=json.load(sys.stdin)["results"]; print(r[0]["status"] if r else "")')
  [ "$st" = Completed ] && break
  [ "$st" = Failed ] && fail "job failed"
  sleep 0.5
done
[ "$st" = Completed ] || fail "job did not complete ($st)"
api "$U/api/v2/jobs/$job/files/?page_size=1000" >"$T/jobfiles.json" || fail "job files listing failed"
n=$(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert all(f["storage"]["storageType"] == "AzureStorage" for f in d["results"]), d; print(d["count"])' "$T/jobfiles.json") ||
  fail "job outputs not on Azure: $(head -c 800 "$T/jobfiles.json")"
[ "$n" -ge 9 ] || fail "the job has only $n outputs"
expect_exit 0 ri-download --job "$job" -o "$T/job" --part-size 1MiB
[ "$(grep -c '"kind":"download"' "$T/out")" = "$n" ] || fail "expected $n download records: $(cat "$T/out")"
(cd "$T/job" && sha512sum -c --quiet sums.txt) || fail "job outputs differ from what the command wrote"
echo "{\"kind\":\"job\",\"id\":\"$job\"}" | ri-download -o "$T/job2" --include 'out/*' --include 'out/deep/*' >"$T/out" 2>"$T/err" || fail "stdin job record: $(cat "$T/err")"
if [ ! -f "$T/job2/out/deep/d.txt" ] || [ ! -f "$T/job2/out/f5.dat" ] || [ -e "$T/job2/big.bin" ]; then
  fail "stdin job + --include: $(cat "$T/out")"
fi
cmp -s "$T/job2/out/f3.dat" "$T/job/out/f3.dat" || fail "stdin job download differs"

grep -q "$RI_SANDBOX_KEY" "$T"/err "$T/out" && fail "API key printed"
echo "ok: Azure user: upload 0 B..multi-block, SDK+openssl interop, download by id/records, job outputs"
