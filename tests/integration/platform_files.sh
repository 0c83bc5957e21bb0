#!/usr/bin/env bash
# services: radosgw sandbox
# ri-files against ri-sandbox: list/get/move/tag/delete of library files, folders, the trash,
# ids piped between ri-files runs, one user never seeing another's files (404 -> 66), a bad API
# key (77), deletes refused without --yes off a terminal, and ri-config check's platform check.
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-files ri-config
ri_setup
use_service sandbox
{ [ -n "${RI_SANDBOX_URL:-}" ] && [ -n "${RI_SANDBOX_KEY:-}" ] && [ -n "${RI_SANDBOX_KEY_2:-}" ]; } ||
    fail "the sandbox service did not give RI_SANDBOX_URL / RI_SANDBOX_KEY / RI_SANDBOX_KEY_2"
export RESCALE_API_URL=$RI_SANDBOX_URL RESCALE_API_KEY=$RI_SANDBOX_KEY
tag=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')

# Library files to work on: uploaded through the platform's v2 contents endpoint.
upload() { # NAME CONTENT -> prints the new file's id
    printf '%s' "$2" >"$T/$1"
    curl -sf -H "Authorization: Token $RI_SANDBOX_KEY" -F "file=@$T/$1" "$RI_SANDBOX_URL/api/v2/files/contents/" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
a=$(upload "alpha-$tag.dat" "hello alpha") || fail "could not upload to the sandbox"
b=$(upload "beta-$tag.dat" "hello beta, longer") || fail "could not upload to the sandbox"

# list: JSON lines, newest first, search, limit.
expect_exit 0 ri-files list --search "$tag" --json
[ "$(wc -l <"$T/out")" = 2 ] || fail "list --search did not find exactly the two files: $(cat "$T/out")"
grep -q "\"id\":\"$a\",\"name\":\"alpha-$tag.dat\",\"size\":11" "$T/out" || fail "file record wrong: $(cat "$T/out")"
expect_exit 0 ri-files list --search "$tag" --limit 1
[ "$(wc -l <"$T/out")" = 1 ] || fail "--limit 1 gave $(wc -l <"$T/out") records"

# get: by argument and from piped records; the checksum is the plaintext's.
expect_exit 0 ri-files get "$a"
expect_field "$T/out" sha512 "$(printf 'hello alpha' | sha512sum | cut -d' ' -f1)"
ri-files list --search "$tag" | ri-files get >"$T/piped" || fail "ri-files list | ri-files get failed"
[ "$(wc -l <"$T/piped")" = 2 ] || fail "piped get gave $(wc -l <"$T/piped") records"

# Another user sees none of it: 404 -> 66 naming the file, and an empty search.
RESCALE_API_KEY=$RI_SANDBOX_KEY_2 expect_exit 66 ri-files get "$a"
grep -q "file $a not found" "$T/err" || fail "not-found message: $(cat "$T/err")"
RESCALE_API_KEY=$RI_SANDBOX_KEY_2 expect_exit 0 ri-files list --search "$tag"
[ ! -s "$T/out" ] || fail "user 2 sees user 1's files: $(cat "$T/out")"

# A bad key: 77, the key never printed.
bad=bad-key-$tag-0123456789abcdef
RESCALE_API_KEY=$bad expect_exit 77 ri-files list
grep -q "API key was rejected" "$T/err" || fail "401 message: $(cat "$T/err")"
grep -q "$bad" "$T/err" "$T/out" && fail "the bad key was printed"
expect_exit 77 ri-files --api-key "$bad" get "$a"
expect_exit 77 ri-config check --api-key "$bad" --folder "$T/dl" --json
grep -q '"check":"platform","ok":false' "$T/out" || fail "ri-config check: platform not failed"
expect_exit 0 ri-config check --folder "$T/dl" --json
grep -q '"check":"platform","ok":true' "$T/out" || fail "ri-config check: platform not ok: $(cat "$T/out")"

# Folders: create, list, move a file in, contents.
expect_exit 0 ri-files folders create "runs-$tag"
folder=$(json_field "$T/out" id)
expect_field "$T/out" created true
expect_exit 0 ri-files folders list
grep -q "\"id\":\"$folder\"" "$T/out" || fail "folders list misses the new folder"
expect_exit 0 ri-files move "$a" --folder "$folder"
expect_field "$T/out" folder_id "$folder"
expect_exit 0 ri-files folders contents "$folder"
grep -q "\"id\":\"$a\"" "$T/out" || fail "folder contents miss the moved file: $(cat "$T/out")"
expect_exit 0 ri-files list --folder "$folder"
[ "$(wc -l <"$T/out")" = 1 ] || fail "list --folder: $(cat "$T/out")"

# Tags: add two, remove one.
expect_exit 0 ri-files tag "$a" --add "keep-$tag" --add draft
expect_exit 0 ri-files tag "$a" --remove draft
expect_field "$T/out" tags "[\"keep-$tag\"]"

# Trash: put, list, recover, put again and purge.
expect_exit 65 ri-files trash put "$a"  # it is not in My Library: refused, nothing moved
expect_exit 0 ri-files trash put "$a" --folder "$folder"
expect_exit 0 ri-files trash list
grep -q "\"id\":\"$a\"" "$T/out" || fail "the trash misses the file"
expect_exit 0 ri-files trash recover "$a"
expect_field "$T/out" recovered true
expect_exit 0 ri-files get "$a"
expect_exit 66 ri-files trash recover "$a"
ri-files move "$a" --folder "$folder" | ri-files trash put >/dev/null || fail "piped trash put failed"
expect_exit 64 ri-files trash delete "$a" </dev/null
expect_exit 0 ri-files trash delete "$a" --yes
expect_exit 66 ri-files get "$a"

# Delete: refused off a terminal without --yes (nothing deleted), then done; a batch with one
# missing id is a partial failure (1).
expect_exit 64 ri-files delete "$b" </dev/null
grep -q -- "--yes" "$T/err" || fail "the refusal does not mention --yes"
expect_exit 0 ri-files get "$b"
expect_exit 1 ri-files delete "$b" nosuchfile --yes
expect_field "$T/out" deleted true
expect_exit 66 ri-files get "$b"
expect_exit 0 ri-files folders delete "$folder" --yes

# Malformed input names the line.
printf '{"kind":"file","id":"%s"}\n{"kind":"job","id":"x"}\n' "$b" | expect_exit 65 ri-files get
grep -q "stdin line 2" "$T/err" || fail "bad record not named: $(cat "$T/err")"
echo "ok: ri-files lists, moves, tags, trashes and deletes sandbox files; users are isolated; a bad key is 77"
