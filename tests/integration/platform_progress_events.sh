#!/usr/bin/env bash
# services: radosgw sandbox
# A supervisor (ri-pur, ri-watch, ri-dash) knows from --progress json alone what happened to
# every item: each transfer tool is run on items that succeed, are skipped and fail, and the
# events on stderr (and nothing else there) must say exactly that, with totals that never go
# back and a finish event carrying the exit code (tests/integration/progress_events.py).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-upload ri-download ri-encrypt ri-tar
ri_setup
use_service radosgw
s3_env
use_service sandbox
export RESCALE_API_URL=$RI_SANDBOX_URL RESCALE_API_KEY=$RI_SANDBOX_KEY
tag=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
new_bucket events
bucket=$BUCKET
check_events() {  # EXIT_CODE NAME=FATE...
    /usr/bin/python3 "$RI_SOURCE_DIR/tests/integration/progress_events.py" "$T/err" "$@" >"$T/fates" ||
        fail "events do not tell each item's fate: $(cat "$T/fates"; head -c 3000 "$T/err")"
}

# ri-upload to s3://: one new file, one that exists (skipped), one whose key S3 refuses (longer
# than 1024 bytes) beside them.
mkdir -p "$T/up"
deep=$T/up/$(printf 'd%.0s' {1..250})/$(printf 'e%.0s' {1..250})/$(printf 'f%.0s' {1..250})/$(printf 'g%.0s' {1..250})
mkdir -p "$deep"
head -c 5000 /dev/urandom >"$T/up/new-$tag.bin"
head -c 3000 /dev/urandom >"$T/up/old-$tag.bin"
head -c 100 /dev/urandom >"$deep/long-$tag.bin"
aws_ s3 cp --quiet "$T/up/old-$tag.bin" "s3://$bucket/p/up/old-$tag.bin" || fail "aws cp failed"
expect_exit 1 ri-upload "$T/up" "s3://$bucket/p/" --progress json
check_events 1 "new-$tag.bin=done" "old-$tag.bin=skipped" "long-$tag.bin=failed:bad_data"
[ "$(grep -c '"kind":"object"' "$T/out")" = 2 ] || fail "expected 2 object records: $(cat "$T/out")"

# ri-download from s3://: a plain object, an encrypted one without its key (refused: usage), one
# already on disk (skipped).
head -c 2000 /dev/urandom >"$T/plain-$tag.bin"
head -c 2000 /dev/urandom >"$T/enc-$tag.bin"
aws_ s3 cp --quiet "$T/plain-$tag.bin" "s3://$bucket/d/plain-$tag.bin" || fail "aws cp failed"
aws_ s3 cp --quiet "$T/plain-$tag.bin" "s3://$bucket/d/here-$tag.bin" || fail "aws cp failed"
expect_exit 0 ri-upload "$T/enc-$tag.bin" "s3://$bucket/d/" --encrypt --key "$(random_b64 32)" --quiet
mkdir -p "$T/down"
printf 'x' >"$T/down/here-$tag.bin"
expect_exit 1 ri-download "s3://$bucket/d/" -o "$T/down" --progress json
check_events 1 "plain-$tag.bin=done" "enc-$tag.bin=failed:usage" "here-$tag.bin=skipped"
assert_same "$T/plain-$tag.bin" "$T/down/plain-$tag.bin"

# ri-upload to the library: a new file, one already in the folder (skipped when it comes to be
# registered), and a FIFO (not a regular file: missing input).
mkdir -p "$T/lib"
head -c 4000 /dev/urandom >"$T/lib/a-$tag.dat"
head -c 4000 /dev/urandom >"$T/lib/b-$tag.dat"
mkfifo "$T/lib/fifo-$tag"
expect_exit 0 ri-upload "$T/lib/b-$tag.dat" --quiet
expect_exit 1 ri-upload "$T/lib/a-$tag.dat" "$T/lib/b-$tag.dat" "$T/lib/fifo-$tag" --progress json
check_events 1 "a-$tag.dat=done" "b-$tag.dat=skipped" "fifo-$tag=failed:missing_input"
grep '"kind":"file"' "$T/out" | grep -v skipped >"$T/a.rec"
[ "$(wc -l <"$T/a.rec")" = 1 ] || fail "expected one new file record: $(cat "$T/out")"
a_id=$(json_field "$T/a.rec" id)

# ri-download from the library: a file downloads; then again: skipped; then into a directory
# that sits where the file must go (cannot create), beside a file that downloads.
mkdir -p "$T/got"
expect_exit 0 ri-download "$a_id" -o "$T/got" --progress json
check_events 0 "a-$tag.dat=done"
grep -q "\"item\":\"a-$tag.dat\"" "$T/err" || fail "a platform download is not named by its file name: $(head -c 500 "$T/err")"
if grep -q 's3://' "$T/err"; then fail "platform download progress names a storage URL: $(grep -m1 's3://' "$T/err")"; fi
expect_exit 0 ri-download "$a_id" -o "$T/got" --progress json
check_events 0 "a-$tag.dat=skipped"
expect_exit 0 ri-upload "$T/lib/b-$tag.dat" --if-exists overwrite --quiet
b_id=$(json_field "$T/out" id)
mkdir -p "$T/got2/a-$tag.dat"
expect_exit 1 ri-download "$a_id" "$b_id" -o "$T/got2" --if-exists overwrite --progress json
check_events 1 "a-$tag.dat=failed:cannot_create" "b-$tag.dat=done"
assert_same "$T/lib/b-$tag.dat" "$T/got2/b-$tag.dat"

# ri-encrypt hash and ri-tar: a missing input is an item that failed, not a silent omission.
expect_exit 1 ri-encrypt hash "$T/lib/a-$tag.dat" "$T/missing-$tag" --progress json
check_events 1 "a-$tag.dat=done" "missing-$tag=failed:missing_input"
mkdir -p "$T/runs/Run_1" "$T/tars"
printf 'input' >"$T/runs/Run_1/in.dat"
expect_exit 1 ri-tar "$T/runs/Run_1" "$T/runs/Run_2" -o "$T/tars" --progress json
check_events 1 "Run_1=done" "Run_2=failed:missing_input"
archive=$(json_field "$T/out" path)
expect_exit 1 ri-tar extract "$archive" "$T/tars/none-$tag.tar" -C "$T/x" --progress json
check_events 1 "$(basename "$archive")=done" "none-$tag.tar=failed:missing_input"
echo "ok: --progress json tells every item's fate (ri-upload, ri-download, ri-encrypt, ri-tar)"
