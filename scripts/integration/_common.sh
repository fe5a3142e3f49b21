# Shared helpers for the integration-server scripts (sourced, not run).
# Conventions: progress goes to stderr; stdout carries only `export VAR=value` lines,
# so `out=$(bash scripts/integration/start-X.sh) && eval "$out"` sets them in the caller.
# Each script also writes them to $SMMKIT_IT_DIR/<server>/env.sh for other shells.

SMMKIT_REPO=${SMMKIT_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
# Everything installed or written at run time lives outside the repo, so a clone stays clean
# and a warm machine reuses node22, node_modules and the mock's venv.
SMMKIT_IT_DIR=${SMMKIT_IT_DIR:-/tmp/smmkit-it}

log() { echo "[$(basename "$0" .sh)] $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# True when the pid in file $1 is alive and its command line contains $2
# (guards against a recycled pid belonging to an unrelated process).
pid_alive() {
  local pidfile=$1 pattern=$2 pid
  [ -f "$pidfile" ] || return 1
  pid=$(cat "$pidfile")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$pattern"
}

# Stop the process recorded in pid file $1 (only if it matches pattern $2): TERM, then KILL.
stop_pid() {
  local pidfile=$1 pattern=$2 pid i
  if pid_alive "$pidfile" "$pattern"; then
    pid=$(cat "$pidfile")
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 50); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid ignored SIGTERM for 5 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    log "stopped pid $pid"
  fi
  rm -f "$pidfile"
}

# Wait until command "$2..." succeeds, at most $1 half-second steps; fail fast if the
# server in pid file $PIDFILE died meanwhile (its log $LOGFILE is printed).
wait_ready() {
  local steps=$1 i; shift
  for i in $(seq 1 "$steps"); do
    "$@" && return 0
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      tail -n 60 "$LOGFILE" >&2 || true
      die "server exited before it was ready (log: $LOGFILE)"
    fi
    sleep 0.5
  done
  tail -n 60 "$LOGFILE" >&2 || true
  die "server not ready after $((steps / 2)) s (log: $LOGFILE)"
}

# Run "$@" and log how long it took (bash 5's EPOCHREALTIME: no bc/awk needed).
timed() {
  local t0=${EPOCHREALTIME/./} t1 rc=0
  "$@" || rc=$?
  t1=${EPOCHREALTIME/./}
  log "$(printf '%s: %d.%01d s' "$1" $(((t1 - t0) / 1000000)) $((((t1 - t0) / 100000) % 10)))"
  return "$rc"
}
