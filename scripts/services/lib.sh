# shellcheck shell=bash
# Shared by the test-service scripts beside it (radosgw, azurite, tinyproxy, redis). Sourced, not run.
#
# Every service lives in one directory DIR that it owns: config, data, logs, one NAME.pid per
# process it started ("PID EXE"), and SERVICE.env, the shell exports the tests source. Nothing
# outside DIR is written except package installs and the Azurite npm cache under the build dir.
# Daemons run detached (own session, stdin /dev/null, output to DIR/NAME.out) so that ctest,
# which waits for a test's pipes to close, does not wait for them.
#
# A script sets SVC (its name) and defines svc_start, svc_stop and svc_healthy, then calls
# svc_main "$@".

# shellcheck source=scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib/common.sh"

SVC_STARTED_OK=0

svc_log() { printf '==> %s [%ss]: %s\n' "$SVC" "$SECONDS" "$*" >&2; }

svc_die() {
    printf '%s: error: %s\n' "$SVC" "$*" >&2
    exit 1
}

# ri_ensure_packages, one at a time machine-wide: ctest -j starts several services at once,
# and two apt-get runs at once fail on dpkg's lock instead of waiting for it.
svc_ensure_packages() {
    [ -z "$(ri_missing_packages "$@")" ] && return 0
    (
        flock -w 900 8 || svc_die "waited 900 s for another package install (/tmp/ri-packages.lock)"
        ri_ensure_packages "$@"
    ) 8>/tmp/ri-packages.lock
}

