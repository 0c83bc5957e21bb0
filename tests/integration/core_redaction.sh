#!/usr/bin/env bash
# services: none
# Secrets never reach stderr or the log, whatever path they take in: an API key from the
# environment, the apiconfig file, the token file or a flag; an encryption key on the command
# line; and the same secrets inside error details under --verbose.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-config ri-encrypt
ri_setup
cfg=$XDG_CONFIG_HOME/rescale
mkdir -p "$cfg"
rnd() { head -c 20 /dev/urandom | od -An -tx1 | tr -d ' \n'; }
env_key=env-$(rnd) file_key=ini-$(rnd) token_key=tok-$(rnd) flag_key=flag-$(rnd) proxy_pw=pw-$(rnd)
printf '[default]\napikey = %s\nproxy_password = %s\n' "$file_key" "$proxy_pw" >"$cfg/apiconfig"
chmod 644 "$cfg/apiconfig" # insecure on purpose: the warning names the file, never the key
printf '%s\n' "$token_key" >"$cfg/token"
chmod 600 "$cfg/token"
enc_key=$(random_b64 32)

run() { "$@" >>"$T/all.out" 2>>"$T/all.err" || true; }
run ri-config list --verbose
run ri-config get api_key --verbose
RESCALE_API_KEY=$env_key run ri-config list --verbose
RESCALE_API_KEY=$env_key run ri-config check --folder /proc/nope --verbose
run ri-config --api-key "$flag_key" check --folder /proc/nope --verbose
run ri-config --api-key="$flag_key" get api_key --verbose
printf '%s\n' "$flag_key" | run ri-config set api_key - --verbose
run ri-config set proxy_password "$proxy_pw" --verbose
head -c 100 /dev/urandom >"$T/in"
run ri-encrypt encrypt "$T/in" --key "$enc_key" --verbose --progress json
run ri-encrypt decrypt "$T/in.enc" -o "$T/x" --key "$(random_b64 32)" --iv "$(random_b64 16)" --verbose
run ri-encrypt decrypt "$T/missing" -o "$T/x" --key "$enc_key" --iv "$(random_b64 16)" --verbose

logs=("$XDG_STATE_HOME"/ri/logs/*)
[ -s "${logs[0]}" ] || fail "no log was written, so this test would prove nothing"
grep -q 'ri-config' "${logs[0]}" || fail "the log lacks the runs"
grep -q 'insecure permissions' "$T/all.err" || fail "the insecure apiconfig warning is missing"
enc_hex=$(b64_to_hex "$enc_key")
for secret in "$env_key" "$file_key" "$token_key" "$flag_key" "$proxy_pw" "$enc_key" "$enc_hex" "${enc_key%%=*}"; do
    if grep -rqF -- "$secret" "$T/all.err" "${logs[@]}"; then
        fail "a secret leaked: $(grep -rnF -- "$secret" "$T/all.err" "${logs[@]}" | head -3)"
    fi
done
# The encrypt record on stdout is the tool's product and does carry its key.
grep -qF "$enc_key" "$T/all.out" || fail "the encrypted record lost its key"
echo "ok: API keys, proxy passwords and encryption keys never reach stderr or the log"
