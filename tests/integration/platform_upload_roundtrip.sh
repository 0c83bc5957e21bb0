#!/usr/bin/env bash
# services: radosgw sandbox
# ri-upload / ri-download in library mode against ri-sandbox on radosgw: files of 0 B to past
# the multipart threshold (lowered with --part-size so the test stays fast), unicode and spaces,
# a directory tree recreated as folders, records only after registration; the stored object
# read back with /usr/bin/aws and decrypted with openssl (key from the record, iv from the
# metadata) equals the source; downloads by id, by folder and from piped records verify the
# SHA-512; a tampered object is exit 65 and leaves no file; --if-exists on the platform.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-upload ri-download
ri_setup
use_service radosgw
s3_env
use_service sandbox
export RESCALE_API_URL=$RI_SANDBOX_URL RESCALE_API_KEY=$RI_SANDBOX_KEY
tag=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
api() { curl -sf --noproxy '*' -H "Authorization: Token $RI_SANDBOX_KEY" "$RI_SANDBOX_URL$1"; }

mkdir -p "$T/src/tree-$tag/sub/deeper"
: >"$T/src/empty-$tag.bin"
printf 'sixteen bytes!!!' >"$T/src/block-$tag.bin"
head -c 1000 /dev/urandom >"$T/src/small $tag é.dat"
head -c $((5 * 1024 * 1024 + 123)) /dev/urandom >"$T/src/multi-$tag.bin"   # 2 parts (S3 parts are at least 5 MiB)
head -c $((10 * 1024 * 1024)) /dev/urandom >"$T/src/exact-$tag.bin"         # padding part of its own
for f in a b c; do head -c 3000 /dev/urandom >"$T/src/tree-$tag/$f.txt"; done
head -c 70000 /dev/urandom >"$T/src/tree-$tag/sub/x.bin"
head -c 10 /dev/urandom >"$T/src/tree-$tag/sub/deeper/y.bin"
head -c 10 /dev/urandom >"$T/src/tree-$tag/sub/skip.tmp"

files=("$T/src/empty-$tag.bin" "$T/src/block-$tag.bin" "$T/src/small $tag é.dat" "$T/src/multi-$tag.bin" "$T/src/exact-$tag.bin")
expect_exit 0 ri-upload --part-size 5MiB --tag "t$tag" "${files[@]}"
[ "$(wc -l <"$T/out")" = 5 ] || fail "expected 5 file records: $(cat "$T/out")"
cp "$T/out" "$T/uploaded"
grep -q '"kind":"file"' "$T/out" || fail "no file records"
/usr/bin/python3 - "$T/uploaded" "${files[@]}" <<'PY' || fail "records do not match the sources"
import json, sys, hashlib, os
recs = [json.loads(l) for l in open(sys.argv[1])]
by_path = {r["path"]: r for r in recs}
for p in sys.argv[2:]:
    r = by_path[p]
    data = open(p, "rb").read()
    assert r["size"] == len(data), (p, r)
    assert r["sha512"] == hashlib.sha512(data).hexdigest(), p
    assert r["name"] == os.path.basename(p), r
    assert r["id"] and "encodedEncryptionKey" not in json.dumps(r) and "key" not in r, r
PY

