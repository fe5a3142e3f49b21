"""Newest-first listings the inbox fakes share: token pages and offset pages.

Platforms list mentions and comments newest first. Two pagination schemes occur:
a token that means "older than the last item of the previous page" (X, Bluesky,
Facebook's ``after`` cursor, YouTube's ``pageToken``), which new arrivals do not
disturb, and an offset (LinkedIn's ``start``/``count``), which new arrivals shift.
"""

from __future__ import annotations

from typing import Any


class Listing:
    """Items in order of arrival; pages newest first."""

    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

    def add(self, item: dict[str, Any]) -> dict[str, Any]:
        self.items.append(item)
        return item

    def by_token(
        self,
        limit: int,
        token: str | None,
        *,
        newer_than: int | None = None,
        match: Any = None,
    ) -> tuple[list[dict[str, Any]], str | None]:
        """A page below ``token`` (an item's position), newest first, and the next token."""
        chosen = [
            (n, i)
            for n, i in enumerate(self.items)
            if (match is None or match(i)) and (newer_than is None or n > newer_than)
        ]
        if token is not None:
            chosen = [(n, i) for n, i in chosen if n < int(token.removeprefix("t"))]
        chosen.reverse()
        page = chosen[:limit]
        more = len(chosen) > limit
        return [i for _, i in page], (f"t{page[-1][0]}" if more and page else None)

    def position(self, item_id: str, field: str = "id") -> int:
        return next(n for n, i in enumerate(self.items) if str(i[field]) == item_id)

    def by_offset(self, start: int, count: int, *, match: Any = None) -> list[dict[str, Any]]:
        """Items ``start`` to ``start + count`` of the newest-first list."""
        chosen = [i for i in reversed(self.items) if match is None or match(i)]
        return chosen[start : start + count]
