#!/usr/bin/env bash
# services: radosgw
# A download that cannot fit fails before writing anything, with the disk-full message and
# exit 74; ri-upload --cleanup aborts the multipart uploads that no local state knows, and
# keeps the one this machine can still resume.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-upload ri-download
ri_setup
use_service radosgw
s3_env
new_bucket ri-space
bucket=$BUCKET

# A small file system (tmpfs of 8 MiB; needs root, as CI is) and a 20 MiB object.
[ "$(id -u)" = 0 ] || fail "this test mounts a small tmpfs and needs root"
mkdir -p "$T/small"
mount -t tmpfs -o size=8m tmpfs "$T/small" || fail "cannot mount a tmpfs"
ri_at_exit umount "$T/small" # registered after ri_setup's removal of $T, so it runs before it
head -c $((20 << 20)) /dev/urandom >"$T/big.bin"
aws_ s3 cp "$T/big.bin" "s3://$bucket/big.bin" >/dev/null
expect_exit 74 ri-download --path-style "s3://$bucket/big.bin" -o "$T/small"
grep -q 'Not enough disk space to download this file. Free up space and try again.' "$T/err" ||
    fail "not the disk-full message: $(cat "$T/err")"
[ -z "$(ls -A "$T/small")" ] || fail "something was written: $(ls -A "$T/small")"

# --cleanup: an orphan (started by aws, unknown to ri) is aborted; ri's own unfinished upload
# is kept because the local state can resume it.
orphan=$(aws_ s3api create-multipart-upload --bucket "$bucket" --key orphan.bin --query UploadId --output text)
head -c $((80 << 20)) /dev/urandom >"$T/mine.bin"
ri-upload --path-style --part-size 5MiB -j 1 "$T/mine.bin" "s3://$bucket/" >"$T/mine.out" 2>&1 &
kill_after_parts $! upload_parts 1 >/dev/null
grep -q '"kind":"object"' "$T/mine.out" && fail "the upload completed before the kill"
expect_exit 0 ri-upload --path-style --cleanup --older-than 0 "s3://$bucket/" --json
[ "$(grep -c '"kind":"aborted_upload"' "$T/out")" = 1 ] || fail "expected one aborted upload: $(cat "$T/out")"
grep -q "\"upload_id\":\"$orphan\"" "$T/out" || fail "the orphan was not the one aborted: $(cat "$T/out")"
left=$(aws_ s3api list-multipart-uploads --bucket "$bucket" --query 'Uploads[].Key' --output text)
[ "$left" = mine.bin ] || fail "ri's resumable upload should remain, found: $left"
expect_exit 0 ri-upload --path-style --part-size 5MiB -j 1 "$T/mine.bin" "s3://$bucket/" --json
[ "$(json_field "$T/out" resumed_parts)" -ge 1 ] || fail "the kept upload did not resume"
echo "ok: disk-full refusal before writing, and orphan cleanup that spares resumable uploads"
