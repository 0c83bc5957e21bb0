#!/usr/bin/env bash
# services: none
# --key-file writes the key to a new owner-only file, and never overwrites an existing one.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-encrypt
ri_setup

umask 000 # the tool must set 0600 itself, not rely on the caller's umask
head -c 5000 /dev/urandom >"$T/plain"

# A random key lands in the key file, the same one the record reports.
expect_exit 0 ri-encrypt encrypt "$T/plain" -o "$T/enc" --key-file "$T/k"
[ -f "$T/k" ] || fail "--key-file did not create $T/k"
[ "$(stat -c %a "$T/k")" = 600 ] || fail "key file mode is $(stat -c %a "$T/k"), want 600"
key=$(json_field "$T/out" key)
[ "$(cat "$T/k")" = "$key" ] || fail "key file holds '$(cat "$T/k")', record says '$key'"
/usr/bin/openssl enc -d -aes-256-cbc -K "$(b64_to_hex "$(cat "$T/k")")" \
  -iv "$(b64_to_hex "$(json_field "$T/out" iv)")" -in "$T/enc" -out "$T/dec"
assert_same "$T/plain" "$T/dec"

# A given key is written as given.
given=$(random_b64 32)
expect_exit 0 ri-encrypt encrypt "$T/plain" -o "$T/enc2" --key "$given" --key-file "$T/k2"
[ "$(stat -c %a "$T/k2")" = 600 ] || fail "key file mode is $(stat -c %a "$T/k2"), want 600"
[ "$(cat "$T/k2")" = "$given" ] || fail "key file holds '$(cat "$T/k2")', want the given key '$given'"
expect_field "$T/out" key "$given"

# An existing key file is refused: non-zero exit, file untouched, no ciphertext written.
printf 'old key, keep me\n' >"$T/k3"
chmod 0644 "$T/k3"
before=$(sha512_of "$T/k3")
rc=0
ri-encrypt encrypt "$T/plain" -o "$T/enc3" --key-file "$T/k3" >"$T/out" 2>"$T/err" || rc=$?
[ "$rc" -ne 0 ] || fail "an existing key file was accepted (stdout: $(cat "$T/out"))"
[ "$(sha512_of "$T/k3")" = "$before" ] || fail "the existing key file was modified"
[ "$(stat -c %a "$T/k3")" = 644 ] || fail "the existing key file's mode was changed"
[ -s "$T/err" ] || fail "refusing the key file printed nothing on stderr"
assert_no_file "$T/enc3"
[ ! -s "$T/out" ] || fail "a record was printed although nothing was encrypted: $(cat "$T/out")"

echo "ok: --key-file creates a 0600 file holding the record's key and refuses to overwrite (exit $rc)"
