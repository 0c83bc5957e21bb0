#!/usr/bin/env bash
# services: azurite
# ri-upload and ri-download against real Azure Blob storage (Azurite): blocks for large files,
# directories with unicode names, metadata; the Azure SDK for Python reads what ri wrote and ri
# reads what the SDK wrote; encrypted blobs decrypt with openssl; kill -9 mid-upload resumes
# from the uncommitted blocks the service holds (Get Block List).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-upload ri-download
ri_setup
use_service azurite
export AZURE_STORAGE_ACCOUNT=$RI_AZ_ACCOUNT AZURE_STORAGE_KEY=$RI_AZ_KEY AZURE_STORAGE_ENDPOINT=$RI_AZ_ENDPOINT
container=ri-az-$(head -c 5 /dev/urandom | od -An -tx1 | tr -d ' \n')
sdk() { /usr/bin/python3 - "$@"; } # runs a python script from stdin with the SDK
delete_container() {
  sdk "$1" >/dev/null 2>&1 <<'PY'
import os, sys
from azure.storage.blob import BlobServiceClient
BlobServiceClient.from_connection_string(os.environ["RI_AZ_CONNECTION_STRING"]).delete_container(sys.argv[1])
PY
}
sdk "$container" <<'PY' || fail "could not create the container with the SDK"
import os, sys
from azure.storage.blob import BlobServiceClient
BlobServiceClient.from_connection_string(os.environ["RI_AZ_CONNECTION_STRING"]).create_container(sys.argv[1])
PY
ri_at_exit delete_container "$container"
base=az://$RI_AZ_ACCOUNT/$container

mkdir -p "$T/src/Lauf 1" "$T/src/données"
: >"$T/src/empty"
head -c $((9 << 20 | 3)) /dev/urandom >"$T/src/Lauf 1/big.bin" # 3 blocks of 4 MiB
printf 'été\n' >"$T/src/données/note.txt"
expect_exit 0 ri-upload --part-size 4MiB --metadata Owner=ri "$T/src" "$base/in/" --json
[ "$(grep -c '"kind":"object"' "$T/out")" = 3 ] || fail "expected 3 records: $(cat "$T/out")"

# The SDK reads the bytes and the metadata ri wrote.
sdk "$container" "$T/src" <<'PY' || fail "the Azure SDK disagrees with ri's upload"
import os, sys
from azure.storage.blob import BlobServiceClient
c = BlobServiceClient.from_connection_string(os.environ["RI_AZ_CONNECTION_STRING"]).get_container_client(sys.argv[1])
for rel in ["empty", "Lauf 1/big.bin", "données/note.txt"]:
    b = c.get_blob_client("in/src/" + rel)
    data = b.download_blob().readall()
    assert data == open(os.path.join(sys.argv[2], rel), "rb").read(), rel
    assert b.get_blob_properties().metadata.get("owner") == "ri", rel
PY
expect_exit 0 ri-download "$base/in/" -o "$T/back" --part-size 2MiB --json
diff -r "$T/src" "$T/back/src" || fail "downloaded tree differs"

# What the SDK uploads, ri downloads.
head -c 700000 /dev/urandom >"$T/sdk.bin"
sdk "$container" "$T/sdk.bin" <<'PY' || fail "SDK upload failed"
import os, sys
from azure.storage.blob import BlobServiceClient
c = BlobServiceClient.from_connection_string(os.environ["RI_AZ_CONNECTION_STRING"]).get_container_client(sys.argv[1])
c.upload_blob("sdk/sdk.bin", open(sys.argv[2], "rb").read())
PY
expect_exit 0 ri-download "$base/sdk/sdk.bin" -o "$T/dl"
cmp -s "$T/dl/sdk.bin" "$T/sdk.bin" || fail "ri read different bytes of the SDK's blob"

# Encrypted: the SDK fetches ciphertext that openssl decrypts with the key and the iv metadata.
head -c $((5 << 20 | 9)) /dev/urandom >"$T/secret.bin"
expect_exit 0 ri-upload --encrypt --key-file "$T/key" --part-size 2MiB "$T/secret.bin" "$base/enc/"
sdk "$container" "$T/cipher" >"$T/iv" <<'PY' || fail "SDK could not fetch the encrypted blob"
import os, sys
from azure.storage.blob import BlobServiceClient
b = BlobServiceClient.from_connection_string(os.environ["RI_AZ_CONNECTION_STRING"]).get_blob_client(sys.argv[1], "enc/secret.bin")
open(sys.argv[2], "wb").write(b.download_blob().readall())
md = b.get_blob_properties().metadata
assert md["streamingformat"] == "cbc" and md["partsize"] == str(2 << 20), md
print(md["iv"])
PY
/usr/bin/openssl enc -d -aes-256-cbc -K "$(b64_to_hex "$(cat "$T/key")")" -iv "$(b64_to_hex "$(cat "$T/iv")")" \
    -in "$T/cipher" | cmp -s - "$T/secret.bin" || fail "openssl cannot decrypt ri's encrypted blob"
expect_exit 0 ri-download --key-file "$T/key" "$base/enc/secret.bin" -o "$T/dec"
cmp -s "$T/dec/secret.bin" "$T/secret.bin" || fail "ri-download did not decrypt to the source"

# kill -9 mid-upload: the rerun keeps the blocks the service confirmed.
head -c $((96 << 20)) /dev/urandom >"$T/resume.bin"
ri-upload --part-size 4MiB -j 2 "$T/resume.bin" "$base/resume/" >"$T/r1.out" 2>&1 &
confirmed=$(kill_after_parts $! upload_parts 5)
expect_exit 0 ri-upload --part-size 4MiB -j 2 "$T/resume.bin" "$base/resume/" --json
[ "$(json_field "$T/out" resumed_parts)" -ge "$confirmed" ] || fail "confirmed blocks were sent again ($confirmed confirmed): $(cat "$T/out")"
expect_exit 0 ri-download "$base/resume/resume.bin" -o "$T/rdl"
cmp -s "$T/rdl/resume.bin" "$T/resume.bin" || fail "the resumed blob differs from the source"
echo "ok: Azure round trips, SDK interoperability, encryption and kill -9 resume"
