#!/usr/bin/env bash
# services: radosgw tinyproxy
# ri-upload and ri-download through an authenticating HTTP proxy (tinyproxy, Basic auth) set in
# ri's configuration: with the right password the transfer goes through the proxy (its log shows
# it); with a wrong one it fails clearly with exit 77, and the password is never printed.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-upload ri-download ri-config
ri_setup
use_service radosgw
use_service tinyproxy
s3_env
new_bucket ri-proxy
bucket=$BUCKET
hostport=${RI_PROXY_URL#http://}
ri-config set proxy_mode basic >/dev/null
ri-config set proxy_host "${hostport%:*}" >/dev/null
ri-config set proxy_port "${hostport##*:}" >/dev/null
ri-config set proxy_user "$RI_PROXY_USER" >/dev/null
printf '%s\n' "$RI_PROXY_PASSWORD" | ri-config set proxy_password - >/dev/null
head -c $((6 << 20)) /dev/urandom >"$T/f.bin"
expect_exit 0 ri-upload --path-style --part-size 5MiB "$T/f.bin" "s3://$bucket/p/" --json
expect_exit 0 ri-download --path-style "s3://$bucket/p/f.bin" -o "$T/dl"
cmp -s "$T/dl/f.bin" "$T/f.bin" || fail "the file differs after going through the proxy"
grep -q "$bucket" "$RI_SERVICES_DIR/tinyproxy/tinyproxy.log" ||
    fail "the proxy's log does not show the transfer: it did not go through the proxy"

printf 'wrong-%s\n' "$RI_PROXY_PASSWORD" | ri-config set proxy_password - >/dev/null
expect_exit 77 ri-upload --path-style "$T/f.bin" "s3://$bucket/q/"
grep -qi 'proxy' "$T/err" || fail "the error does not name the proxy: $(cat "$T/err")"
grep -qF "$RI_PROXY_PASSWORD" "$T/err" && fail "the proxy password leaked"
echo "ok: transfers go through an authenticating proxy and a wrong password fails clearly"
