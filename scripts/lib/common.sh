# shellcheck shell=bash
# Shared by scripts/demo, scripts/test and the benchmarks: install what is missing (Debian
# packages by name), configure and build. Sourced, not run.

RI_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
RI_BUILD=${RI_BUILD:-$RI_ROOT/build}

# Packages the build needs, and the ones tests and the demo use as real peers (git,
# clang-format and shellcheck for the checks of scripts/check/). Read by the scripts that
# source this file.
# shellcheck disable=SC2034
RI_BUILD_PACKAGES=(cmake ninja-build g++ pkg-config libcli11-dev libcurl4-openssl-dev libssl-dev
    nlohmann-json3-dev libarchive-dev libfmt-dev catch2 libsqlite3-dev libpugixml-dev libncurses-dev
    libcpp-httplib-dev libhiredis-dev)
# shellcheck disable=SC2034
RI_TEST_PACKAGES=(openssl python3 time man-db zsh fish awscli python3-boto3 rclone python3-azure-storage curl tar gzip zstd
    libarchive-tools util-linux git clang-format shellcheck)

ri_log() { printf '==> %s\n' "$*" >&2; }

ri_missing_packages() {
    local p
    for p in "$@"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || echo "$p"
    done
}

# Installs only what is missing, so a second run costs one dpkg-query per package.
ri_ensure_packages() {
    local missing
    mapfile -t missing < <(ri_missing_packages "$@")
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null || { echo "need root (or sudo) to install: ${missing[*]}" >&2; return 1; }
        sudo=(sudo)
    fi
    ri_log "installing ${missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Configure once, then incremental builds. -Werror is on here (and so in CI).
ri_build() {
    if [ ! -f "$RI_BUILD/build.ninja" ]; then
        ri_log "configuring $RI_BUILD"
        cmake -S "$RI_ROOT" -B "$RI_BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRI_WERROR=ON >/dev/null
    fi
    ri_log "building"
    cmake --build "$RI_BUILD" -- -j"$(nproc)"
}
