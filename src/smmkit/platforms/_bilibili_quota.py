"""Bilibili's daily submission limit, counted per Beijing day in mergeable state.

Bilibili documents one figure: a non-regular member (非正式会员) submits at most 5
archives a day, until the member passes the main site's quiz (视频稿件提交,
https://apifox.com/apidoc/docs-site/1106400/api-23706538, read 2026-12-07). No API
reports what is left, so :class:`SubmissionQuota` counts the submissions this process
saw and refuses one past the limit before anything is sent; its state merges
(``merge`` adds two counts: associative and commutative) and pickles, so the counts of
several workers can be combined.
"""

from __future__ import annotations

from datetime import date, datetime

from smmkit.exceptions import InvalidInputError, RateLimitError
from smmkit.platforms._bilibili_wire import BEIJING, seconds_to_beijing_midnight
from smmkit.platforms._quota_days import DailyCounts, local_day

__all__ = ["NON_REGULAR_DAILY_LIMIT", "BilibiliDailyLimitError", "SubmissionQuota"]

NON_REGULAR_DAILY_LIMIT = 5
"""Archives a non-regular member may submit a day (Bilibili's documented figure)."""


class BilibiliDailyLimitError(RateLimitError):
    """The day's submissions are used up; ``retry_after`` runs to midnight in Beijing.

    Raised before the submission, so nothing was sent (``outcome_unknown`` is ``False``).
    """


def beijing_day(now: datetime) -> date:
    """The day ``now`` falls in, in Beijing.

    Example:
        >>> from datetime import timezone
        >>> beijing_day(datetime(2026, 3, 1, 16, 30, tzinfo=timezone.utc)).isoformat()
        '2026-03-02'
    """
    return local_day(now, BEIJING)


class SubmissionQuota(DailyCounts[date]):
    """Submissions per Beijing day, against ``daily_limit`` (``None``: no limit, for a
    regular member, 正式会员).

    Example:
        >>> from datetime import timezone
        >>> now = datetime(2026, 3, 2, 4, tzinfo=timezone.utc)
        >>> quota = SubmissionQuota(daily_limit=2)
        >>> quota.charge(now=now); quota.remaining(now=now)
        1
        >>> quota.merge(SubmissionQuota(daily_limit=2)).used(now=now)
        1
    """

    def __init__(self, *, daily_limit: int | None = NON_REGULAR_DAILY_LIMIT) -> None:
        if daily_limit is not None and (
            isinstance(daily_limit, bool) or not isinstance(daily_limit, int) or daily_limit < 0
        ):
            raise InvalidInputError.single(
                "daily_limit", "must be an int >= 0 or None", daily_limit
            )
        super().__init__()  # counts per Beijing day; spent: days Bilibili said so
        self.daily_limit = daily_limit

    def __repr__(self) -> str:
        return f"SubmissionQuota(daily_limit={self.daily_limit!r}, days={len(self._used)})"

    def used(self, *, now: datetime) -> int:
        """Submissions counted on ``now``'s Beijing day."""
        return self._used.get(beijing_day(now), 0)

    def remaining(self, *, now: datetime) -> int | None:
        """Submissions left today (``None``: no limit; 0 once Bilibili said so)."""
        day = beijing_day(now)
        if day in self._spent:
            return 0
        if self.daily_limit is None:
            return None
        return max(0, self.daily_limit - self._used.get(day, 0))

    def check(self, *, now: datetime) -> None:
        """Raise :class:`BilibiliDailyLimitError` when no submission is left today."""
        left = self.remaining(now=now)
        if left is not None and left <= 0:
            raise BilibiliDailyLimitError(
                f"the day's Bilibili submissions are used up ({self.used(now=now)} of "
                f"{self.daily_limit}); the limit resets at midnight Beijing time; "
                "nothing was sent",
                platform="bilibili",
                code="daily_limit",
                retry_after=seconds_to_beijing_midnight(now.timestamp()),
                outcome_unknown=False,
                retries_exhausted=True,
            )

    def charge(self, *, now: datetime) -> None:
        """Count one submission (one that went through)."""
        with self._lock:
            day = beijing_day(now)
            self._used[day] = self._used.get(day, 0) + 1

    def spent_out(self, *, now: datetime) -> None:
        """Record that Bilibili refused a submission for the day's limit."""
        with self._lock:
            self._spent.add(beijing_day(now))

    def merge(self, other: SubmissionQuota) -> SubmissionQuota:
        """A quota holding both counts (same ``daily_limit`` required).

        Example:
            >>> from datetime import timezone
            >>> now = datetime(2026, 3, 2, 4, tzinfo=timezone.utc)
            >>> a, b = SubmissionQuota(), SubmissionQuota()
            >>> a.charge(now=now); b.charge(now=now)
            >>> a.merge(b).remaining(now=now)
            3
        """
        if not isinstance(other, SubmissionQuota):
            raise InvalidInputError.single(
                "other", "must be a SubmissionQuota", type(other).__name__
            )
        if other.daily_limit != self.daily_limit:
            raise InvalidInputError.single("other", "has another daily_limit; cannot merge")
        merged = SubmissionQuota(daily_limit=self.daily_limit)
        merged._add_counts(self, other)
        return merged
