"""Fixtures for platform tests: every client scenario runs on both drivers.

The loopback-only socket guard lives in the top-level ``tests/conftest.py`` (autouse
for the whole suite); ``test_network_guard_is_active`` in this package proves it is on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from smmkit.platforms import SandboxPlatform, SimulatedClock
from smmkit.testing import drive


class Driver:
    """Builds the sync or async client for a sandbox and runs calls on it."""

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def client(self, sandbox: SandboxPlatform, **options: Any) -> Any:
        if self.kind == "sync":
            return sandbox.client(**options)
        return sandbox.async_client(**options)

    def __call__(self, client: Any, call: Callable[[Any], Any]) -> Any:
        return drive(self.kind, client, call)

    def __repr__(self) -> str:
        return self.kind


@pytest.fixture(params=["sync", "async"])
def driver(request: pytest.FixtureRequest) -> Driver:
    """Each test using this fixture runs once per driver."""
    return Driver(request.param)


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    """The driver's name, for tests that build clients with ``smmkit.testing.client_for``."""
    return str(request.param)


@pytest.fixture
def clock() -> SimulatedClock:
    return SimulatedClock()


@pytest.fixture
def sandbox(clock: SimulatedClock) -> SandboxPlatform:
    return SandboxPlatform(clock=clock)
