#!/usr/bin/env bash
# services: radosgw sandbox
# The pipeline of DESIGN.md against ri-sandbox (--jobs execute), every step a separate ri tool:
#   ri-upload in.dat | ri-jobs submit --script run.sh | ri-jobs wait | ri-download -o out/
# The input is uploaded encrypted through the platform transfer engine, the job runs the
# script's body on it, and the outputs come back decrypted and checked; then the same with
# `ri-jobs submit --upload` and `ri-jobs download ID -o DIR`, and `ri-jobs files | ri-download`.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-jobs ri-upload ri-download
ri_setup
use_service sandbox
export RESCALE_API_URL=$RI_SANDBOX_URL RESCALE_API_KEY=$RI_SANDBOX_KEY
tag=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
mkdir "$T/w" && cd "$T/w"

head -c 300000 /dev/urandom | base64 >"in-$tag.dat"
cat >run.sh <<SH
#!/bin/bash
#RESCALE_NAME pipeline-$tag
#RESCALE_CORES emerald
#RESCALE_WALLTIME 1
sha512sum in-$tag.dat | cut -d' ' -f1 >checksum.txt
tr 'a-z' 'A-Z' <in-$tag.dat >upper.dat
SH
# shellcheck disable=SC2018,SC2019 # ASCII letters only, as the job's own tr does
tr 'a-z' 'A-Z' <"in-$tag.dat" >want-upper.dat

# The pipeline: exit 0 all along, one download record per output.
ri-upload "in-$tag.dat" 2>upload.err | ri-jobs submit --script run.sh 2>submit.err |
  ri-jobs wait --interval 0.5 --timeout 120 2>wait.err | ri-download -o out/ >downloads 2>download.err ||
  fail "the pipeline failed: $(cat upload.err submit.err wait.err download.err)"
[ -f out/upper.dat ] || fail "no out/upper.dat: $(ls -R out) $(cat downloads download.err)"
cmp -s out/upper.dat want-upper.dat || fail "upper.dat is not the job's output"
[ "$(cat out/checksum.txt)" = "$(sha512_of "in-$tag.dat")" ] || fail "the job did not see in.dat as uploaded"
grep -q '"kind":"download"' downloads || fail "no download records: $(cat downloads)"
[ "$(grep -c '"kind":"download"' downloads)" = 3 ] || fail "want 3 outputs (log, checksum, upper): $(cat downloads)"

# --upload and ri-jobs download: the same engines from ri-jobs itself. The local file changed
# since ri-upload put a file of its name in the library: the job must see the new content.
echo "a new last line" >>"in-$tag.dat"
# shellcheck disable=SC2018,SC2019 # as above
tr 'a-z' 'A-Z' <"in-$tag.dat" >want-upper.dat
ri-jobs submit --script run.sh --upload "in-$tag.dat" --name "upload-$tag" >job.rec 2>submit.err ||
  fail "submit --upload: $(cat submit.err)"
job=$(json_field job.rec id)
expect_exit 0 ri-jobs wait "$job" --interval 0.5 --timeout 120
expect_exit 0 ri-jobs download "$job" -o out2
cmp -s out2/upper.dat want-upper.dat || fail "ri-jobs download: upper.dat differs (stale input?)"
grep -q "\"kind\":\"download\".*\"path\":\"[^\"]*upper.dat\"" "$T/out" || fail "ri-jobs download records: $(cat "$T/out")"
# ri-jobs files | ri-download: file records from one, downloads by the other.
ri-jobs files "$job" --search checksum | ri-download -o out3 >/dev/null 2>dl.err || fail "files | ri-download: $(cat dl.err)"
[ "$(cat out3/checksum.txt)" = "$(sha512_of "in-$tag.dat")" ] || fail "files | ri-download: checksum.txt differs"
expect_exit 66 ri-jobs submit --script run.sh --upload "no-such-$tag.dat"
echo "ok: ri-upload | ri-jobs submit | ri-jobs wait | ri-download on ri-sandbox"
