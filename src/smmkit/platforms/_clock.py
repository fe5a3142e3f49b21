"""Clocks the drivers, the rate limiter and the sandbox read time from.

Time is injected so that tests never sleep: a :class:`SimulatedClock` moves only
when somebody sleeps on it, deterministically, and the sandbox server shares it
with the client, so a ``Retry-After: 30`` costs nothing but is still honoured.
"""

from __future__ import annotations

import asyncio
import threading
import time
from datetime import datetime, timezone
from typing import Protocol, runtime_checkable

from smmkit.exceptions import InvalidInputError

__all__ = ["Clock", "SimulatedClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """What a driver needs from time: read it, and wait (sync or async)."""

    def time(self) -> float:
        """Seconds since the Unix epoch (wall clock, for reset headers)."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (for pacing and deadlines)."""

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""

    async def asleep(self, seconds: float) -> None:
        """Wait for ``seconds`` without blocking the event loop."""


class SystemClock:
    """The real clock: ``time.time``, ``time.monotonic``, ``time.sleep``, ``asyncio.sleep``.

    Example:
        >>> SystemClock().time() > 1_700_000_000
        True
    """

    def time(self) -> float:
        """Seconds since the epoch."""
        return time.time()

    def monotonic(self) -> float:
        """Monotonic seconds."""
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        """Block for ``seconds``."""
        if seconds > 0:
            time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """Yield to the event loop for ``seconds``."""
        await asyncio.sleep(max(seconds, 0.0))

    def __repr__(self) -> str:
        return "SystemClock()"


class SimulatedClock:
    """A deterministic clock that only moves when something sleeps on it.

    Overlapping sleeps of concurrent tasks do not add up: each sleeper moves the
    clock to *its* wake-up time (never backwards), as real concurrent waits would.

    Example:
        >>> from datetime import datetime, timezone
        >>> clock = SimulatedClock(datetime(2026, 1, 1, tzinfo=timezone.utc))
        >>> clock.sleep(30)
        >>> clock.now().isoformat()
        '2026-01-01T00:00:30+00:00'
        >>> clock.slept
        30.0
    """

    def __init__(self, start: datetime | None = None) -> None:
        start = start or datetime(2026, 1, 1, tzinfo=timezone.utc)
        if not isinstance(start, datetime) or start.tzinfo is None or start.utcoffset() is None:
            raise InvalidInputError.single("start", "must be a timezone-aware datetime", start)
        self._now = start.timestamp()
        self._lock = threading.Lock()
        self.slept = 0.0
        """Total seconds requested by all sleepers (a measure of politeness)."""

    def time(self) -> float:
        """Simulated seconds since the epoch."""
        return self._now

    def monotonic(self) -> float:
        """Same as :meth:`time`: the simulated clock never goes back."""
        return self._now

    def now(self) -> datetime:
        """The simulated time as an aware UTC datetime."""
        return datetime.fromtimestamp(self._now, tz=timezone.utc)

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds`` (what a test does to let time pass)."""
        with self._lock:
            self._now += max(seconds, 0.0)

    def _wake_at(self, target: float, seconds: float) -> None:
        with self._lock:
            self.slept += max(seconds, 0.0)
            self._now = max(self._now, target)

    def sleep(self, seconds: float) -> None:
        """Return at once, with the clock moved to the wake-up time."""
        self._wake_at(self._now + max(seconds, 0.0), seconds)

    async def asleep(self, seconds: float) -> None:
        """Let other tasks run once, then wake with the clock at the wake-up time."""
        target = self._now + max(seconds, 0.0)
        await asyncio.sleep(0)
        self._wake_at(target, seconds)

    def __repr__(self) -> str:
        return f"SimulatedClock({self.now().isoformat()})"
