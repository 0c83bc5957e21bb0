#!/usr/bin/env bash
# services: radosgw
# Storage failures give the plain-language message and the exit code of their class, and
# leave nothing behind: wrong credentials (77), an unknown bucket ("Bucket not found", 66),
# a missing object, a missing local file (66), bad usage (64).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-upload ri-download
ri_setup
use_service radosgw
s3_env
new_bucket ri-err
bucket=$BUCKET
head -c 1000 /dev/urandom >"$T/f"

AWS_SECRET_ACCESS_KEY=wrong-$RI_S3_SECRET_KEY expect_exit 77 ri-upload --path-style "$T/f" "s3://$bucket/x/"
[ "$(wc -l <"$T/err")" -le 2 ] || fail "more than a short error: $(cat "$T/err")"
grep -qi 'credentials\|permission\|access' "$T/err" || fail "no plain-language credentials message: $(cat "$T/err")"
grep -q "$RI_S3_SECRET_KEY" "$T/err" && fail "the secret key leaked into the error"

expect_exit 66 ri-upload --path-style "$T/f" "s3://no-such-bucket-$RANDOM$RANDOM/x/"
grep -q 'Bucket not found' "$T/err" || fail "unknown bucket message: $(cat "$T/err")"

expect_exit 66 ri-download --path-style "s3://$bucket/missing.bin" -o "$T/dl"
grep -qi 'no longer exists\|not found' "$T/err" || fail "missing object message: $(cat "$T/err")"
assert_no_file "$T/dl/missing.bin"

expect_exit 66 ri-upload --path-style "$T/nope" "s3://$bucket/x/"
expect_exit 64 ri-upload --path-style "$T/f" "gs://bucket/x"
grep -q "'gs://bucket/x' is not an s3:// or az:// URL" "$T/err" || fail "no usage message for gs://: $(cat "$T/err")"
expect_exit 64 ri-upload --path-style "$T/f" "$T/f" "s3://$bucket/exact-key"
expect_exit 64 ri-download --path-style "s3://$bucket/x" -o "$T/dl" --if-exists maybe
echo "ok: storage errors map to their exit classes and plain messages"
