#!/usr/bin/env bash
# services: none
# Every bad input gets its own exit code and one plain line on stderr, and never leaves a file
# (nor OUT.ri-partial) under the output name.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-encrypt
ri_setup

# expect_fail CODE OUT CMD...: CMD exits CODE, says so in exactly one stderr line, leaves no OUT.
expect_fail() {
  local code=$1 out=$2
  shift 2
  expect_exit "$code" "$@"
  [ "$(wc -l <"$T/err")" -eq 1 ] || fail "want one line on stderr, got: $(cat "$T/err")"
  assert_no_file "$out"
}

head -c 1000 /dev/urandom >"$T/plain"
key=$(random_b64 32)
iv=$(random_b64 16)
/usr/bin/openssl enc -aes-256-cbc -K "$(b64_to_hex "$key")" -iv "$(b64_to_hex "$iv")" -in "$T/plain" -out "$T/ct"
out=$T/out.bin

# Missing input: 66.
expect_fail 66 "$out" ri-encrypt decrypt "$T/missing" -o "$out" --key "$key" --iv "$iv"
expect_fail 66 "$out" ri-encrypt encrypt "$T/missing" -o "$out"
expect_fail 66 "$T/missing.enc" ri-encrypt encrypt "$T/missing"

# Wrong key: 65, and the message points at the key.
wrong=$(wrong_key_for "$T/ct" "$iv")
expect_fail 65 "$out" ri-encrypt decrypt "$T/ct" -o "$out" --key "$wrong" --iv "$iv"
grep -qi key "$T/err" || fail "wrong-key message does not mention the key: $(cat "$T/err")"

# Damaged ciphertext: 65, and the message says the key or the file is wrong.
head -c $(($(size_of "$T/ct") - 5)) "$T/ct" >"$T/ct.trunc"
expect_fail 65 "$out" ri-encrypt decrypt "$T/ct.trunc" -o "$out" --key "$key" --iv "$iv"
grep -Eqi 'key|file' "$T/err" || fail "truncation message names neither key nor file: $(cat "$T/err")"

corrupt=
for _ in 1 2 3 4 5 6 7 8 9 10; do # a corrupted last block that openssl itself rejects
  { head -c $(($(size_of "$T/ct") - 16)) "$T/ct"; head -c 16 /dev/urandom; } >"$T/ct.bad"
  if ! /usr/bin/openssl enc -d -aes-256-cbc -K "$(b64_to_hex "$key")" -iv "$(b64_to_hex "$iv")" \
    -in "$T/ct.bad" -out /dev/null 2>/dev/null; then
    corrupt=yes
    break
  fi
done
[ -n "$corrupt" ] || fail "could not corrupt the last block so that openssl rejects it"
expect_fail 65 "$out" ri-encrypt decrypt "$T/ct.bad" -o "$out" --key "$key" --iv "$iv"
grep -Eqi 'key|file' "$T/err" || fail "bad-padding message names neither key nor file: $(cat "$T/err")"

: >"$T/ct.empty"
expect_fail 65 "$out" ri-encrypt decrypt "$T/ct.empty" -o "$out" --key "$key" --iv "$iv"
grep -Eqi 'key|file' "$T/err" || fail "empty-ciphertext message names neither key nor file: $(cat "$T/err")"

# Output that cannot be created: 73 (not 66). A directory that does not exist...
expect_fail 73 "$T/nodir/out" ri-encrypt encrypt "$T/plain" -o "$T/nodir/out"
expect_fail 73 "$T/nodir/out" ri-encrypt decrypt "$T/ct" -o "$T/nodir/out" --key "$key" --iv "$iv"
# ...and one that exists but refuses new files even to root (sysfs gives EACCES).
ro=/sys/ri-test-out
[ -d /sys ] || fail "precondition: /sys is not mounted"
if touch "$ro" 2>/dev/null; then rm -f "$ro"; fail "precondition: $ro is writable here; pick another read-only dir"; fi
expect_fail 73 "$ro" ri-encrypt encrypt "$T/plain" -o "$ro"
expect_fail 73 "$ro" ri-encrypt decrypt "$T/ct" -o "$ro" --key "$key" --iv "$iv"
# A mode 0500 directory only blocks non-root users.
mkdir -m 0500 "$T/ro"
if touch "$T/ro/probe" 2>/dev/null; then
  rm -f "$T/ro/probe"
  note="(0500 dir not checked: running as root)"
else
  expect_fail 73 "$T/ro/out" ri-encrypt decrypt "$T/ct" -o "$T/ro/out" --key "$key" --iv "$iv"
  note="(0500 dir checked)"
fi
chmod 0700 "$T/ro"

# Bad usage: 64.
expect_fail 64 "$out" ri-encrypt decrypt "$T/ct" -o "$out" --iv "$iv"
short=$(random_b64 16)
expect_fail 64 "$out" ri-encrypt decrypt "$T/ct" -o "$out" --key "$short" --iv "$iv"
expect_fail 64 "$out" ri-encrypt encrypt "$T/plain" -o "$out" --key "$short"
expect_fail 64 "$out" ri-encrypt decrypt "$T/ct" -o "$out" --key 'not*base64!' --iv "$iv"
expect_fail 64 "$out" ri-encrypt encrypt "$T/plain" -o "$out" --key 'not*base64!'

# A wrong key never harms an existing OUT.
printf 'precious\n' >"$out"
before=$(sha512_of "$out")
expect_exit 65 ri-encrypt decrypt "$T/ct" -o "$out" --key "$wrong" --iv "$iv"
[ "$(sha512_of "$out")" = "$before" ] || fail "existing $out was changed by a failed decrypt"
assert_no_file "$out.ri-partial"

echo "ok: missing input 66, wrong key/truncated/corrupt/empty ciphertext 65, uncreatable output 73, bad usage 64, nothing left behind $note"
