#!/usr/bin/env bash
# services: radosgw tinyproxy
# The proxy test server (tinyproxy with BasicAuth) forwards to the S3 test server with the right
# credentials and refuses without them or with wrong ones. tinyproxy 1.11 answers 407 when no
# credentials are sent but 401 (not 407) when wrong ones are: both are proxy refusals.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
ri_setup
use_service radosgw
use_service tinyproxy

# via_proxy [CURL ARGS...]: status of a SigV4-signed ListBuckets sent through the proxy.
via_proxy() {
  curl -s -o "$T/body" -w '%{http_code}' --max-time 20 --proxy "$RI_PROXY_URL" "$@" \
    --aws-sigv4 "aws:amz:$RI_S3_REGION:s3" --user "$RI_S3_ACCESS_KEY:$RI_S3_SECRET_KEY" \
    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' "$RI_S3_ENDPOINT/" || true
}

code=$(via_proxy --proxy-user "$RI_PROXY_USER:$RI_PROXY_PASSWORD")
[ "$code" = 200 ] || fail "right proxy credentials: got $code, want 200: $(cat "$T/body")"
grep -q ListAllMyBucketsResult "$T/body" || fail "through the proxy, not radosgw's answer: $(cat "$T/body")"

# The same request really went through tinyproxy (its log names the target).
grep -q "Request (file descriptor [0-9]*): GET $RI_S3_ENDPOINT/ HTTP" \
  "$RI_SERVICES_DIR/tinyproxy/tinyproxy.log" || fail "tinyproxy's log does not show the request"

code=$(via_proxy)
[ "$code" = 407 ] || fail "no proxy credentials: got $code, want 407"
code=$(via_proxy --proxy-user "$RI_PROXY_USER:wrong-$RI_PROXY_PASSWORD")
case $code in
401 | 407) ;;
*) fail "wrong proxy credentials: got $code, want 407 (or tinyproxy's 401)" ;;
esac
grep -q ListAllMyBucketsResult "$T/body" && fail "wrong proxy credentials reached radosgw"
echo "ok: tinyproxy at $RI_PROXY_URL forwards to radosgw with credentials, refuses without"
