#!/usr/bin/env bash
# services: azurite sandbox_az
# ri-sandbox on Azure storage (Azurite): the credentials endpoint's SAS tokens, signed with the
# account key, really work (container SAS: PUT and GET a blob under pathBase; per-path SAS: GET
# the named blob; a tampered signature is 403; a path outside the user's storage is refused);
# v3 register after a direct SAS upload with iv metadata; v2 contents through the server's own
# encryption; a job's outputs stored encrypted on Azure.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
ri_setup
need_bin ri-encrypt
# shellcheck source=tests/fixtures/sandbox.sh
source "$RI_SOURCE_DIR/tests/fixtures/sandbox.sh"
sbx_use sandbox_az

expect_api 200 GET /api/v3/users/me/
check 'd["defaultStorage"]["storageType"] == "AzureStorage" and d["defaultStorage"]["connectionSettings"]["accountName"]'
container=$(jv 'd["defaultStorage"]["connectionSettings"]["container"]')
base=$(jv 'd["defaultStorage"]["connectionSettings"]["pathBase"]')
endpoint=$(jv 'd["defaultStorage"]["connectionSettings"]["endpoint"]')
storage_id=$(jv 'd["defaultStorage"]["id"]')
expect_api 201 POST /api/v3/credentials/ -H 'Content-Type: application/json' -d 'null'
check 'd["storageType"] == "AzureStorage" and d["storageDir"] == "'"$base"'/" and d["expiration"].endswith("Z")'
sas=$(jv 'd["sasToken"]')

head -c 70000 /dev/urandom >"$T/data.bin"
ri-encrypt encrypt "$T/data.bin" -o "$T/data.enc" --json >"$T/enc.json"
key=$(json_field "$T/enc.json" key)
iv=$(json_field "$T/enc.json" iv)
blob="$base/data.bin-$(head -c 30 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9' | head -c 22)"
code=$(curl -s --noproxy '*' -o "$T/put" -w '%{http_code}' -X PUT -H 'x-ms-blob-type: BlockBlob' -H "x-ms-meta-iv: $iv" \
  --data-binary "@$T/data.enc" "$endpoint/$container/$blob?$sas")
[ "$code" = 201 ] || fail "PUT with the container SAS: $code $(cat "$T/put")"
code=$(curl -s --noproxy '*' -o "$T/got" -w '%{http_code}' "$endpoint/$container/$blob?$sas")
{ [ "$code" = 200 ] && cmp -s "$T/got" "$T/data.enc"; } || fail "GET with the container SAS: $code"
code=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' "$endpoint/$container/$blob?${sas/sig=/sig=AAAA}")
[ "$code" = 403 ] || fail "a tampered SAS gave $code, want 403"

# Per-path SAS.
post_json /api/v3/credentials/ "{\"storage\":{\"id\":\"$storage_id\",\"storageType\":\"AzureStorage\"},\"paths\":[{\"pathParts\":{\"container\":\"$container\",\"path\":\"$blob\"}}]}"
check 'd["paths"][0]["path"] == "'"$blob"'" and d["paths"][0]["pathParts"]["container"] == "'"$container"'"'
blob_sas=$(jv 'd["paths"][0]["sasToken"]')
code=$(curl -s --noproxy '*' -o "$T/got2" -w '%{http_code}' "$endpoint/$container/$blob?$blob_sas")
{ [ "$code" = 200 ] && cmp -s "$T/got2" "$T/data.enc"; } || fail "GET with the per-path SAS: $code"
code=$(curl -s --noproxy '*' -o /dev/null -w '%{http_code}' "$endpoint/$container/$base/other?$blob_sas")
[ "$code" = 403 ] || fail "the per-path SAS opened another blob ($code)"
post_json /api/v3/credentials/ "{\"storage\":{\"id\":\"$storage_id\",\"storageType\":\"AzureStorage\"},\"paths\":[{\"pathParts\":{\"container\":\"$container\",\"path\":\"user/someone-else/x\"}}]}" 403

# Register the direct upload, read it back through the server.
post_json /api/v3/files/ "{\"typeId\":1,\"name\":\"data-$RANDOM.bin\",\"encodedEncryptionKey\":\"$key\",\"pathParts\":{\"container\":\"$container\",\"path\":\"$blob\"},\"storage\":{\"id\":\"$storage_id\",\"storageType\":\"AzureStorage\"},\"isUploaded\":true,\"decryptedSize\":70000,\"fileChecksums\":[]}"
file=$(jv 'd["id"]')
expect_api 200 GET "/api/v2/files/$file/contents/"
assert_same "$T/body" "$T/data.bin"

# v2 upload; a job using it; its outputs on Azure.
printf 'echo azure > out.txt\n' >"$T/go.sh"
upload_v2 "$T/go.sh"
post_json /api/v3/jobs/ "{\"name\":\"az\",\"jobanalyses\":[{\"command\":\"sh go.sh\",\"analysis\":{\"code\":\"user_included\"},\"hardware\":{\"coreType\":{\"code\":\"emerald\"}},\"inputFiles\":[{\"id\":\"$FID\",\"decompress\":false}]}]}"
job=$(jv 'd["id"]')
expect_api 200 POST "/api/v2/jobs/$job/submit/" -d ''
wait_job_status "$job" Completed 60
expect_api 200 GET "/api/v2/jobs/$job/files/"
check '"out.txt" in [f["relativePath"] for f in d["results"]] and all(f["storage"]["storageType"] == "AzureStorage" for f in d["results"])'
out=$(jv '[f for f in d["results"] if f["relativePath"] == "out.txt"][0]["id"]')
outpath=$(jv '[f for f in d["results"] if f["relativePath"] == "out.txt"][0]["pathParts"]["path"]')
expect_api 200 GET "/api/v2/files/$out/contents/"
[ "$(cat "$T/body")" = azure ] || fail "out.txt: $(cat "$T/body")"
code=$(curl -s --noproxy '*' -D "$T/h" -o "$T/out.enc" -w '%{http_code}' "$endpoint/$container/$outpath?$sas")
{ [ "$code" = 200 ] && grep -qi '^x-ms-meta-iv:' "$T/h"; } || fail "the output blob has no iv metadata ($code)"
[ "$(size_of "$T/out.enc")" = 16 ] || fail "the output blob is not CBC ciphertext of 6 bytes"
echo "ok: ri-sandbox on Azure: SAS tokens, register, v2 contents and job outputs"
