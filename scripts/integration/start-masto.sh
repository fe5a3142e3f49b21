#!/usr/bin/env bash
# Install (once) and start mastodon-mock 0.6.1 (a stateful Mastodon-API fake) on 127.0.0.1.
#
#   out=$(bash scripts/integration/start-masto.sh) && eval "$out"
#   # sets SMMKIT_MASTO_URL, SMMKIT_MASTO_TOKEN (alice) and SMMKIT_MASTO_TOKEN_2 (bob)
#
# (Assign first, then eval: a bare eval "$(...)" would hide a failed start under set -e.)
#
# Idempotent: a healthy mock started earlier by this script is reused. The mock is
# installed in its own venv, so its pytest plugin and FastAPI stack never enter the
# project's test environment. State is in memory: each (re)start is the clean seed.
# Knobs: SMMKIT_IT_DIR (/tmp/smmkit-it), SMMKIT_MASTO_PORT (3000), SMMKIT_IT_PYTHON (python3).
set -euo pipefail
# shellcheck source=_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

MOCK_VERSION=0.6.1
PORT=${SMMKIT_MASTO_PORT:-3000}
SRC="$SMMKIT_REPO/tests/integration/masto"
DIR="$SMMKIT_IT_DIR/masto"
VENV="$DIR/venv"
PIDFILE="$DIR/masto.pid"
LOGFILE="$DIR/masto.log"
URL="http://127.0.0.1:$PORT"

emit() {
  local lines="export SMMKIT_MASTO_URL=$URL
export SMMKIT_MASTO_TOKEN=alice_token
export SMMKIT_MASTO_TOKEN_2=bob_token"
  echo "$lines"
  echo "$lines" > "$DIR/env.sh"
}
healthy() { curl -sf --max-time 2 "$URL/api/v1/instance" >/dev/null; }

mkdir -p "$DIR"
if pid_alive "$PIDFILE" mastodon_mock && healthy; then
  log "already running (pid $(cat "$PIDFILE")) at $URL"
  emit
  exit 0
fi
rm -f "$PIDFILE"
port_busy "$PORT" && die "127.0.0.1:$PORT is taken by another process; set SMMKIT_MASTO_PORT"

# pip's output without this image's "find-links location is ignored" noise; pip's own
# exit status is kept (PIPESTATUS), grep finding nothing to print is not a failure.
pip_quiet() {
  "$VENV/bin/pip" "$@" 2>&1 | { grep -v 'is ignored: it is neither a file nor a directory' || true; } >&2
  return "${PIPESTATUS[0]}"
}

# Reinstall only when the pinned set changes (the stamp is the hash of the constraints).
stamp=$(sha256sum "$SRC/constraints.txt" | cut -c1-16)-$MOCK_VERSION
if [ ! -x "$VENV/bin/mastodon_mock" ] || [ "$(cat "$VENV/.installed" 2>/dev/null)" != "$stamp" ]; then
  log "installing mastodon-mock==$MOCK_VERSION into $VENV"
  rm -rf "$VENV"
  timed "${SMMKIT_IT_PYTHON:-python3}" -m venv "$VENV"
  # Pinned transitive deps (constraints.txt): a new FastAPI release must not change CI.
  timed pip_quiet install -q --disable-pip-version-check \
    -c "$SRC/constraints.txt" "mastodon-mock==$MOCK_VERSION"
  echo "$stamp" > "$VENV/.installed"
fi

log "starting mastodon-mock on $URL"
t0=${EPOCHREALTIME/./}
# Flags override the committed config's host/port/domain, so URLs in responses follow
# SMMKIT_MASTO_PORT; --in-memory makes every start the clean seed.
( cd "$DIR" && exec setsid "$VENV/bin/mastodon_mock" serve --config "$SRC/mock.toml" \
    --host 127.0.0.1 --port "$PORT" --domain "127.0.0.1:$PORT" --in-memory --log-level warning ) \
  > "$LOGFILE" 2>&1 < /dev/null &
echo $! > "$PIDFILE"
wait_ready 120 healthy
t1=${EPOCHREALTIME/./}
log "ready after $(((t1 - t0) / 1000)) ms (pid $(cat "$PIDFILE"), log $LOGFILE)"
emit
