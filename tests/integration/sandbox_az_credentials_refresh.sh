#!/usr/bin/env bash
# services: azurite sandbox_az
# Platform transfers on Azure (Azurite) survive a SAS past its signed expiry: refreshed once on
# the store's 403; refused again -> 77, nothing saved (tests/fixtures/credentials_refresh.sh).
# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$(dirname "$0")/lib.sh"
need_bin ri-upload ri-download
ri_setup
use_service azurite
unset AZURE_STORAGE_ACCOUNT AZURE_STORAGE_KEY AZURE_STORAGE_ENDPOINT AZURE_STORAGE_CONNECTION_STRING AZURE_STORAGE_SAS_TOKEN
# shellcheck source=tests/fixtures/sandbox.sh
source "$RI_SOURCE_DIR/tests/fixtures/sandbox.sh"
# shellcheck source=tests/fixtures/credentials_refresh.sh
source "$RI_SOURCE_DIR/tests/fixtures/credentials_refresh.sh"
SBX_SVC=sandbox_az sbx_private "$T/sandbox" RI_SANDBOX_JOBS=simulate
credentials_refresh_scenario
echo "ok: an Azure SAS that expired early is refreshed; refused twice -> 77, nothing saved"
