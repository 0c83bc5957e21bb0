#!/usr/bin/env bash
# services: none
# Encryption keys never reach stderr or the debug log, even with --verbose and even when a
# decrypt fails (the moment a tool is most tempted to print what it was given).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-encrypt
ri_setup

gen=$(cd "$(dirname "$0")/../fixtures" && pwd)/make_hkdf_vectors.py
logs=$XDG_STATE_HOME/ri/logs
head -c 1000 /dev/urandom >"$T/plain"
key=$(random_b64 32)
iv=$(random_b64 16)
/usr/bin/openssl enc -aes-256-cbc -K "$(b64_to_hex "$key")" -iv "$(b64_to_hex "$iv")" -in "$T/plain" -out "$T/ct"
keys=()

# 1. decrypt with a wrong key.
wrong=$(wrong_key_for "$T/ct" "$iv")
expect_exit 65 ri-encrypt decrypt "$T/ct" -o "$T/dec" --key "$wrong" --iv "$iv" --verbose
cp "$T/err" "$T/stderr.1"
keys+=("$wrong")

# 2. encrypt with a given key.
expect_exit 0 ri-encrypt encrypt "$T/plain" -o "$T/enc2" --key "$key" --iv "$iv" --verbose
cp "$T/err" "$T/stderr.2"
keys+=("$key")

# 3. encrypt with a random key (it belongs on stdout in the record, nowhere else).
expect_exit 0 ri-encrypt encrypt "$T/plain" -o "$T/enc3" --verbose
cp "$T/err" "$T/stderr.3"
keys+=("$(json_field "$T/out" key)")

# 4. legacy HKDF decrypt with a wrong master key.
vec=$(/usr/bin/python3 "$gen" encrypt "$T/plain" "$T/hkdf.ct" 100)
read -r _ fid _ <<<"$vec"
hwrong=
for _ in 1 2 3 4 5 6 7 8 9 10; do
  k=$(random_b64 32)
  if ! /usr/bin/python3 "$gen" decrypt "$T/hkdf.ct" "$T/ref.dec" 100 --key "$k" --file-id "$fid" 2>/dev/null; then
    hwrong=$k
    break
  fi
done
[ -n "$hwrong" ] || fail "could not find a master key the reference rejects"
expect_exit 65 ri-encrypt decrypt "$T/hkdf.ct" -o "$T/dec" --key "$hwrong" --format hkdf --file-id "$fid" --part-size 100 --verbose
cp "$T/err" "$T/stderr.4"
keys+=("$hwrong")

# 5. the --key=VALUE spelling, wrong key.
wrong2=$(wrong_key_for "$T/ct" "$iv")
expect_exit 65 ri-encrypt decrypt "$T/ct" -o "$T/dec" "--key=$wrong2" --iv "$iv" --verbose
cp "$T/err" "$T/stderr.5"
keys+=("$wrong2")

# 6. a key of the wrong length is a usage error, and still a secret.
short=$(random_b64 16)
expect_exit 64 ri-encrypt decrypt "$T/ct" -o "$T/dec" --key "$short" --iv "$iv" --verbose
cp "$T/err" "$T/stderr.6"
keys+=("$short")

# The tool logs every run, so an empty log dir would make the check below vacuous.
[ -d "$logs" ] || fail "no log directory $logs after ${#keys[@]} runs"
[ -n "$(find "$logs" -type f -size +0 -print -quit)" ] || fail "no non-empty log file under $logs"

mapfile -t logfiles < <(find "$logs" -type f)
for k in "${keys[@]}"; do
  b64=${k%%=*}                  # unpadded, so a re-padded or truncated copy is caught too
  url=$(printf %s "$b64" | tr '+/' '-_')
  hex=$(b64_to_hex "$k")
  for f in "$T"/stderr.* "${logfiles[@]}"; do
    if grep -aqF -e "$b64" -e "$url" "$f" || grep -aqiF "$hex" "$f"; then
      fail "key $k (base64 or hex) appears in $f"
    fi
  done
done

echo "ok: no encryption key (base64, base64url or hex) in stderr or $logs across ${#keys[@]} --verbose runs"
