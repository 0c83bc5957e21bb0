#!/usr/bin/env bash
# services: none
# ri-config set/get/list/unset/path: values land in the file they belong to (apiconfig for
# secrets and the auto-download section, config.csv for the rest), precedence is
# flags > environment > files > defaults, and secrets are masked.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-config
ri_setup
cfg=$XDG_CONFIG_HOME/rescale
key=k3y-$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')

# A secret from stdin goes to apiconfig [default] as rescale-cli writes it, mode 0600.
printf '%s\n' "$key" | ri-config set api_key - >"$T/set.json" 2>"$T/err" || fail "set api_key failed: $(cat "$T/err")"
expect_field "$T/set.json" kind setting
grep -qx "apikey = $key" "$cfg/apiconfig" || fail "apiconfig lacks the key: $(cat "$cfg/apiconfig")"
grep -q '^\[default\]' "$cfg/apiconfig" || fail "apiconfig has no [default] section"
[ "$(stat -c %a "$cfg/apiconfig")" = 600 ] || fail "apiconfig mode is $(stat -c %a "$cfg/apiconfig")"
grep -q "$key" "$T/set.json" "$T/err" && fail "set printed the secret"

# Non-secrets: config.csv for Interlink's keys, apiconfig for the auto-download section.
expect_exit 0 ri-config set upload_workers 8
expect_exit 0 ri-config set auto_download.default_download_folder "$T/downloads"
expect_exit 0 ri-config set api_url https://eu.rescale.com
grep -qx 'upload_workers,8' "$cfg/config.csv" || fail "config.csv: $(cat "$cfg/config.csv")"
grep -q "$key" "$cfg/config.csv" && fail "the API key reached config.csv"
grep -A3 '^\[interlink.autoDownload\]' "$cfg/apiconfig" | grep -qx "default_download_folder = $T/downloads" ||
    fail "auto-download folder not in [interlink.autoDownload]: $(cat "$cfg/apiconfig")"

# get: one value; a secret is masked unless --reveal.
expect_exit 0 ri-config get upload_workers --json
expect_field "$T/out" value 8
expect_field "$T/out" source config.csv
expect_exit 0 ri-config get api_key --json
grep -q "$key" "$T/out" && fail "get printed the key without --reveal"
expect_exit 0 ri-config get api_key --reveal --json
expect_field "$T/out" value "$key"

# Precedence: environment over files, flag over environment.
RESCALE_API_URL=https://kr.rescale.com expect_exit 0 ri-config get api_url --json
expect_field "$T/out" value https://kr.rescale.com
expect_field "$T/out" source "env RESCALE_API_URL"
RESCALE_API_URL=https://kr.rescale.com expect_exit 0 ri-config --api-url https://platform.rescale.jp get api_url --json
expect_field "$T/out" value https://platform.rescale.jp
expect_field "$T/out" source flag

# list: every setting once, secrets masked, with sources.
expect_exit 0 ri-config list --json
[ "$(grep -c '"kind":"setting"' "$T/out")" -ge 20 ] || fail "list is short: $(cat "$T/out")"
grep -q "$key" "$T/out" && fail "list printed the key"
grep -q '"key":"auto_download.correctness_tag","secret":false,"value":"isCorrect:true","source":"default"' "$T/out" ||
    fail "correctness_tag default missing: $(grep correctness "$T/out")"

# Bad input: unknown key and bad values are usage errors that change nothing.
cp "$cfg/config.csv" "$T/csv.before"
expect_exit 64 ri-config set no_such_setting 1
grep -q "Unknown setting 'no_such_setting'" "$T/err" || fail "unclear error: $(cat "$T/err")"
expect_exit 64 ri-config set upload_workers lots
expect_exit 64 ri-config set api_url http://platform.rescale.com
grep -q 'loopback' "$T/err" || fail "http error does not explain: $(cat "$T/err")"
cmp -s "$cfg/config.csv" "$T/csv.before" || fail "a refused set changed config.csv"
expect_exit 78 ri-config get proxy_host
grep -q "proxy_host is not set" "$T/err" || fail "unclear unset error: $(cat "$T/err")"

# unset removes the line and the default shows through again.
expect_exit 0 ri-config unset upload_workers
grep -q upload_workers "$cfg/config.csv" && fail "unset left the row"
expect_exit 0 ri-config get upload_workers --json
expect_field "$T/out" source default

# path: every location, as records.
expect_exit 0 ri-config path --json
for name in config_dir apiconfig token config_csv state_dir state_db log_dir runtime_dir; do
    grep -q "\"name\":\"$name\"" "$T/out" || fail "path lacks $name"
done
grep -q "\"path\":\"$XDG_STATE_HOME/ri/logs\"" "$T/out" || fail "log_dir is not under XDG_STATE_HOME: $(cat "$T/out")"

# A profile other than default, and RESCALE_CONFIG_FILE, as rescale-cli uses them.
cat >"$T/alt.ini" <<INI
[prod]
apibaseurl = https://itar.rescale.com
apikey = prod-key-0123456789abcdef
INI
chmod 600 "$T/alt.ini"
RESCALE_CONFIG_FILE=$T/alt.ini expect_exit 0 ri-config --profile prod get api_url --json
expect_field "$T/out" value https://itar.rescale.com
RESCALE_CONFIG_FILE=$T/alt.ini expect_exit 78 ri-config --profile nope get api_url
grep -q "Profile 'nope'" "$T/err" || fail "missing profile not named: $(cat "$T/err")"
echo "ok: ri-config stores, resolves and masks settings"
