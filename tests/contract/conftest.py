"""Contract tests: requests checked against the platforms' own OpenAPI documents.

The OpenAPI documents live outside the repository, in ``../shared/contracts`` from its
root; a clone without them skips the tests that need them, saying so.
"""

from __future__ import annotations

import pytest
from tests.contract._openapi import contracts_dir

_ABSENT = (
    f"the OpenAPI contracts are not in this checkout ({contracts_dir()} is absent): "
    "they are reference data kept beside the repository, not part of it"
)


@pytest.fixture
def contracts_present() -> None:
    """Skip (saying why) when ``../shared/contracts`` is absent; the OpenAPI-based modules
    use it on every test (``pytestmark``)."""
    if not contracts_dir().is_dir():
        pytest.skip(_ABSENT)


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    """The driver's name (the client suites run here on both drivers, as in tests/platforms)."""
    return str(request.param)
