#!/usr/bin/env bash
# services: radosgw
# --encrypt stores the platform's format: the object is AES-256-CBC of the whole file, with
# iv, streamingformat=cbc and partsize in its metadata, so openssl decrypts what aws fetches;
# ri-download decrypts it with the key, refuses it without one, and saves it raw on request.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-upload ri-download
ri_setup
use_service radosgw
s3_env
new_bucket ri-enc
bucket=$BUCKET
head -c $((17 << 20 | 5)) /dev/urandom >"$T/data.bin" # 3 parts of 8 MiB, last one partial
: >"$T/empty.bin"

expect_exit 0 ri-upload --path-style --encrypt --key-file "$T/key" --part-size 8MiB "$T/data.bin" "$T/empty.bin" "s3://$bucket/e/" --json
[ "$(stat -c %a "$T/key")" = 600 ] || fail "the new key file is not mode 600"
grep -q 'created a new key' "$T/err" || fail "creating the key file was not announced"
grep -q '"encrypted":true' "$T/out" || fail "records do not say encrypted: $(cat "$T/out")"

aws_ s3api head-object --bucket "$bucket" --key e/data.bin >"$T/head.json"
iv=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["Metadata"]["iv"])' "$T/head.json")
grep -q '"streamingformat": "cbc"' "$T/head.json" || fail "no streamingformat metadata: $(cat "$T/head.json")"
grep -q '"partsize": "8388608"' "$T/head.json" || fail "no partsize metadata: $(cat "$T/head.json")"
aws_ s3 cp "s3://$bucket/e/data.bin" "$T/cipher" >/dev/null
[ "$(stat -c %s "$T/cipher")" = $(((17 << 20 | 5) + 11)) ] || fail "ciphertext size is not padded size"
/usr/bin/openssl enc -d -aes-256-cbc -K "$(b64_to_hex "$(cat "$T/key")")" -iv "$(b64_to_hex "$iv")" \
    -in "$T/cipher" -out "$T/openssl.out" || fail "openssl cannot decrypt the object"
cmp -s "$T/openssl.out" "$T/data.bin" || fail "openssl's plaintext differs from the source"

expect_exit 0 ri-download --path-style "s3://$bucket/e/" -o "$T/dl" --key-file "$T/key" --part-size 3MiB --json
cmp -s "$T/dl/data.bin" "$T/data.bin" || fail "ri-download decrypted different bytes"
cmp -s "$T/dl/empty.bin" "$T/empty.bin" || fail "empty file did not round-trip"
grep -q '"decrypted":true' "$T/out" || fail "records do not say decrypted"

expect_exit 64 ri-download --path-style "s3://$bucket/e/data.bin" -o "$T/nokey"
grep -q 'is encrypted' "$T/err" || fail "unclear refusal: $(cat "$T/err")"
assert_no_file "$T/nokey/data.bin"
expect_exit 0 ri-download --path-style --raw "s3://$bucket/e/data.bin" -o "$T/raw"
cmp -s "$T/raw/data.bin" "$T/cipher" || fail "--raw did not save the ciphertext"

head -c 32 /dev/urandom | base64 -w0 >"$T/wrong"
expect_exit 65 ri-download --path-style "s3://$bucket/e/data.bin" -o "$T/wrongdl" --key-file "$T/wrong"
assert_no_file "$T/wrongdl/data.bin"
echo "ok: encrypted uploads are openssl-compatible and decrypt on download"
