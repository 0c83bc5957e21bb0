#!/usr/bin/env bash
# services: radosgw sandbox
# ri-sandbox files and folders, by curl: S3 credentials that really work (aws cli uploads an
# ri-encrypt'ed file under pathBase), v3 register with its checks (object missing, size not that
# of the ciphertext, duplicate name -> 409), v2 contents upload/download with Range, get, move,
# tags, folders, contents, trash, pagination with absolute next URLs, 401 and user isolation.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
ri_setup
need_bin ri-encrypt
# shellcheck source=tests/fixtures/sandbox.sh
source "$RI_SOURCE_DIR/tests/fixtures/sandbox.sh"
sbx_use sandbox

# 401 without or with a wrong key (DRF body); Bearer works like Token.
CODE=$(curl -s --noproxy '*' -o "$T/body" -w '%{http_code}' "$U/api/v3/users/me/")
{ [ "$CODE" = 401 ] && check 'd == {"detail": "Invalid token."}'; } || fail "no key: $CODE"
KEY=wrong expect_api 401 GET /api/v3/users/me/
CODE=$(curl -s --noproxy '*' -o "$T/body" -w '%{http_code}' -H "Authorization: Bearer $KEY" "$U/api/v3/users/me/")
[ "$CODE" = 200 ] || fail "Bearer: $CODE"

expect_api 200 GET /api/v3/users/me/
check 'd["defaultStorage"]["storageType"] == "S3Storage" and d["defaultStorage"]["connectionSettings"]["pathStyle"] is True' "users/me"
bucket=$(jv 'd["defaultStorage"]["connectionSettings"]["container"]')
base=$(jv 'd["defaultStorage"]["connectionSettings"]["pathBase"]')
endpoint=$(jv 'd["defaultStorage"]["connectionSettings"]["endpoint"]')
storage_id=$(jv 'd["defaultStorage"]["id"]')
expect_api 200 GET /api/v3/users/me/folders/
library=$(jv 'd["myLibrary"]')
check 'set(d) == {"myJobs", "myLibrary"}'

# Credentials for the default storage, then a direct upload with them.
expect_api 201 POST /api/v3/credentials/ -H 'Content-Type: application/json' -d 'null'
check 'd["storageType"] == "S3Storage" and set(d) == {"storageType","storageDir","accessKey","secretKey","sessionToken"}'
AWS_ACCESS_KEY_ID=$(jv 'd["accessKey"]')
AWS_SECRET_ACCESS_KEY=$(jv 'd["secretKey"]')
export AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY
export AWS_CONFIG_FILE=$T/aws-config AWS_SHARED_CREDENTIALS_FILE=$T/aws-creds AWS_REGION=us-east-1
unset AWS_SESSION_TOKEN AWS_PROFILE
head -c 100000 /dev/urandom >"$T/data.bin"
ri-encrypt encrypt "$T/data.bin" -o "$T/data.enc" --json >"$T/enc.json"
key=$(json_field "$T/enc.json" key)
iv=$(json_field "$T/enc.json" iv)
sha=$(json_field "$T/enc.json" sha512)
name=data-$RANDOM$RANDOM.bin
object="$base/$name-$(head -c 30 /dev/urandom | base64 | tr -dc 'a-zA-Z0-9' | head -c 22)"
/usr/bin/aws --endpoint-url "$endpoint" s3 cp "$T/data.enc" "s3://$bucket/$object" --metadata "iv=$iv" >/dev/null ||
  fail "aws could not upload with the sandbox's credentials"

register() { # NAME PATH SIZE [CODE]
  post_json /api/v3/files/ "{\"typeId\":1,\"name\":\"$1\",\"currentFolderId\":\"$library\",\"encodedEncryptionKey\":\"$key\",
    \"pathParts\":{\"container\":\"$bucket\",\"path\":\"$2\"},
    \"storage\":{\"id\":\"$storage_id\",\"storageType\":\"S3Storage\",\"encryptionType\":\"default\",\"connectionSettings\":{}},
    \"isUploaded\":true,\"decryptedSize\":$3,\"fileChecksums\":[{\"hashFunction\":\"sha512\",\"fileHash\":\"$sha\"}]}" "${4:-201}"
}
register "$name" "$object" 100016 400
check '"decryptedSize" in d' "size mismatch"
register "$name" "$base/missing-object" 100000 400
check '"pathParts" in d' "missing object"
register "$name" "$object" 100000
file=$(jv 'd["id"]')
check 'set(d) >= {"id","name","typeId","isUploaded","owner","path","encodedEncryptionKey","pathParts","storage","decryptedSize","fileChecksums","userTags","dateUploaded","relativePath","downloadUrl","isDeleted","md5","sharedWith","viewInBrowser"}' "record fields"
check 'd["downloadUrl"] == "'"$U"'/api/v2/files/'"$file"'/contents/"' "absolute downloadUrl"
check 'd["md5"] == "'"$(md5sum <"$T/data.enc" | cut -d' ' -f1)"'"' "md5 of the stored object"
register "$name" "$object" 100000 409
check 'd == {"detail": "A file with this name already exists"}'

# The server decrypts what the client encrypted; Range works.
expect_api 200 GET "/api/v2/files/$file/contents/"
assert_same "$T/body" "$T/data.bin"
expect_api 206 GET "/api/v2/files/$file/contents/" -H 'Range: bytes=1000-1999'
cmp -s "$T/body" <(tail -c +1001 "$T/data.bin" | head -c 1000) || fail "Range 1000-1999 is wrong"
grep -qi '^content-range: bytes 1000-1999/100000' "$T/headers" || fail "no Content-Range: $(cat "$T/headers")"

