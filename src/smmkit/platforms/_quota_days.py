"""What the daily quota counters share: the day a moment falls in, and counts per day.

Bilibili's submission limit (:mod:`._bilibili_quota`) and YouTube's quota units
(:mod:`._youtube_quota`) are both counted per local day of the platform (Beijing,
Pacific Time) in state that writers guard with a lock, that pickles without the lock
and that merges by adding counts (associative and commutative).
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from datetime import date, datetime, tzinfo
from typing import Any, Generic, TypeVar

from smmkit.models._base import require_aware

__all__ = ["DailyCounts", "local_day"]

K = TypeVar("K", bound=Hashable)


def local_day(now: datetime, zone: tzinfo) -> date:
    """The date ``now`` (timezone-aware) falls on in ``zone``.

    Example:
        >>> from datetime import timedelta, timezone
        >>> beijing = timezone(timedelta(hours=8))
        >>> local_day(datetime(2026, 3, 1, 16, 30, tzinfo=timezone.utc), beijing).isoformat()
        '2026-03-02'
    """
    require_aware(now, "now", "must be a timezone-aware datetime")
    return now.astimezone(zone).date()


class DailyCounts(Generic[K]):
    """Counts per key (a day, or a day and a bucket) and the keys the platform said are
    spent, with a lock for writers; pickles without the lock.

    Example:
        >>> import pickle
        >>> a, b = DailyCounts[str](), DailyCounts[str]()
        >>> a._used["mon"], b._used["mon"] = 2, 3
        >>> merged = DailyCounts[str]()
        >>> merged._add_counts(a, b)
        >>> pickle.loads(pickle.dumps(merged))._used
        {'mon': 5}
    """

    def __init__(self) -> None:
        self._used: dict[K, int] = {}
        self._spent: set[K] = set()  # keys the platform said are used up
        self._lock = threading.Lock()

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def _add_counts(self, *sources: DailyCounts[K]) -> None:
        """Add the counts and spent keys of ``sources`` to this (new) state."""
        for source in sources:
            for key, count in source._used.items():
                self._used[key] = self._used.get(key, 0) + count
            self._spent |= source._spent
