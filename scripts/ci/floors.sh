#!/usr/bin/env bash
# Dependency floors are true: install the lowest declared version of every core
# dependency (pyproject.toml [project] dependencies, read by scripts/ci/floors.py) in a
# virtual environment of its own, with the test extra's tools at whatever versions
# resolve beside them, and run the unit tests of models, content, text, catalog and
# platforms (no integration servers, no benchmarks). Takes about a minute or two.
#
# Usage: bash scripts/ci/floors.sh   (from anywhere; SMMKIT_FLOORS_VENV picks the venv)
set -euo pipefail
cd "$(dirname "$0")/../.."
export PIP_DISABLE_PIP_VERSION_CHECK=1 PYTHONDONTWRITEBYTECODE=1

# This machine's pip config names local mirrors that may be absent; drop that noise only.
floor_pip() {
    "$FLOORS_VENV/bin/python" -m pip "$@" 2>&1 \
        | { grep -v "is ignored: it is neither a file nor a directory" || true; }
    return "${PIPESTATUS[0]}"
}

FLOORS_VENV="${SMMKIT_FLOORS_VENV:-$(mktemp -d)/floors-venv}"
python3 -m venv --clear "$FLOORS_VENV"
floor_pip install -q --upgrade pip
# smmkit's own metadata first (no dependencies), so the floors come from this checkout
floor_pip install -q packaging
floor_pip install -q --no-deps -e .
PINS="$(mktemp -d)/floors.txt"
"$FLOORS_VENV/bin/python" scripts/ci/floors.py > "$PINS"
echo "floors: $(tr '\n' ' ' < "$PINS")"
floor_pip install -q -c "$PINS" -e '.[test]'
"$FLOORS_VENV/bin/python" scripts/ci/floors.py --check
floor_pip check

# typing_extensions at its floor holds anyio (httpx's dependency) at an old release whose
# pytest plugin imports a name pytest 10 removes; that warning is not smmkit's, and the
# filter is for this run only (pyproject's filterwarnings = error stays for the rest).
"$FLOORS_VENV/bin/python" -m pytest -q -p no:cacheprovider \
    -m "not integration and not slow" \
    -W "ignore:_pytest.python.CallSpec2 has been renamed:pytest.PytestRemovedIn10Warning" \
    tests/models tests/content tests/text tests/catalog tests/platforms \
    tests/test_portability.py
