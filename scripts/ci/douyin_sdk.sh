#!/usr/bin/env bash
# Install ByteDance's Douyin SDK (@open-dy/open_api_sdk, pinned) into .cache/douyin-sdk,
# where tests/contract/test_douyin_sdk.py reads its operation definitions (paths, methods,
# field names and types) to check every request the Douyin client builds.
#
# Usage: bash scripts/ci/douyin_sdk.sh [cache-dir]   (default: <repo>/.cache/douyin-sdk)
# Without npm it says so and exits 0: the contract tests then skip, naming the reason.
set -euo pipefail

VERSION="1.1.0"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
DEST="${1:-$ROOT/.cache/douyin-sdk}"
PACKAGE="$DEST/node_modules/@open-dy/open_api_sdk/package.json"

if [ -f "$PACKAGE" ] && grep -q "\"version\": \"$VERSION\"" "$PACKAGE"; then
    echo "douyin_sdk: @open-dy/open_api_sdk $VERSION already in $DEST"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "douyin_sdk: npm not found; the Douyin SDK contract tests will skip" >&2
    exit 0
fi
mkdir -p "$DEST"
# --ignore-scripts: only the package's files are needed, nothing of it runs
npm install --prefix "$DEST" --no-audit --no-fund --ignore-scripts --no-save \
    "@open-dy/open_api_sdk@$VERSION"
echo "douyin_sdk: installed @open-dy/open_api_sdk $VERSION in $DEST"
