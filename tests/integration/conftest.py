"""Fixtures the integration tests share: the addresses of the servers they run against.

The servers are started by scripts/integration/ (see .ci/run); a test whose server is
not configured skips.
"""

from __future__ import annotations

import os

import pytest


@pytest.fixture(scope="module")
def pds_url() -> str:
    """The Bluesky PDS (``SMMKIT_BSKY_URL``); skips the module's tests when unset."""
    url = os.environ.get("SMMKIT_BSKY_URL", "")
    if not url:
        pytest.skip("SMMKIT_BSKY_URL is not set: start the PDS with scripts/integration/")
    return url
