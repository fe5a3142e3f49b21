"""Replay protection: the timestamp window, the nonce memory and its mergeable store."""

from __future__ import annotations

import pickle
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from smmkit.exceptions import InvalidInputError, MalformedPayloadError, ReplayError
from smmkit.webhooks import InMemoryNonceStore, NonceStore, ReplayGuard

T = 1_700_000_000


def at(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, timezone.utc)


@pytest.mark.parametrize(
    ("offset", "ok"),
    [(0, True), (300, True), (-300, True), (301, False), (-301, False), (86_400, False)],
)
def test_timestamp_window(offset: int, ok: bool) -> None:
    guard = ReplayGuard(window_seconds=300)
    now = at(T + offset)
    if ok:
        guard.check(str(T), "n1", now=now)
    else:
        with pytest.raises(ReplayError, match="window"):
            guard.check(str(T), "n1", now=now)


def test_same_nonce_twice_is_a_replay_until_the_window_passes() -> None:
    guard = ReplayGuard(window_seconds=60)
    guard.check(str(T), "n", now=at(T))
    with pytest.raises(ReplayError, match="already used"):
        guard.check(str(T), "n", now=at(T + 30))
    # a different nonce, or the same nonce with another timestamp, is a different request
    guard.check(str(T), "m", now=at(T + 30))
    guard.check(str(T + 1), "n", now=at(T + 30))


def test_scope_separates_apps_sharing_a_store() -> None:
    store = InMemoryNonceStore()
    a, b = ReplayGuard(store=store), ReplayGuard(store=store)
    a.check(str(T), "n", now=at(T), scope="wx_a")
    b.check(str(T), "n", now=at(T), scope="wx_b")
    with pytest.raises(ReplayError):
        b.check(str(T), "n", now=at(T), scope="wx_b")


@pytest.mark.parametrize(
    ("timestamp", "nonce"),
    [
        ("", "n"),
        (None, "n"),
        ("12a", "n"),
        ("1" * 13, "n"),
        ("²", "n"),  # a digit to str.isdigit(), not to int()
        ("١٧٠٠٠٠٠٠٠٠", "n"),  # Arabic-Indic digits: not POSIX seconds on the wire
        (str(T), ""),
        (str(T), None),
    ],
)
def test_missing_or_malformed_values(timestamp: str | None, nonce: str | None) -> None:
    with pytest.raises(MalformedPayloadError):
        ReplayGuard().check(timestamp, nonce, now=at(T))


def test_now_must_be_aware() -> None:
    with pytest.raises(InvalidInputError, match="now"):
        ReplayGuard().check(str(T), "n", now=datetime(2023, 11, 14, 22, 13, 20))


def test_now_in_any_zone() -> None:
    shanghai = timezone(timedelta(hours=8))
    ReplayGuard().check(str(T), "n", now=at(T).astimezone(shanghai))


def test_bad_settings() -> None:
    with pytest.raises(InvalidInputError, match="window_seconds"):
        ReplayGuard(window_seconds=0)
    with pytest.raises(InvalidInputError, match="max_entries"):
        InMemoryNonceStore(max_entries=0)


def test_in_memory_store_satisfies_the_protocol() -> None:
    assert isinstance(InMemoryNonceStore(), NonceStore)


class DictStore:
    """A user-supplied store (as a Redis SET NX EXAT would behave)."""

    def __init__(self) -> None:
        self.data: dict[str, int] = {}

    def remember(self, key: str, *, expires_at: int, now: int) -> bool:
        if self.data.get(key, 0) > now:
            return False
        self.data[key] = expires_at
        return True


def test_pluggable_store() -> None:
    store = DictStore()
    guard = ReplayGuard(window_seconds=10, store=store)
    guard.check(str(T), "n", now=at(T))
    assert len(store.data) == 1
    assert next(iter(store.data.values())) == T + 11  # remembered just past the window
    with pytest.raises(ReplayError):
        guard.check(str(T), "n", now=at(T + 5))


# --- the in-memory store --------------------------------------------------------------------