# Interoperability: the object, fetched with aws and decrypted with openssl, is the source.
big=$(grep "multi-$tag" "$T/uploaded" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
api "/api/v3/files/$big/" >"$T/rec.json" || fail "GET file failed"
read -r bucket key ekey sum < <(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["pathParts"]["container"], d["pathParts"]["path"], d["encodedEncryptionKey"], d["fileChecksums"][0]["fileHash"])' "$T/rec.json")
[[ $key == *"/multi-$tag.bin-"* ]] || fail "object key '$key' is not pathBase/NAME-RANDOM"
[[ ${key##*-} =~ ^[A-Za-z0-9]{22}$ ]] || fail "object key suffix '${key##*-}' is not 22 alphanumerics"
aws_ s3api head-object --bucket "$bucket" --key "$key" >"$T/head.json" || fail "aws head-object failed"
iv=$(/usr/bin/python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["Metadata"]; assert m["streamingformat"]=="cbc" and int(m["partsize"]) % 16 == 0, m; print(m["iv"])' "$T/head.json") ||
    fail "object metadata: $(cat "$T/head.json")"
aws_ s3 cp "s3://$bucket/$key" "$T/obj.enc" >/dev/null || fail "aws s3 cp failed"
/usr/bin/openssl enc -d -aes-256-cbc -K "$(b64_to_hex "$ekey")" -iv "$(b64_to_hex "$iv")" -in "$T/obj.enc" -out "$T/obj.dec" ||
    fail "openssl could not decrypt the object"
assert_same "$T/obj.dec" "$T/src/multi-$tag.bin"
[ "$sum" = "$(sha512_of "$T/src/multi-$tag.bin")" ] || fail "fileChecksums is not the plaintext's SHA-512"
# The sandbox reads a multipart object's MD5 back after registering it (in the background): the
# record's md5 becomes that of the stored ciphertext.
want_md5=$(md5sum <"$T/obj.enc" | cut -d' ' -f1)
for _ in $(seq 1 100); do
  got_md5=$(api "/api/v3/files/$big/" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["md5"])')
  [ -z "$got_md5" ] || break
  sleep 0.2
done
[ "$got_md5" = "$want_md5" ] || fail "the record's md5 is '$got_md5', the stored object's is $want_md5"
api "/api/v3/files/$big/tags/" | grep -q "t$tag" || fail "tag not added"

# Download by id (arguments) and by piped file records: all verified, byte-identical.
ids=$(/usr/bin/python3 -c 'import json,sys; print(" ".join(json.loads(l)["id"] for l in open(sys.argv[1])))' "$T/uploaded")
# shellcheck disable=SC2086
expect_exit 0 ri-download $ids -o "$T/dl1"
[ "$(grep -c '"kind":"download"' "$T/out")" = 5 ] || fail "download records: $(cat "$T/out")"
for f in "${files[@]}"; do assert_same "$f" "$T/dl1/$(basename "$f")"; done
ri-download -o "$T/dl2" <"$T/uploaded" >"$T/out2" || fail "piped download failed"
for f in "${files[@]}"; do assert_same "$f" "$T/dl2/$(basename "$f")"; done
# Again: skipped by default (the files exist), overwritten when asked.
expect_exit 0 ri-download "$big" -o "$T/dl1"
expect_field "$T/out" skipped true

# A directory tree becomes folders; --exclude leaves files out; --folder downloads it back.
expect_exit 64 ri-upload "$T/src/tree-$tag"
expect_exit 0 ri-upload --recursive --exclude '*.tmp' "$T/src/tree-$tag"
[ "$(wc -l <"$T/out")" = 5 ] || fail "tree upload: $(cat "$T/out")"
folder=$(api "/api/v3/users/me/folders/" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["myLibrary"])')
tree=$(api "/api/v3/folders/$folder/contents/?page_size=1000" | /usr/bin/python3 -c '
import json,sys
for r in json.load(sys.stdin)["results"]:
    if r["type"] == "folder" and r["item"]["name"] == sys.argv[1]: print(r["item"]["id"])' "tree-$tag")
[ -n "$tree" ] || fail "no folder tree-$tag in My Library"
expect_exit 0 ri-download --folder "$tree" -o "$T/dl3"
for f in a.txt b.txt c.txt sub/x.bin sub/deeper/y.bin; do assert_same "$T/src/tree-$tag/$f" "$T/dl3/$f"; done
[ ! -e "$T/dl3/sub/skip.tmp" ] || fail "--exclude ignored"
# Uploading the tree again: the folders are reused, the files skipped (--check-conflicts) or
# renamed.
expect_exit 0 ri-upload --recursive --check-conflicts --exclude '*.tmp' "$T/src/tree-$tag"
[ "$(grep -c '"skipped":true' "$T/out")" = 5 ] || fail "check-conflicts did not skip: $(cat "$T/out")"
expect_exit 0 ri-upload --if-exists rename "$T/src/block-$tag.bin"
expect_field "$T/out" name "block-$tag (1).bin"

# Tampering: the object replaced (same size) -> 65, no file; --skip-checksum lets it through.
small=$(grep "small $tag" "$T/uploaded" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
api "/api/v3/files/$small/" >"$T/rec2.json"
IFS=$'\t' read -r sbucket skey sekey < <(/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["pathParts"]["container"], d["pathParts"]["path"], d["encodedEncryptionKey"], sep="\t")' "$T/rec2.json")
siv=$(aws_ s3api head-object --bucket "$sbucket" --key "$skey" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["Metadata"]["iv"])')
head -c 1000 /dev/urandom >"$T/evil"
/usr/bin/openssl enc -aes-256-cbc -K "$(b64_to_hex "$sekey")" -iv "$(b64_to_hex "$siv")" -in "$T/evil" -out "$T/evil.enc"
aws_ s3 cp "$T/evil.enc" "s3://$sbucket/$skey" --metadata "iv=$siv" >/dev/null || fail "could not tamper"
expect_exit 65 ri-download "$small" -o "$T/dl4"
grep -q "failed its checksum" "$T/err" || fail "mismatch message: $(cat "$T/err")"
assert_no_file "$T/dl4/small $tag é.dat"
expect_exit 0 ri-download --skip-checksum "$small" -o "$T/dl4"
assert_same "$T/evil" "$T/dl4/small $tag é.dat"

# Secrets never on stderr.
grep -q "$RI_SANDBOX_KEY" "$T"/err "$T/out" && fail "API key printed"
echo "ok: platform upload/download round trips, interop with aws+openssl, folders, conflicts, tampering"