# v2 contents upload: the server encrypts (object metadata iv, record key) as the platform does.
printf 'line 1\nline 2\nline 3\n' >"$T/notes.txt"
upload_v2 "$T/notes.txt"
check 'd["decryptedSize"] == 21 and d["name"] == "notes.txt" and d["pathParts"]["path"].startswith("'"$base"'/")'
v2path=$(jv 'd["pathParts"]["path"]')
v2key=$(jv 'd["encodedEncryptionKey"]')
/usr/bin/aws --endpoint-url "$endpoint" s3api head-object --bucket "$bucket" --key "$v2path" >"$T/head.json"
v2iv=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Metadata"]["iv"])' "$T/head.json")
/usr/bin/aws --endpoint-url "$endpoint" s3 cp "s3://$bucket/$v2path" "$T/notes.enc" >/dev/null
/usr/bin/openssl enc -d -aes-256-cbc -K "$(b64_to_hex "$v2key")" -iv "$(b64_to_hex "$v2iv")" -in "$T/notes.enc" -out "$T/notes.dec"
assert_same "$T/notes.txt" "$T/notes.dec"
expect_api 200 GET "/api/v2/files/$FID/lines/"
check 'd == {"lines": ["line 1", "line 2", "line 3"]}'
notes=$FID

# Tags: bare arrays; add and remove.
post_json "/api/v3/files/$file/tags/" '{"name":"Keep"}'
expect_api 200 GET "/api/v3/files/$file/tags/"
check 'd == [{"name": "Keep", "normalizedName": "keep"}]'
expect_api 204 DELETE "/api/v3/files/$file/tags/" -H 'Content-Type: application/json' -d '{"name":"Keep"}'
expect_api 200 GET "/api/v3/files/$file/tags/"
check 'd == []'

# Folders: create, move a file in, contents, archive to trash, trash list, recover, delete.
post_json "/api/v3/folders/$library/" '{"name":"sub"}'
sub=$(jv 'd["id"]')
expect_api 200 PATCH "/api/v3/files/$notes/" -H 'Content-Type: application/json' -d "{\"currentFolderId\":\"$sub\"}"
expect_api 200 GET "/api/v3/folders/$sub/contents/?page_size=1000"
check '[(r["type"], r["item"]["id"]) for r in d["results"]] == [("file", "'"$notes"'")]'
expect_api 200 GET "/api/v3/folders/$library/contents/"
check '("folder", "'"$sub"'") in [(r["type"], r["item"]["id"]) for r in d["results"]]'
post_json "/api/v3/folders/$library/contents/archive/" "{\"fileIds\":[\"$notes\"],\"folderIds\":[]}" 400
post_json "/api/v3/folders/$sub/contents/archive/" "{\"fileIds\":[\"$notes\"],\"folderIds\":[]}" 200
expect_api 200 GET /api/v3/users/me/folders/trash-bin/
check '[(r["type"], r["item"]["id"]) for r in d["results"]] == [("filesymlink", "'"$notes"'")]'
post_json /api/v3/users/me/folders/trash-bin/recover/ "{\"filesymlink_ids\":[\"$notes\"],\"folderIds\":[]}"
expect_api 200 GET "/api/v3/folders/$sub/contents/"
check 'd["count"] == 1'
expect_api 204 DELETE "/api/v3/folders/$sub/"
expect_api 404 GET "/api/v3/files/$notes/"

# Pagination: absolute next/previous built from the request's Host, page_size honoured.
run=r$RANDOM$RANDOM
for i in 1 2 3; do printf '%s\n' "$i" >"$T/$run-p$i.txt"; upload_v2 "$T/$run-p$i.txt"; done
expect_api 200 GET "/api/v3/files/?page_size=2&ordering=name"
check 'set(d) == {"count","next","previous","results"} and len(d["results"]) == 2 and d["previous"] is None' "page 1"
next=$(jv 'd["next"]')
case $next in "$U/api/v3/files/?"*page=2*) ;; *) fail "next is not absolute: $next" ;; esac
CODE=$(curl -s --noproxy '*' -o "$T/body" -w '%{http_code}' -H "Authorization: Token $KEY" "$next")
[ "$CODE" = 200 ] || fail "next: $CODE"
check 'd["previous"] is not None and d["previous"].startswith("http")' "page 2"
expect_api 404 GET "/api/v3/files/?page=99"
expect_api 200 GET "/api/v3/files/?search=$run-P2"
check '[f["name"] for f in d["results"]] == ["'"$run"'-p2.txt"]' "search"

# Isolation: the second user gets 404 for the first user's ids and cannot register in its prefix.
KEY=$RI_SANDBOX_KEY_2
expect_api 404 GET "/api/v3/files/$file/"
expect_api 404 GET "/api/v2/files/$file/contents/"
expect_api 404 DELETE "/api/v3/files/$file/"
expect_api 404 GET "/api/v3/folders/$library/contents/"
expect_api 200 GET /api/v3/files/
check 'all(f["id"] != "'"$file"'" for f in d["results"])'
KEY=$RI_SANDBOX_KEY
expect_api 204 DELETE "/api/v3/files/$file/"
expect_api 404 GET "/api/v3/files/$file/"
echo "ok: files, folders, trash, credentials and isolation on ri-sandbox"
