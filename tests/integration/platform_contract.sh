#!/usr/bin/env bash
# services: radosgw sandbox
# Contract test: ri-sandbox answers every endpoint of shared/reference/rescale-platform-api.md with
# the documented shape (field names and JSON types, page envelopes with absolute next URLs, bare
# arrays, status codes), checked by tests/contract/run_contract.py against the examples in
# tests/contract/examples/, which are written from the reference, never from the sandbox's code.
# The scenario: users/me, folders, credentials, v2 upload/download/lines, v3 direct upload to
# radosgw with the issued credentials and register, tags, move, trash, catalog, jobs (v3 and v2
# create with the reference's body, submit, statuses to Completed, outputs, runs, tail, tags,
# custom fields, stop and delete rules), 401, 404 across users, pagination, an injected 429.
# shellcheck source=tests/integration/lib.sh
source "$(dirname "$0")/lib.sh"
ri_setup
use_service radosgw
# A private sandbox: this test injects faults, which would hit other tests' calls on the shared one.
# shellcheck source=tests/fixtures/sandbox.sh
source "$RI_SOURCE_DIR/tests/fixtures/sandbox.sh"
sbx_private "$T/sandbox"
# The sandbox's storage is the shared radosgw; its endpoint is where direct uploads go.
if [ -f "$RI_SERVICES_DIR/radosgw/radosgw.env" ]; then use_service radosgw; fi

[ -n "${RI_SANDBOX_URL:-}" ] || fail "the sandbox service did not give RI_SANDBOX_URL"
[ -n "${RI_SANDBOX_KEY:-}" ] || fail "the sandbox service did not give RI_SANDBOX_KEY"
[ -n "${RI_SANDBOX_KEY_2:-}" ] || fail "the sandbox service did not give RI_SANDBOX_KEY_2"
command -v aws >/dev/null || fail "aws cli is missing (the v3 direct upload needs it)"

# aws reads only the keys run_contract.py passes (the platform's credentials), never a profile.
export AWS_CONFIG_FILE=$T/aws-config AWS_SHARED_CREDENTIALS_FILE=$T/aws-credentials
: >"$AWS_CONFIG_FILE"
: >"$AWS_SHARED_CREDENTIALS_FILE"

python3 "${RI_SOURCE_DIR:?}/tests/contract/run_contract.py" || fail "the sandbox deviates from the platform contract (see above)"
echo "ok: ri-sandbox fits the platform contract"
