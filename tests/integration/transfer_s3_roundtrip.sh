#!/usr/bin/env bash
# services: radosgw
# ri-upload and ri-download against real S3 (radosgw): single and multipart objects, empty
# files, directories with nested, spaced and unicode names, structure preserved; what ri
# uploads the real aws cli and rclone read byte-identically (metadata included), and what aws
# uploads ri downloads. Records are one "object" line per finished object.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-upload ri-download
ri_setup
use_service radosgw
s3_env
new_bucket ri-rt
bucket=$BUCKET

mkdir -p "$T/src/Run 1/sub" "$T/src/résultats"
: >"$T/src/empty.dat"
head -c 1 /dev/urandom >"$T/src/one.bin"
head -c $((5 << 20)) /dev/urandom >"$T/src/Run 1/five.bin"
head -c $((21 << 20 | 7)) /dev/urandom >"$T/src/Run 1/sub/big.bin" # multipart with 8 MiB parts
printf 'données\n' >"$T/src/résultats/été.txt"

# Upload the directory (its name kept under the prefix), with metadata.
expect_exit 0 ri-upload --path-style --part-size 8MiB -j 4 --metadata Project=alpha "$T/src" "s3://$bucket/in/" --json
[ "$(grep -c '"kind":"object"' "$T/out")" = 5 ] || fail "expected 5 object records: $(cat "$T/out")"
grep -q "\"url\":\"s3://$bucket/in/src/Run 1/sub/big.bin\"" "$T/out" || fail "structure not preserved: $(cat "$T/out")"

# The real clients read what ri wrote, byte for byte, and see the metadata.
for f in empty.dat one.bin "Run 1/five.bin" "Run 1/sub/big.bin" "résultats/été.txt"; do
    aws_ s3 cp "s3://$bucket/in/src/$f" "$T/aws.out" >/dev/null || fail "aws could not read $f"
    cmp -s "$T/aws.out" "$T/src/$f" || fail "aws read different bytes for $f"
done
aws_ s3api head-object --bucket "$bucket" --key "in/src/Run 1/sub/big.bin" >"$T/head.json"
grep -q '"project": "alpha"' "$T/head.json" || fail "metadata not visible to aws: $(cat "$T/head.json")"
grep -q '"ContentLength": 22020103' "$T/head.json" || fail "wrong size: $(cat "$T/head.json")"
rclone_ lsf -R "rgw:$bucket/in/src" >"$T/rclone.ls" || fail "rclone could not list"
grep -qx 'Run 1/sub/big.bin' "$T/rclone.ls" || fail "rclone does not see big.bin: $(cat "$T/rclone.ls")"
rclone_ cat "rgw:$bucket/in/src/résultats/été.txt" | cmp -s - "$T/src/résultats/été.txt" || fail "rclone read different bytes"

# Download the prefix back: the same tree, the same bytes.
expect_exit 0 ri-download --path-style "s3://$bucket/in/" -o "$T/back" --part-size 4MiB --json
[ "$(grep -c '"kind":"object"' "$T/out")" = 5 ] || fail "expected 5 download records: $(cat "$T/out")"
diff -r "$T/src" "$T/back/src" || fail "downloaded tree differs"
find "$T/back" -name '*.ri-partial' | grep -q . && fail "partial files left behind"

# What aws uploads, ri downloads; a single object lands under its name.
head -c $((3 << 20)) /dev/urandom >"$T/by-aws.bin"
aws_ s3 cp "$T/by-aws.bin" "s3://$bucket/aws/by-aws.bin" >/dev/null
expect_exit 0 ri-download --path-style "s3://$bucket/aws/by-aws.bin" -o "$T/dl" --json
cmp -s "$T/dl/by-aws.bin" "$T/by-aws.bin" || fail "ri read different bytes of aws's object"
expect_field "$T/out" size 3145728

# Upload records piped into ri-download: the pipeline reads like a sentence.
ri-upload --path-style "$T/src/one.bin" "s3://$bucket/pipe/" | ri-download --path-style -o "$T/piped" >"$T/pipe.out" ||
    fail "upload | download pipeline failed"
cmp -s "$T/piped/one.bin" "$T/src/one.bin" || fail "pipeline result differs"

# Existing objects are skipped by default, renamed on request.
expect_exit 0 ri-upload --path-style "$T/src/one.bin" "s3://$bucket/pipe/" --json
expect_field "$T/out" skipped true
grep -q 'already exists' "$T/err" || fail "skip not reported: $(cat "$T/err")"
expect_exit 0 ri-upload --path-style --if-exists rename "$T/src/one.bin" "s3://$bucket/pipe/" --json
expect_field "$T/out" url "s3://$bucket/pipe/one (1).bin"
echo "ok: S3 round trips, structure, metadata and interoperability with aws and rclone"
