#!/usr/bin/env bash
# services: none
# Whole-file AES-256-CBC of ri-encrypt is exactly `openssl enc -aes-256-cbc`, in both directions,
# for the block-boundary sizes and for a file far larger than any buffer.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-encrypt
ri_setup

ossl=/usr/bin/openssl
in=$T/plain

for n in 0 1 15 16 17 1048581 314572800; do
  head -c "$n" /dev/urandom >"$in"
  sha=$(sha512_of "$in")
  enc_size=$((n + 16 - n % 16))

  # (a) ri encrypts with its own random key and IV; openssl decrypts.
  expect_exit 0 ri-encrypt encrypt "$in" -o "$T/ri.enc" --json
  expect_field "$T/out" kind encrypted
  expect_field "$T/out" path "$in"
  expect_field "$T/out" output "$T/ri.enc"
  expect_field "$T/out" size "$n"
  expect_field "$T/out" encrypted_size "$enc_size"
  expect_field "$T/out" sha512 "$sha"
  key=$(json_field "$T/out" key)
  iv=$(json_field "$T/out" iv)
  [[ $key =~ ^[A-Za-z0-9+/]{43}=$ ]] || fail "key '$key' is not standard base64 of 32 bytes"
  [[ $iv =~ ^[A-Za-z0-9+/]{22}==$ ]] || fail "iv '$iv' is not standard base64 of 16 bytes"
  [ "$(size_of "$T/ri.enc")" -eq "$enc_size" ] || fail "n=$n: ciphertext is $(size_of "$T/ri.enc") bytes, want $enc_size"
  assert_no_file "$T/ri.enc.ri-partial"
  "$ossl" enc -d -aes-256-cbc -K "$(b64_to_hex "$key")" -iv "$(b64_to_hex "$iv")" \
    -in "$T/ri.enc" -out "$T/dec" || fail "n=$n: openssl cannot decrypt ri's ciphertext"
  assert_same "$in" "$T/dec"
  rm -f "$T/ri.enc" "$T/dec"

  # (b) openssl encrypts with a random key and IV; ri decrypts.
  key=$(random_b64 32)
  iv=$(random_b64 16)
  "$ossl" enc -aes-256-cbc -K "$(b64_to_hex "$key")" -iv "$(b64_to_hex "$iv")" -in "$in" -out "$T/ossl.enc"
  expect_exit 0 ri-encrypt decrypt "$T/ossl.enc" -o "$T/dec" --key "$key" --iv "$iv"
  expect_field "$T/out" kind decrypted
  expect_field "$T/out" path "$T/ossl.enc"
  expect_field "$T/out" output "$T/dec"
  expect_field "$T/out" sha512 "$sha"
  expect_field "$T/out" size "$n"
  assert_same "$in" "$T/dec"
  assert_no_file "$T/dec.ri-partial"
  rm -f "$T/dec"

  # (c) with the same fixed key and IV, ri's ciphertext is byte-identical to openssl's.
  # No --json: stdout is not a terminal, so the record is JSON anyway.
  expect_exit 0 ri-encrypt encrypt "$in" -o "$T/ri.enc" --key "$key" --iv "$iv"
  expect_field "$T/out" key "$key"
  expect_field "$T/out" iv "$iv"
  expect_field "$T/out" encrypted_size "$enc_size"
  assert_same "$T/ossl.enc" "$T/ri.enc"
  rm -f "$T/ri.enc" "$T/ossl.enc" "$in"
done

# Default output name is IN.enc; two runs draw different random keys and IVs.
head -c 17 /dev/urandom >"$in"
expect_exit 0 ri-encrypt encrypt "$in" --json
expect_field "$T/out" output "$in.enc"
[ -f "$in.enc" ] || fail "default output $in.enc was not written"
key1=$(json_field "$T/out" key)
iv1=$(json_field "$T/out" iv)
"$ossl" enc -d -aes-256-cbc -K "$(b64_to_hex "$key1")" -iv "$(b64_to_hex "$iv1")" -in "$in.enc" -out "$T/dec"
assert_same "$in" "$T/dec"
expect_exit 0 ri-encrypt encrypt "$in" -o "$T/second.enc" --json
[ "$(json_field "$T/out" key)" != "$key1" ] || fail "two encryptions drew the same key"
[ "$(json_field "$T/out" iv)" != "$iv1" ] || fail "two encryptions drew the same IV"

echo "ok: ri-encrypt encrypt/decrypt interoperate with openssl aes-256-cbc for sizes 0..300 MiB"
