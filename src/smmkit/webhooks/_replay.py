"""Replay protection: a timestamp window plus a memory of recently seen nonces.

A signed callback stays valid forever as far as the signature is concerned, so anyone
who captured one (a log, a proxy) could send it again. Two checks stop that: the
timestamp must be within ``window_seconds`` of now, and the ``(timestamp, nonce)`` pair
must not have been seen inside that window. A nonce only has to be remembered until its
timestamp leaves the window, which keeps the memory bounded by traffic × window.
"""

from __future__ import annotations

import heapq
from datetime import datetime, timezone
from typing import Protocol, runtime_checkable

from smmkit.exceptions import InvalidInputError, MalformedPayloadError, ReplayError
from smmkit.webhooks._checks import require_int

__all__ = ["InMemoryNonceStore", "NonceStore", "ReplayGuard"]


def _epoch(now: datetime | None) -> int:
    if now is None:
        now = datetime.now(timezone.utc)
    if not isinstance(now, datetime):
        raise InvalidInputError.single("now", "must be an aware datetime", type(now).__name__)
    if now.tzinfo is None or now.tzinfo.utcoffset(now) is None:
        raise InvalidInputError.single("now", "must be timezone-aware", now.isoformat())
    seconds = int(now.timestamp())
    if seconds < 0:
        # Callback times are epoch seconds: WeChat's CreateTime cannot be negative.
        raise InvalidInputError.single("now", "must not be before 1970-01-01 UTC", now.isoformat())
    return seconds


@runtime_checkable
class NonceStore(Protocol):
    """Where seen nonces are remembered; implement it over Redis, a database, etc.

    ``remember`` must be atomic: it records ``key`` until ``expires_at`` (epoch seconds)
    and returns ``True`` if the key was new, ``False`` if it was already remembered and
    has not expired at ``now``. With Redis this is one ``SET key 1 NX EXAT expires_at``.

    Example:
        >>> isinstance(InMemoryNonceStore(), NonceStore)
        True
    """

    def remember(self, key: str, *, expires_at: int, now: int) -> bool:
        """Record ``key``; ``True`` when it was not already known (see the class docstring).

        Example:
            >>> InMemoryNonceStore().remember("k", expires_at=10, now=0)
            True
        """
        ...


class InMemoryNonceStore:
    """A bounded, picklable, mergeable nonce store for one process.

    At most ``max_entries`` keys are kept; expired keys go first, then, if traffic is
    higher than the bound allows, the keys closest to expiry (a key evicted early could
    be replayed until its timestamp leaves the window, so size the bound above
    callbacks-per-second × window). ``merge`` unions two stores with the same bound
    (latest expiry wins, then the bound): it is associative and commutative, so
    per-worker stores can be combined in any order.

    Example:
        >>> store = InMemoryNonceStore(max_entries=2)
        >>> store.remember("a", expires_at=100, now=0), store.remember("a", expires_at=100, now=1)
        (True, False)
        >>> store.remember("a", expires_at=200, now=150)  # expired, so new again
        True
        >>> other = InMemoryNonceStore(max_entries=2)
        >>> _ = other.remember("b", expires_at=300, now=0)
        >>> sorted(store.merge(other).keys())
        ['a', 'b']
    """

    __slots__ = ("_expiry", "_heap", "max_entries")

    def __init__(self, max_entries: int = 100_000) -> None:
        require_int(max_entries, "max_entries", 1)
        self.max_entries = max_entries
        self._expiry: dict[str, int] = {}
        # (expires_at, key) min-heap with lazy deletion: entries whose expiry no longer
        # matches _expiry are stale and skipped when popped.
        self._heap: list[tuple[int, str]] = []

    def __len__(self) -> int:
        return len(self._expiry)

    def __repr__(self) -> str:
        return f"InMemoryNonceStore(entries={len(self)}, max_entries={self.max_entries})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, InMemoryNonceStore):
            return NotImplemented
        return self.max_entries == other.max_entries and self._expiry == other._expiry

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __getstate__(self) -> tuple[int, dict[str, int]]:
        return self.max_entries, dict(self._expiry)

    def __setstate__(self, state: tuple[int, dict[str, int]]) -> None:
        self.max_entries, expiry = state
        self._expiry = {}
        self._heap = []
        for key, expires_at in expiry.items():
            self._put(key, expires_at)

    def keys(self) -> tuple[str, ...]:
        """The remembered keys (expired ones included until they are pruned).

        Example:
            >>> store = InMemoryNonceStore()
            >>> _ = store.remember("k", expires_at=10, now=0)
            >>> store.keys()
            ('k',)
        """
        return tuple(self._expiry)

    def remember(self, key: str, *, expires_at: int, now: int) -> bool:
        """Record ``key`` until ``expires_at``; ``False`` if it is already remembered.

        Example:
            >>> store = InMemoryNonceStore()
            >>> store.remember("k", expires_at=10, now=0), store.remember("k", expires_at=10, now=5)
            (True, False)
        """
        known = self._expiry.get(key)
        if known is not None and known > now:
            return False
        self._put(key, expires_at)
        self._prune(now)
        return True

    def prune(self, *, now: int) -> None:
        """Forget every key that expired at ``now`` (epoch seconds).

        Example:
            >>> store = InMemoryNonceStore()
            >>> _ = store.remember("k", expires_at=10, now=0)
            >>> store.prune(now=10)
            >>> len(store)
            0
        """
        self._prune(now)

    def merge(self, other: InMemoryNonceStore) -> InMemoryNonceStore:
        """Return a new store holding both stores' keys (latest expiry wins).

        Both stores must have the same ``max_entries``: merging stores truncated at
        different bounds would depend on the order of the merges.

        Example:
            >>> a, b = InMemoryNonceStore(), InMemoryNonceStore()
            >>> _ = a.remember("k", expires_at=10, now=0)
            >>> _ = b.remember("k", expires_at=20, now=0)
            >>> a.merge(b) == b.merge(a), a.merge(b).remember("k", expires_at=30, now=15)
            (True, False)
        """
        if self.max_entries != other.max_entries:
            raise InvalidInputError.single(
                "other.max_entries",
                f"must equal this store's max_entries ({self.max_entries})",
                other.max_entries,
            )
        merged = InMemoryNonceStore(self.max_entries)
        for source in (self._expiry, other._expiry):
            for key, expires_at in source.items():
                if merged._expiry.get(key, expires_at - 1) < expires_at:
                    merged._put(key, expires_at)
        merged._shrink()
        return merged

    def _put(self, key: str, expires_at: int) -> None:
        self._expiry[key] = expires_at
        heapq.heappush(self._heap, (expires_at, key))

    def _pop_earliest(self) -> tuple[int, str] | None:
        while self._heap:
            expires_at, key = heapq.heappop(self._heap)
            if self._expiry.get(key) == expires_at:
                return expires_at, key
        return None

    def _prune(self, now: int) -> None:
        while self._heap and self._heap[0][0] <= now:
            expires_at, key = heapq.heappop(self._heap)
            if self._expiry.get(key) == expires_at:
                del self._expiry[key]
        self._shrink()
        if len(self._heap) > 2 * len(self._expiry) + 64:
            # Too many stale heap entries (keys re-remembered): rebuild.
            self._heap = [(e, k) for k, e in self._expiry.items()]
            heapq.heapify(self._heap)

    def _shrink(self) -> None:
        while len(self._expiry) > self.max_entries:
            earliest = self._pop_earliest()
            if earliest is None:  # pragma: no cover - heap always covers _expiry
                break
            del self._expiry[earliest[1]]


