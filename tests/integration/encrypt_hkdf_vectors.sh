#!/usr/bin/env bash
# services: none
# ri-encrypt decrypt --format hkdf reads Interlink's legacy per-part HKDF format (formatVersion=1),
# checked against vectors from tests/fixtures/make_hkdf_vectors.py (RFC 5869 HKDF + openssl AES).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-encrypt
ri_setup

gen=$(cd "$(dirname "$0")/../fixtures" && pwd)/make_hkdf_vectors.py

# hkdf_size N PART_SIZE: ciphertext length; each part is PKCS7-padded on its own.
hkdf_size() {
  local n=$1 ps=$2 parts last
  parts=$(((n + ps - 1) / ps))
  [ "$parts" -ge 1 ] || parts=1
  last=$((n - (parts - 1) * ps))
  echo $(((parts - 1) * (ps + 16 - ps % 16) + last + 16 - last % 16))
}

cases=0
for ps in 16 100 1048576; do
  for n in 0 1 16 "$ps" $((ps * 3)) $((ps * 3 + 7)); do
    head -c "$n" /dev/urandom >"$T/plain"
    vec=$(/usr/bin/python3 "$gen" encrypt "$T/plain" "$T/ct" "$ps")
    read -r key fid vps <<<"$vec"
    [ "$vps" = "$ps" ] || fail "generator printed part size '$vps', want $ps"
    [ "$(size_of "$T/ct")" -eq "$(hkdf_size "$n" "$ps")" ] ||
      fail "generator wrote $(size_of "$T/ct") bytes for n=$n ps=$ps, want $(hkdf_size "$n" "$ps")"

    expect_exit 0 ri-encrypt decrypt "$T/ct" -o "$T/dec" --key "$key" --format hkdf --file-id "$fid" --part-size "$ps"
    expect_field "$T/out" kind decrypted
    expect_field "$T/out" path "$T/ct"
    expect_field "$T/out" output "$T/dec"
    expect_field "$T/out" sha512 "$(sha512_of "$T/plain")"
    expect_field "$T/out" size "$n"
    assert_same "$T/plain" "$T/dec"
    assert_no_file "$T/dec.ri-partial"
    rm -f "$T/dec" "$T/ct"
    cases=$((cases + 1))
  done
done

# A wrong master key is exit 65 and leaves no output: one part, and four parts (ps=100, n=307).
# The wrong key is one the reference itself rejects, so the test never depends on 1-in-256 luck.
for n in 1 307; do
  head -c "$n" /dev/urandom >"$T/plain"
  vec=$(/usr/bin/python3 "$gen" encrypt "$T/plain" "$T/ct" 100)
  read -r key fid _ <<<"$vec"
  wrong=
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    k=$(random_b64 32)
    if ! /usr/bin/python3 "$gen" decrypt "$T/ct" "$T/ref.dec" 100 --key "$k" --file-id "$fid" 2>/dev/null; then
      wrong=$k
      break
    fi
  done
  [ -n "$wrong" ] || fail "could not find a master key the reference rejects"
  expect_exit 65 ri-encrypt decrypt "$T/ct" -o "$T/dec" --key "$wrong" --format hkdf --file-id "$fid" --part-size 100
  grep -qi key "$T/err" || fail "wrong-key message does not mention the key: $(cat "$T/err")"
  assert_no_file "$T/dec"
done

echo "ok: ri-encrypt decrypt --format hkdf matches $cases reference vectors (part sizes 16, 100, 1 MiB); wrong master key -> 65"
