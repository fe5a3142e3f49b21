#!/usr/bin/env bash
# Stop the integration servers started by start-bsky.sh / start-masto.sh (by their pid
# files only; never by process name). Safe to run when nothing is running.
set -euo pipefail
# shellcheck source=_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

stop_pid "$SMMKIT_IT_DIR/bsky/pds.pid" run-pds.mjs
stop_pid "$SMMKIT_IT_DIR/masto/masto.pid" mastodon_mock
rm -f "$SMMKIT_IT_DIR/bsky/env.sh" "$SMMKIT_IT_DIR/masto/env.sh"