class ReplayGuard:
    """Reject callbacks whose timestamp is outside a window or whose nonce was seen.

    ``window_seconds`` applies both ways (clock skew). ``store`` defaults to an
    :class:`InMemoryNonceStore`; share a :class:`NonceStore` over Redis or a database
    when several processes receive callbacks.

    Example:
        >>> from datetime import datetime, timezone
        >>> guard = ReplayGuard(window_seconds=300)
        >>> now = datetime.fromtimestamp(1714037100, timezone.utc)
        >>> guard.check("1714037059", "486452656", now=now)
        >>> guard.check("1714037059", "486452656", now=now)
        Traceback (most recent call last):
        ...
        smmkit.exceptions.ReplayError: nonce was already used (replayed callback)
    """

    __slots__ = ("store", "window_seconds")

    def __init__(self, window_seconds: int = 300, store: NonceStore | None = None) -> None:
        require_int(window_seconds, "window_seconds", 1)
        if store is not None and not isinstance(store, NonceStore):
            raise InvalidInputError.single(
                "store", "must be a NonceStore or None", type(store).__name__
            )
        self.window_seconds = window_seconds
        self.store: NonceStore = InMemoryNonceStore() if store is None else store

    def __repr__(self) -> str:
        return f"ReplayGuard(window_seconds={self.window_seconds}, store={self.store!r})"

    def check(
        self,
        timestamp: str | None,
        nonce: str | None,
        *,
        now: datetime | None = None,
        scope: str = "",
    ) -> None:
        """Accept a callback's ``timestamp`` and ``nonce`` once, inside the window.

        ``now`` defaults to the current UTC time. ``scope`` (e.g. the app id) keeps the
        nonces of several apps that share a store apart. Raises
        :class:`~smmkit.exceptions.ReplayError` or, for a missing or non-numeric
        timestamp, :class:`~smmkit.exceptions.MalformedPayloadError`.

        Example:
            >>> from datetime import datetime, timezone
            >>> ReplayGuard(window_seconds=60).check(
            ...     "1700000000", "1", now=datetime.fromtimestamp(1700000500, timezone.utc))
            Traceback (most recent call last):
            ...
            smmkit.exceptions.ReplayError: timestamp is 500 s old; the window is ±60 s
        """
        if (
            not timestamp
            or not (timestamp.isascii() and timestamp.isdigit())
            or len(timestamp) > 12
        ):
            raise MalformedPayloadError("timestamp is missing or not a number of seconds")
        if not nonce:
            raise MalformedPayloadError("nonce is missing")
        sent = int(timestamp)
        current = _epoch(now)
        if abs(current - sent) > self.window_seconds:
            age = current - sent
            when = f"{age} s old" if age >= 0 else f"{-age} s in the future"
            raise ReplayError(f"timestamp is {when}; the window is ±{self.window_seconds} s")
        key = f"{scope}\x1f{timestamp}\x1f{nonce}"
        if not self.store.remember(key, expires_at=sent + self.window_seconds + 1, now=current):
            raise ReplayError("nonce was already used (replayed callback)")