# A TCP port on 127.0.0.1 that nothing listens on right now. Callers retry on collision.
svc_free_port() {
    /usr/bin/python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# A random string of N characters from an alphabet safe in URLs, INI files and shell quotes.
svc_random() {
    /usr/bin/python3 -c 'import secrets, string, sys
alphabet = sys.argv[2] if len(sys.argv) > 2 else string.ascii_letters + string.digits
print("".join(secrets.choice(alphabet) for _ in range(int(sys.argv[1]))))' "$@"
}

# svc_spawn NAME CMD...: run CMD detached, remember its pid and executable in DIR/NAME.pid.
# fd 9 (DIR/.lock) is closed for it: a daemon holding the lock would block every later command.
svc_spawn() {
    local name=$1 exe
    shift
    exe=$(readlink -f "$(command -v "$1")") || svc_die "$1 not found"
    setsid "$@" </dev/null >>"$DIR/$name.out" 2>&1 9>&- &
    local pid=$! i now
    disown "$pid" # no "Killed" notice from this shell when stop ends it
    echo "$pid $exe" >"$DIR/$name.pid"
    # Until the forked shell has exec'd the program, the pid does not run EXE yet.
    for ((i = 0; i < 50; i++)); do
        now=$(readlink "/proc/$pid/exe" 2>/dev/null) || true
        [ "$now" = "$exe" ] || [ -z "$now" ] && break
        sleep 0.1
    done
}

# svc_pid NAME: prints the pid if DIR/NAME.pid names a live process running the recorded
# executable (not a zombie, not a recycled pid); fails otherwise.
svc_pid() {
    local f="$DIR/$1.pid" pid exe
    [ -f "$f" ] || return 1
    read -r pid exe <"$f" || return 1
    [ -n "$pid" ] && [ "$(readlink "/proc/$pid/exe" 2>/dev/null)" = "$exe" ] || return 1
    echo "$pid"
}

svc_alive() { svc_pid "$1" >/dev/null; }

# svc_kill NAME [SIGNAL] [SECONDS]: signal the recorded process, wait for it to go, then SIGKILL.
svc_kill() {
    local name=$1 sig=${2:-TERM} secs=${3:-15} pid i
    pid=$(svc_pid "$name") || { rm -f "$DIR/$name.pid"; return 0; }
    kill -s "$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < secs * 10; i++)); do
        svc_alive "$name" || break
        sleep 0.1
    done
    if svc_alive "$name"; then
        svc_log "$name (pid $pid) still running after ${secs}s; sending KILL"
        kill -s KILL "$pid" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            svc_alive "$name" || break
            sleep 0.1
        done
        svc_alive "$name" && svc_die "$name (pid $pid) did not exit"
    fi
    rm -f "$DIR/$name.pid"
}

# svc_wait SECONDS NAME CMD...: poll CMD every 0.2 s until it succeeds. False after SECONDS,
# or at once when the process NAME started (svc_spawn) has died: its log says why.
svc_wait() {
    local deadline=$((SECONDS + $1)) name=$2
    shift 2
    until "$@" >/dev/null 2>&1; do
        svc_alive "$name" || { svc_log "$name exited"; return 1; }
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.2
    done
}

# svc_http_code URL [CURL ARGS...]: the HTTP status of a GET, or 000 if nothing answered.
svc_http_code() {
    local url=$1
    shift
    curl -s -o /dev/null -w '%{http_code}' --noproxy '*' --max-time 5 "$@" "$url" || true
}

# svc_http_up URL: something speaks HTTP at URL (any status).
svc_http_up() { [ "$(svc_http_code "$1")" != 000 ]; }

# svc_write_env NAME=VALUE...: DIR/SVC.env as single-quoted exports, readable only by the owner
# (it holds credentials), written atomically so a reader never sees half of it.
svc_write_env() {
    local kv tmp="$DIR/.$SVC.env.tmp"
    (
        umask 077
        : >"$tmp"
        for kv in "$@"; do
            case ${kv#*=} in *"'"*) svc_die "value of ${kv%%=*} contains a single quote" ;; esac
            printf "export %s='%s'\n" "${kv%%=*}" "${kv#*=}" >>"$tmp"
        done
    )
    mv -f "$tmp" "$DIR/$SVC.env"
}

# Print the tail of every log in DIR: what a failed start leaves for the reader.
svc_log_tails() {
    local f
    for f in "$DIR"/*.out "$DIR"/*.log "$DIR"/log/*.log; do
        [ -s "$f" ] || continue
        printf -- '----- last lines of %s -----\n' "$f" >&2
        tail -n 40 "$f" >&2
    done
}

# Stop what DIR's pid files name, then remove everything in DIR. Safe to run on anything.
svc_stop_all() {
    local f name
    [ -d "$DIR" ] || return 0
    svc_stop
    for f in "$DIR"/*.pid; do
        [ -e "$f" ] || continue
        name=$(basename "$f" .pid)
        svc_kill "$name"
    done
    find "$DIR" -mindepth 1 -maxdepth 1 ! -name .lock -exec rm -rf {} +
}

svc_on_start_exit() {
    local rc=$?
    [ "$SVC_STARTED_OK" = 1 ] && return 0
    [ "$rc" = 0 ] && rc=1
    svc_log "start failed (exit $rc); log tails follow, then everything started is stopped"
    svc_log_tails
    svc_stop_all || true
    exit "$rc"
}

svc_usage() {
    echo "usage: $0 start DIR | stop DIR | env DIR" >&2
    exit 64
}

svc_main() {
    [ $# -eq 2 ] || svc_usage
    local cmd=$1
    mkdir -p "$2"
    DIR=$(cd "$2" && pwd)
    # One command at a time per DIR (ctest may run a start and a stop close together).
    exec 9>"$DIR/.lock"
    flock -w 600 9 || svc_die "could not lock $DIR/.lock within 600 s"
    case $cmd in
    start)
        if [ -f "$DIR/$SVC.env" ] && svc_healthy; then
            svc_log "already running and healthy in $DIR; reusing it"
            return 0
        fi
        svc_stop_all # whatever a crashed or interrupted earlier run left behind
        trap svc_on_start_exit EXIT
        local t0=$SECONDS
        svc_start
        svc_healthy || svc_die "started but the health check fails"
        SVC_STARTED_OK=1
        trap - EXIT
        svc_log "ready in $((SECONDS - t0)) s; environment in $DIR/$SVC.env"
        ;;
    stop)
        svc_stop_all
        ;;
    env)
        [ -f "$DIR/$SVC.env" ] || svc_die "not running: no $DIR/$SVC.env"
        cat "$DIR/$SVC.env"
        ;;
    *) svc_usage ;;
    esac
}
