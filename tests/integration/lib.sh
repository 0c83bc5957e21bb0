# shellcheck shell=bash
# Helpers shared by the integration tests. Source it, do not run it:
#   source "$(dirname "$0")/lib.sh"
# ctest sets RI_BIN to the directory holding the built binaries.
set -euo pipefail

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# The cleanup registry. ri_at_exit CMD ARGS... registers CMD (a command or a function, with its
# arguments as they are now) to run when the test exits, however it exits: success, fail, set -e,
# or INT/TERM/HUP (turned into exits below, so that the EXIT trap runs). This is the only EXIT
# trap: a test or helper that set its own would silently replace it and leak what it stopped.
# Commands run in reverse order of registration (the last thing started is stopped first, $T is
# removed last), each in a subshell with errexit off, so a failing or exiting one never keeps
# the rest from running; the test's exit status is kept. Register right before (or right after)
# starting a thing, never inside $(...): a subshell's registrations are lost with it.
RI_AT_EXIT=()
ri_at_exit() {
  [ $# -gt 0 ] || fail "ri_at_exit: no command given"
  local cmd
  printf -v cmd '%q ' "$@"
  RI_AT_EXIT+=("$cmd")
}
ri_run_at_exit() {
  local rc=$? i
  set +e
  for ((i = ${#RI_AT_EXIT[@]} - 1; i >= 0; i--)); do
    (eval "${RI_AT_EXIT[i]}") </dev/null || echo "cleanup: '${RI_AT_EXIT[i]% }' failed (exit $?)" >&2
  done
  exit "$rc"
}
trap ri_run_at_exit EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

[ -n "${RI_BIN:-}" ] || fail "RI_BIN is not set (it must name the directory holding the built ri binaries)"
[ -d "$RI_BIN" ] || fail "RI_BIN=$RI_BIN is not a directory"
RI_BIN=$(cd "$RI_BIN" && pwd)
export PATH="$RI_BIN:$PATH"

# need_bin NAME...: every named tool must be built in RI_BIN.
need_bin() {
  local b
  for b in "$@"; do
    [ -x "$RI_BIN/$b" ] || fail "$RI_BIN/$b is missing or not executable (build it first)"
  done
}

# ri_alive PID: PID is a running process (not a zombie waiting for its parent to reap it).
ri_alive() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  [ "${stat%% *}" != Z ]
}

# ri_stop PID...: stop background jobs of this test: TERM, up to 5 s to go, then KILL. Only a
# child of this test's shell is signalled, so a pid already reaped and reused never is.
ri_stop() {
  local pid ppid stat i
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    stat=${stat##*) }
    ppid=${stat#* }
    ppid=${ppid%% *}
    [ "$ppid" = "$$" ] || continue
    kill -TERM "$pid" 2>/dev/null || continue
    for ((i = 0; i < 50; i++)); do
      ri_alive "$pid" || break
      sleep 0.1
    done
    if ri_alive "$pid"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
}

# ri_stop_ratelimitd SOCKET: stop the rate-limit daemon that this test's ri processes started on
# SOCKET in a private runtime dir (it would otherwise idle for minutes).
ri_stop_ratelimitd() {
  [ -S "$1" ] || return 0
  RI_RATELIMITD_SOCKET=$1 "$RI_BIN/ri-ratelimitd" stop >/dev/null 2>&1 || true
}

# ri_setup: a private temp dir $T, with HOME and the XDG dirs inside it, removed at exit.
ri_setup() {
  T=$(mktemp -d)
  ri_at_exit rm -rf "$T"
  export HOME="$T/home"
  export XDG_CONFIG_HOME="$HOME/.config"
  export XDG_STATE_HOME="$HOME/.local/state"
  export XDG_RUNTIME_DIR="$T/run"
  ri_at_exit ri_stop_ratelimitd "$XDG_RUNTIME_DIR/ri/ratelimitd.sock"
  mkdir -p "$XDG_CONFIG_HOME" "$XDG_STATE_HOME"
  mkdir -m 0700 "$XDG_RUNTIME_DIR"
  unset RESCALE_API_KEY RESCALE_API_URL RESCALE_CONFIG_FILE
}

# expect_exit CODE CMD...: run CMD (stdout -> $T/out, stderr -> $T/err); fail unless it exits CODE.
expect_exit() {
  local want=$1 rc=0
  shift
  "$@" >"$T/out" 2>"$T/err" || rc=$?
  if [ "$rc" != "$want" ]; then
    {
      echo "--- command: $*"
      echo "--- stdout:"; cat "$T/out"
      echo "--- stderr:"; cat "$T/err"
    } >&2
    fail "expected exit $want, got $rc: $*"
  fi
}

# assert_no_file PATH: neither PATH nor PATH.ri-partial exists.
assert_no_file() {
  if [ -e "$1" ] || [ -L "$1" ]; then fail "$1 exists but should not"; fi
  if [ -e "$1.ri-partial" ] || [ -L "$1.ri-partial" ]; then fail "$1.ri-partial was left behind"; fi
}

assert_same() {
  cmp "$1" "$2" >/dev/null || fail "$1 and $2 differ"
}

# json_field FILE FIELD: print a top-level field of the single JSON line in FILE.
json_field() {
  /usr/bin/python3 -c '
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
if len(lines) != 1:
    sys.exit("FAIL: %s: expected exactly one JSON line, got %d" % (sys.argv[1], len(lines)))
rec = json.loads(lines[0])
if sys.argv[2] not in rec:
    sys.exit("FAIL: %s: no field %r in %s" % (sys.argv[1], sys.argv[2], lines[0]))
v = rec[sys.argv[2]]
print(v if isinstance(v, str) else json.dumps(v))
' "$1" "$2"
}

# expect_field FILE FIELD WANT: json_field FILE FIELD must print WANT.
expect_field() {
  local got
  got=$(json_field "$1" "$2")
  [ "$got" = "$3" ] || fail "$1: field $2 is '$got', want '$3' (record: $(cat "$1"))"
}

# b64_to_hex B64: lowercase hex of the decoded bytes.
b64_to_hex() {
  printf '%s' "$1" | base64 -d | od -An -v -tx1 | tr -d ' \n'
}

random_b64() {
  head -c "$1" /dev/urandom | base64 -w0
}

sha512_of() {
  sha512sum <"$1" | cut -d' ' -f1
}

size_of() {
  stat -c %s "$1"
}

# wrong_key_for CIPHERTEXT IV_B64: a random key with which openssl itself rejects CIPHERTEXT
# (bad padding). A random wrong key yields valid padding ~1 time in 256; this keeps tests exact.
wrong_key_for() {
  local k _
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    k=$(random_b64 32)
    if ! /usr/bin/openssl enc -d -aes-256-cbc -K "$(b64_to_hex "$k")" -iv "$(b64_to_hex "$2")" \
      -in "$1" -out /dev/null 2>/dev/null; then
      echo "$k"
      return 0
    fi
  done
  fail "could not find a key that openssl rejects for $1"
}

# ri_declared_services: the services named on this test's "# services: ..." line (in the comments
# that open it), the line tests/CMakeLists.txt reads to start them as ctest fixtures first.
ri_declared_services() {
  sed -n '/^[^#]/q; s/^# services:[[:space:]]*//p' "$0"
}

# use_service NAME: export the settings of the test server NAME (radosgw, azurite, tinyproxy,
# redis, sandbox, sandbox_az) from $RI_SERVICES_DIR/NAME/NAME.env, written by ctest's
# services.NAME.start fixture (scripts/services/NAME). A missing server is a failure, never a
# skip, and so is one the test does not declare: ctest would start it only by chance.
use_service() {
  case " $(ri_declared_services) " in
  *" $1 "*) ;;
  *) fail "use_service $1: $1 is not on this test's '# services:' line ($0)" ;;
  esac
  [ -n "${RI_SERVICES_DIR:-}" ] || fail "RI_SERVICES_DIR is not set (ctest sets it; the test needs service $1)"
  local env="$RI_SERVICES_DIR/$1/$1.env"
  [ -f "$env" ] || fail "service $1 is not running: no $env (the fixture services.$1.start must run first)"
  # shellcheck disable=SC1090
  source "$env"
  # Test servers are on loopback: no proxy from the environment (proxy tests set their own).
  unset HTTP_PROXY HTTPS_PROXY ALL_PROXY NO_PROXY http_proxy https_proxy all_proxy no_proxy
}

# s3_env: after use_service radosgw, point both ri and the real aws/rclone clients at the test
# server with the first user's keys (private config files under $T), and define `aws_` and
# `rclone_` wrappers. Creates nothing on the server.
s3_env() {
  unset AWS_PROFILE AWS_SESSION_TOKEN AWS_REGION AWS_DEFAULT_REGION
  export AWS_ACCESS_KEY_ID=$RI_S3_ACCESS_KEY AWS_SECRET_ACCESS_KEY=$RI_S3_SECRET_KEY
  export AWS_ENDPOINT_URL=$RI_S3_ENDPOINT AWS_REGION=$RI_S3_REGION
  export AWS_CONFIG_FILE=$T/aws-config AWS_SHARED_CREDENTIALS_FILE=$T/aws-credentials RCLONE_CONFIG=$T/rclone.conf
  printf '[default]\nregion = %s\n' "$RI_S3_REGION" >"$AWS_CONFIG_FILE"
  printf '[default]\naws_access_key_id = %s\naws_secret_access_key = %s\n' "$RI_S3_ACCESS_KEY" "$RI_S3_SECRET_KEY" \
    >"$AWS_SHARED_CREDENTIALS_FILE"
  printf '[rgw]\ntype = s3\nprovider = Other\naccess_key_id = %s\nsecret_access_key = %s\nendpoint = %s\nforce_path_style = true\n' \
    "$RI_S3_ACCESS_KEY" "$RI_S3_SECRET_KEY" "$RI_S3_ENDPOINT" >"$RCLONE_CONFIG"
}
aws_() { /usr/bin/aws --endpoint-url "$RI_S3_ENDPOINT" "$@"; }
rclone_() { env -u AWS_CA_BUNDLE rclone "$@"; }

# ri_remove_bucket ENDPOINT ACCESS_KEY SECRET_KEY BUCKET: remove BUCKET and its objects, if it is
# there. The server and keys are given, not read at exit: a test may point aws elsewhere later.
ri_remove_bucket() {
  AWS_ACCESS_KEY_ID=$2 AWS_SECRET_ACCESS_KEY=$3 AWS_SESSION_TOKEN='' \
    /usr/bin/aws --endpoint-url "$1" s3 rb --force "s3://$4" >/dev/null 2>&1 || true
}

# new_bucket PREFIX: create a uniquely named bucket with aws, removed with its objects at exit;
# its name is left in $BUCKET (not printed: a $(...) subshell would lose its registration).
new_bucket() {
  BUCKET="$1-$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')"
  ri_at_exit ri_remove_bucket "$RI_S3_ENDPOINT" "${AWS_ACCESS_KEY_ID:?s3_env first}" "$AWS_SECRET_ACCESS_KEY" "$BUCKET"
  aws_ s3 mb "s3://$BUCKET" >/dev/null || fail "could not create bucket $BUCKET"
}

# ri_start_service NAME DIR [VAR=VALUE...]: a private instance of scripts/services/NAME in DIR
# (for a test that kills, restarts or reconfigures it; the shared one serves other tests), its
# stop registered before it starts so that even a half-done start is undone. Its settings are in
# DIR/NAME.env; the start's output is in DIR.start.log.
ri_start_service() {
  local name=$1 dir=$2
  shift 2
  ri_at_exit ri_stop_service "$name" "$dir"
  env "$@" RI_BIN="$RI_BIN" "${RI_SOURCE_DIR:?}/scripts/services/$name" start "$dir" >"$dir.start.log" 2>&1 ||
    fail "private $name did not start in $dir: $(tail -20 "$dir.start.log")"
}
ri_stop_service() {
  "${RI_SOURCE_DIR:?}/scripts/services/$1" stop "$2" >/dev/null 2>&1
}

# state_count SQL: the single number SQL yields from ri's state database ($XDG_STATE_HOME/ri/state.db),
# 0 while the database does not exist yet. Tests watch resume progress with it.
state_count() {
  /usr/bin/python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()[0])' \
    "$XDG_STATE_HOME/ri/state.db" "$1" 2>/dev/null || echo 0
}

# kill_after_parts PID TABLE N: wait until the state database holds N rows in TABLE
# (upload_parts or download_parts) for the transfer PID is running, then kill -9 it. Fails if
# the transfer ends first (the test would prove nothing). Prints the rows confirmed at the kill.
kill_after_parts() {
  local pid=$1 table=$2 want=$3
  # One process polling every 10 ms: a fast upload (a part every ~80 ms here) finishes between
  # the polls of a loop that starts a new interpreter each time.
  /usr/bin/python3 - "$pid" "$XDG_STATE_HOME/ri/state.db" "$table" "$want" <<'PY' ||
import os, signal, sqlite3, sys, time
pid, db, table, want = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
def running(p):  # the transfer is the shell's child: once done it is a zombie until reaped
    try:
        return open(f"/proc/{p}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False
deadline = time.time() + 60
while time.time() < deadline:
    try:
        if sqlite3.connect(db).execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0] >= want:
            break
    except sqlite3.Error:
        pass
    if not running(pid):
        sys.exit(1)
    time.sleep(0.01)
if not running(pid):
    sys.exit(1)
os.kill(pid, signal.SIGKILL)
PY
    fail "the transfer finished before it could be killed"
  wait "$pid" 2>/dev/null || true
  state_count "SELECT COUNT(*) FROM $table"
}

# start_fault_server: the scripted HTTP server of tests/fixtures/http_fault_server.py on a free
# loopback port, stopped at exit; its base URL is left in $BASE and its pid in $SERVER.
start_fault_server() {
  python3 "${RI_SOURCE_DIR:?}/tests/fixtures/http_fault_server.py" --port-file "$T/port" >"$T/server.out" 2>&1 &
  SERVER=$!
  ri_at_exit ri_stop "$SERVER"
  local _
  for _ in $(seq 1 100); do
    [ -s "$T/port" ] && break
    kill -0 "$SERVER" 2>/dev/null || fail "the fault server died: $(cat "$T/server.out")"
    sleep 0.1
  done
  [ -s "$T/port" ] || fail "the fault server did not start: $(cat "$T/server.out")"
  # shellcheck disable=SC2034 # for the test that called it
  BASE="http://127.0.0.1:$(cat "$T/port")"
}