def test_expired_keys_are_pruned() -> None:
    store = InMemoryNonceStore()
    for i in range(10):
        store.remember(f"k{i}", expires_at=100 + i, now=0)
    store.prune(now=104)
    assert sorted(store.keys()) == [f"k{i}" for i in range(5, 10)]


def test_bound_evicts_soonest_expiring() -> None:
    store = InMemoryNonceStore(max_entries=3)
    for i, exp in enumerate([50, 10, 40, 30]):
        store.remember(f"k{i}", expires_at=exp, now=0)
    assert len(store) == 3
    assert "k1" not in set(store.keys())  # expires at 10: the first to go


def test_rememebering_again_after_expiry_extends() -> None:
    store = InMemoryNonceStore(max_entries=2)
    assert store.remember("a", expires_at=10, now=0)
    assert store.remember("a", expires_at=30, now=20)
    assert not store.remember("a", expires_at=40, now=25)
    store.prune(now=25)
    assert store.keys() == ("a",)


def test_heap_does_not_grow_without_bound_when_keys_are_refreshed() -> None:
    store = InMemoryNonceStore(max_entries=5)
    for t in range(1000):
        store.remember("same", expires_at=t + 1, now=t)
    assert len(store) == 1
    assert len(store._heap) < 200


def test_pickle_round_trip_keeps_behaviour() -> None:
    store = InMemoryNonceStore(max_entries=7)
    store.remember("a", expires_at=100, now=0)
    clone = pickle.loads(pickle.dumps(store))
    assert clone == store
    assert not clone.remember("a", expires_at=100, now=1)
    assert clone.max_entries == 7


def test_guard_with_default_store_pickles() -> None:
    guard = ReplayGuard(window_seconds=30)
    guard.check(str(T), "n", now=at(T))
    clone = pickle.loads(pickle.dumps(guard))
    with pytest.raises(ReplayError):
        clone.check(str(T), "n", now=at(T))


entries = st.dictionaries(st.sampled_from("abcdefgh"), st.integers(0, 50), max_size=8)


def build(data: dict[str, int], cap: int) -> InMemoryNonceStore:
    store = InMemoryNonceStore(max_entries=cap)
    for key, exp in data.items():
        store.remember(key, expires_at=exp, now=-1)
    return store


@given(entries, entries, entries, st.integers(1, 6))
def test_merge_is_associative_and_commutative(
    a: dict[str, int], b: dict[str, int], c: dict[str, int], cap: int
) -> None:
    x, y, z = build(a, cap), build(b, cap), build(c, cap)
    assert x.merge(y) == y.merge(x)
    assert x.merge(y).merge(z) == x.merge(y.merge(z))


@given(entries, entries)
def test_merge_keeps_latest_expiry_and_respects_bound(a: dict[str, int], b: dict[str, int]) -> None:
    x, y = build(a, 100), build(b, 100)
    merged = x.merge(y)
    for key in set(a) | set(b):
        assert merged._expiry[key] == max(a.get(key, -1), b.get(key, -1))
    small = build(a, 2).merge(build(b, 2))
    assert len(small) <= 2


def test_merge_needs_equal_bounds() -> None:
    with pytest.raises(InvalidInputError, match="max_entries"):
        InMemoryNonceStore(max_entries=2).merge(InMemoryNonceStore(max_entries=3))


def test_merge_does_not_change_inputs() -> None:
    x, y = build({"a": 1}, 5), build({"b": 2}, 5)
    x.merge(y)
    assert x.keys() == ("a",) and y.keys() == ("b",)


def test_merged_store_still_blocks_replays_from_either_worker() -> None:
    w1, w2 = InMemoryNonceStore(), InMemoryNonceStore()
    ReplayGuard(store=w1).check(str(T), "n1", now=at(T))
    ReplayGuard(store=w2).check(str(T), "n2", now=at(T))
    guard = ReplayGuard(store=w1.merge(w2))
    for nonce in ("n1", "n2"):
        with pytest.raises(ReplayError):
            guard.check(str(T), nonce, now=at(T + 1))
