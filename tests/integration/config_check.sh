#!/usr/bin/env bash
# services: none
# ri-config check: the installer checks of the auto-download spec (8.2): the download folder is
# created if missing, written, read back and cleaned; an insecure token file is reported with
# Interlink's warning; each failure has its exit class.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-config
ri_setup
cfg=$XDG_CONFIG_HOME/rescale
mkdir -p "$cfg"
printf 'tok-%s\n' "$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')" >"$cfg/token"
chmod 600 "$cfg/token"

# All good: the folder does not exist yet and is created; nothing is left in it.
expect_exit 0 ri-config check --offline --folder "$T/dl/nested" --json
[ -d "$T/dl/nested" ] || fail "the download folder was not created"
[ -z "$(ls -A "$T/dl/nested")" ] || fail "check left files behind: $(ls -A "$T/dl/nested")"
for c in api_key file_permissions api_url download_folder; do
    grep -q "\"check\":\"$c\",\"ok\":true" "$T/out" || fail "check $c not ok: $(cat "$T/out")"
done
grep -q '"created":true' "$T/out" || fail "check did not say it created the folder"

# The folder from the configuration is used when --folder is absent.
expect_exit 0 ri-config set auto_download.default_download_folder "$T/dl2"
expect_exit 0 ri-config check --offline --json
[ -d "$T/dl2" ] || fail "configured folder not checked"

# A folder that cannot be created: 73, and the message names it. (/proc refuses even root.)
expect_exit 73 ri-config check --offline --folder /proc/ri-no-such-dir/dl --json
grep -q '"check":"download_folder","ok":false' "$T/out" || fail "folder failure not reported: $(cat "$T/out")"
grep -q '/proc/ri-no-such-dir/dl' "$T/err" "$T/out" || fail "the folder is not named"

# A token file readable by others: Interlink's warning on stderr, check fails with 77.
chmod 644 "$cfg/token"
expect_exit 77 ri-config check --offline --folder "$T/dl" --json
grep -q "Warning: Token file $cfg/token has insecure permissions 0644. Consider using 'chmod 600 $cfg/token'" "$T/err" ||
    fail "token warning missing: $(cat "$T/err")"
grep -q '"check":"file_permissions","ok":false' "$T/out" || fail "permission check not failed"
chmod 600 "$cfg/token"

# No API key anywhere: 78 (configuration).
rm "$cfg/token"
expect_exit 78 ri-config check --offline --folder "$T/dl" --json
grep -q '"check":"api_key","ok":false' "$T/out" || fail "missing key not reported"
echo "ok: ri-config check creates, writes, reads and cleans the folder and reports each failure class"
