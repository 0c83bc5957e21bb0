#!/usr/bin/env bash
# services: radosgw
# kill -9 in the middle of a multipart upload, then the same command again: the object on the
# server is byte-identical to the source (read back with aws), and the parts the state had
# confirmed before the kill were not sent again. The same for a download killed halfway.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-upload ri-download
ri_setup
use_service radosgw
s3_env
new_bucket ri-resume
bucket=$BUCKET
head -c $((160 << 20)) /dev/urandom >"$T/big.bin" # 32 parts of 5 MiB


for mode in plain encrypted; do
    extra=()
    [ "$mode" = encrypted ] && extra=(--encrypt --key-file "$T/key")
    ri-upload --path-style --part-size 5MiB -j 2 "${extra[@]}" "$T/big.bin" "s3://$bucket/$mode/" --json >"$T/out1" 2>"$T/err1" &
    confirmed=$(kill_after_parts $! upload_parts 6)
    [ "$confirmed" -ge 6 ] || fail "$mode: only $confirmed parts were confirmed before the kill"
    [ -s "$T/out1" ] && fail "$mode: a record was written for an unfinished upload"

    expect_exit 0 ri-upload --path-style --part-size 5MiB -j 2 "${extra[@]}" "$T/big.bin" "s3://$bucket/$mode/" --json
    resumed=$(json_field "$T/out" resumed_parts)
    [ "$resumed" -ge "$confirmed" ] || fail "$mode: $confirmed parts were confirmed but only $resumed were kept"
    [ "$(state_count 'SELECT COUNT(*) FROM uploads')" = 0 ] || fail "$mode: resume state left after completion"
    aws_ s3 cp "s3://$bucket/$mode/big.bin" "$T/check" >/dev/null
    if [ "$mode" = plain ]; then
        cmp -s "$T/check" "$T/big.bin" || fail "plain: the resumed object differs from the source"
    else
        iv=$(aws_ s3api head-object --bucket "$bucket" --key "$mode/big.bin" --query Metadata.iv --output text)
        /usr/bin/openssl enc -d -aes-256-cbc -K "$(b64_to_hex "$(cat "$T/key")")" -iv "$(b64_to_hex "$iv")" \
            -in "$T/check" | cmp -s - "$T/big.bin" || fail "encrypted: the resumed object does not decrypt to the source"
    fi
    aws_ s3api list-multipart-uploads --bucket "$bucket" --query 'Uploads[].UploadId' --output text | grep -qv None &&
        fail "$mode: a multipart upload was left open"
done

# A download killed halfway continues from the parts already written.
ri-download --path-style "s3://$bucket/plain/big.bin" -o "$T/dl" --part-size 4MiB -j 2 >"$T/dout1" 2>&1 &
done_parts=$(kill_after_parts $! download_parts 5)
assert_no_file_final() { [ -e "$1" ] && fail "$1 exists before the download completed"; return 0; }
assert_no_file_final "$T/dl/big.bin"
[ -e "$T/dl/big.bin.ri-partial" ] || fail "the partial download was not kept for resume"
expect_exit 0 ri-download --path-style "s3://$bucket/plain/big.bin" -o "$T/dl" --part-size 4MiB -j 2 --json
kept=$(json_field "$T/out" resumed_parts)
[ "$kept" -ge "$done_parts" ] || fail "download: $done_parts parts were saved but only $kept kept"
cmp -s "$T/dl/big.bin" "$T/big.bin" || fail "the resumed download differs"
echo "ok: kill -9 mid-upload and mid-download resume without resending confirmed parts"
