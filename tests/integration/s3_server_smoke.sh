#!/usr/bin/env bash
# services: radosgw
# The S3 test server (radosgw) and the real S3 peers the storage tests compare against work:
# /usr/bin/aws writes and reads back 5 MiB with metadata, a wrong secret is refused with
# SignatureDoesNotMatch, the second user cannot read the first user's bucket, rclone
# (provider Other, path style) lists and reads the object, and virtual-host style works.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
ri_setup
use_service radosgw

unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_ENDPOINT_URL \
  AWS_REGION AWS_DEFAULT_REGION
export AWS_CONFIG_FILE=$T/aws-config AWS_SHARED_CREDENTIALS_FILE=$T/aws-credentials
export RCLONE_CONFIG=$T/rclone.conf
cat >"$AWS_CONFIG_FILE" <<EOF
[default]
region = $RI_S3_REGION
[profile wrong]
region = $RI_S3_REGION
[profile second]
region = $RI_S3_REGION
EOF
cat >"$AWS_SHARED_CREDENTIALS_FILE" <<EOF
[default]
aws_access_key_id = $RI_S3_ACCESS_KEY
aws_secret_access_key = $RI_S3_SECRET_KEY
[wrong]
aws_access_key_id = $RI_S3_ACCESS_KEY
aws_secret_access_key = wrong$RI_S3_SECRET_KEY
[second]
aws_access_key_id = $RI_S3_ACCESS_KEY_2
aws_secret_access_key = $RI_S3_SECRET_KEY_2
EOF
cat >"$RCLONE_CONFIG" <<EOF
[rgw]
type = s3
provider = Other
access_key_id = $RI_S3_ACCESS_KEY
secret_access_key = $RI_S3_SECRET_KEY
endpoint = $RI_S3_ENDPOINT
region = $RI_S3_REGION
force_path_style = true
EOF

aws() { /usr/bin/aws --endpoint-url "$RI_S3_ENDPOINT" "$@"; }
# AWS_CA_BUNDLE from the environment breaks rclone even for http endpoints.
rclone() { env -u AWS_CA_BUNDLE /usr/bin/rclone "$@"; }

bucket=ri-smoke-$(date +%s)-$$
# Removed at the end as part of the test; this is for a test that fails before it.
ri_at_exit ri_remove_bucket "$RI_S3_ENDPOINT" "$RI_S3_ACCESS_KEY" "$RI_S3_SECRET_KEY" "$bucket"
key=dir/five.bin
head -c $((5 * 1024 * 1024)) /dev/urandom >"$T/five"

expect_exit 0 aws s3 mb "s3://$bucket"
expect_exit 0 aws s3 cp --metadata color=blue "$T/five" "s3://$bucket/$key"
expect_exit 0 aws s3 cp "s3://$bucket/$key" "$T/five.aws"
assert_same "$T/five" "$T/five.aws"

expect_exit 0 aws s3 ls "s3://$bucket/dir/"
grep -q " 5242880 five.bin$" "$T/out" || fail "aws s3 ls does not show five.bin with 5242880 bytes: $(cat "$T/out")"
expect_exit 0 aws s3api head-object --bucket "$bucket" --key "$key"
color=$(/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["Metadata"].get("color"))' "$T/out")
[ "$color" = blue ] || fail "head-object metadata: $(cat "$T/out")"

# radosgw sends an empty <Message>, on which aws cli 2.9's error customization crashes
# ("argument of type 'NoneType' is not iterable"): read the code from the logged response.
expect_exit 255 aws --debug --profile wrong s3api list-objects-v2 --bucket "$bucket"
grep -q '<Code>SignatureDoesNotMatch</Code>' "$T/err" ||
  fail "wrong secret: no SignatureDoesNotMatch in: $(grep -i -m5 -e error -e 'response body' "$T/err")"
expect_exit 1 aws --profile second s3 cp "s3://$bucket/$key" "$T/five.second"
grep -q -e AccessDenied -e Forbidden -e 403 "$T/err" || fail "second user: not refused: $(cat "$T/err")"
[ ! -e "$T/five.second" ] || fail "the second user could read the first user's object"

expect_exit 0 rclone lsf "rgw:$bucket/dir/"
[ "$(cat "$T/out")" = five.bin ] || fail "rclone lsf: $(cat "$T/out")"
expect_exit 0 rclone copyto "rgw:$bucket/$key" "$T/five.rclone"
assert_same "$T/five" "$T/five.rclone"

# Virtual-host style (rgw dns name = localhost): the bucket in the Host header, signed by curl.
port=${RI_S3_ENDPOINT##*:}
expect_exit 0 curl -sSf --noproxy '*' --resolve "$bucket.localhost:$port:127.0.0.1" \
  --aws-sigv4 "aws:amz:$RI_S3_REGION:s3" --user "$RI_S3_ACCESS_KEY:$RI_S3_SECRET_KEY" \
  -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -o "$T/five.vhost" "http://$bucket.localhost:$port/$key"
assert_same "$T/five" "$T/five.vhost"

expect_exit 0 aws s3 rb --force "s3://$bucket"
echo "ok: radosgw at $RI_S3_ENDPOINT with aws $(/usr/bin/aws --version 2>&1 | cut -d' ' -f1), rclone, curl"
