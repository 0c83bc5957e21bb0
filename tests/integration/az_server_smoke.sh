#!/usr/bin/env bash
# services: azurite
# The Azure test server (Azurite) and the real peer the storage tests compare against
# (Debian's python3-azure-storage) work: create a container, upload 5 MiB in blocks with
# metadata, download it identical, list it; a wrong account key is refused with 403.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
ri_setup
use_service azurite

head -c $((5 * 1024 * 1024)) /dev/urandom >"$T/five"
container=ri-smoke-$(date +%s)-$$

cat >"$T/peer.py" <<'EOF'
import os, sys
from azure.core.exceptions import HttpResponseError
from azure.storage.blob import BlobServiceClient

endpoint, account, key = os.environ["RI_AZ_ENDPOINT"], os.environ["RI_AZ_ACCOUNT"], os.environ["RI_AZ_KEY"]
cmd, container = sys.argv[1], sys.argv[2]

if cmd == "roundtrip":
    src, dst = sys.argv[3], sys.argv[4]
    # 1 MiB blocks: Put Block x5 + Put Block List, the path resumable uploads take.
    svc = BlobServiceClient.from_connection_string(os.environ["RI_AZ_CONNECTION_STRING"],
                                                   max_single_put_size=1 << 20, max_block_size=1 << 20)
    cont = svc.create_container(container)
    blob = cont.get_blob_client("dir/five.bin")
    with open(src, "rb") as f:
        blob.upload_blob(f, metadata={"color": "blue"})
    blocks, _ = blob.get_block_list("committed")
    assert len(blocks) == 5, len(blocks)
    props = blob.get_blob_properties()
    assert props.metadata == {"color": "blue"}, props.metadata
    assert props.size == os.path.getsize(src), props.size
    names = [b.name for b in cont.list_blobs(name_starts_with="dir/")]
    assert names == ["dir/five.bin"], names
    with open(dst, "wb") as f:
        blob.download_blob().readinto(f)
elif cmd == "wrong-key":
    svc = BlobServiceClient(endpoint, credential={"account_name": account, "account_key": "A" * 86 + "=="})
    try:
        list(svc.get_container_client(container).list_blobs())
    except HttpResponseError as e:
        print(e.status_code, e.error_code)
        sys.exit(0)
    sys.exit("a wrong key was accepted")
elif cmd == "delete":
    BlobServiceClient.from_connection_string(os.environ["RI_AZ_CONNECTION_STRING"]).delete_container(container)
EOF

# Deleted at the end as part of the test; this is for a test that fails before it.
delete_container() { /usr/bin/python3 "$T/peer.py" delete "$1" >/dev/null 2>&1 || true; }
ri_at_exit delete_container "$container"
expect_exit 0 /usr/bin/python3 "$T/peer.py" roundtrip "$container" "$T/five" "$T/five.back"
assert_same "$T/five" "$T/five.back"
expect_exit 0 /usr/bin/python3 "$T/peer.py" wrong-key "$container"
grep -q '^403 ' "$T/out" || fail "wrong key: want 403, got: $(cat "$T/out")"
expect_exit 0 /usr/bin/python3 "$T/peer.py" delete "$container"
echo "ok: Azurite at $RI_AZ_ENDPOINT with python3-azure-storage"
