#!/usr/bin/env bash
# services: radosgw sandbox
# Platform transfers on S3 (radosgw) survive storage credentials that expired early: refreshed
# once on the store's 403; refused again -> 77, nothing saved (tests/fixtures/credentials_refresh.sh).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-upload ri-download
ri_setup
use_service radosgw
# shellcheck source=tests/fixtures/sandbox.sh
source "$RI_SOURCE_DIR/tests/fixtures/sandbox.sh"
# shellcheck source=tests/fixtures/credentials_refresh.sh
source "$RI_SOURCE_DIR/tests/fixtures/credentials_refresh.sh"
sbx_private "$T/sandbox" RI_SANDBOX_JOBS=simulate
credentials_refresh_scenario
echo "ok: S3 credentials that expired early are refreshed; refused twice -> 77, nothing saved"
