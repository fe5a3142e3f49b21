"""Notebook helpers shared by result types: pandas frames and HTML tables.

pandas is an optional extra, imported only when a frame is asked for; the HTML is
plain and escaped, so results render in Jupyter without any extra. The row builders
(:func:`calendar_rows`, :func:`adapt_rows`) need no pandas: the ``smmkit`` command
prints the same rows as JSON.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta, timezone
from html import escape
from typing import TYPE_CHECKING, Any

from smmkit.exceptions import InvalidInputError, MissingExtraError

if TYPE_CHECKING:
    from smmkit.content import AdaptAllResult
    from smmkit.content.calendar import ContentCalendar
    from smmkit.models import MetricObservation

__all__ = [
    "ADAPT_COLUMNS",
    "CALENDAR_COLUMNS",
    "OBSERVATION_COLUMNS",
    "adapt_frame",
    "adapt_rows",
    "calendar_frame",
    "calendar_rows",
    "html_table",
    "observations_frame",
    "records_frame",
    "require_pandas",
    "utc_offset",
    "zone_name",
]

CALENDAR_COLUMNS = (
    "id",
    "piece_id",
    "platform",
    "account",
    "at",
    "tz",
    "at_utc",
    "state",
    "paused_by",
    "series",
    "title",
)
"""Columns of ``ContentCalendar.to_frame()`` (see :func:`calendar_rows`)."""

ADAPT_COLUMNS = (
    "platform",
    "ok",
    "unit",
    "length",
    "limit",
    "parts",
    "notes",
    "error_code",
    "error",
)
"""Columns of ``AdaptAllResult.to_frame()`` (see :func:`adapt_rows`)."""

OBSERVATION_COLUMNS = (
    "metric",
    "value",
    "platform",
    "content_id",
    "period_start",
    "period_end",
)
"""The first columns of :func:`observations_frame`; the model's other fields follow."""


def require_pandas() -> Any:
    """The pandas module, or :class:`~smmkit.exceptions.MissingExtraError` naming the extra.

    Example:
        >>> require_pandas().__name__
        'pandas'
    """
    try:
        import pandas as pd
    except ImportError:
        raise MissingExtraError("pandas", extra="pandas") from None
    return pd


def records_frame(records: Iterable[Mapping[str, Any]], columns: Sequence[str]) -> Any:
    """A pandas DataFrame from row mappings, with ``columns`` in that order.

    Raises :class:`~smmkit.exceptions.MissingExtraError` naming the ``pandas`` extra
    when pandas is not installed.

    Example:
        >>> frame = records_frame([{"a": 1, "b": "x"}], ["a", "b"])
        >>> list(frame.columns), int(frame["a"][0])
        (['a', 'b'], 1)
    """
    return require_pandas().DataFrame.from_records(
        [dict(r) for r in records], columns=list(columns)
    )


def _utc_columns(frame: Any, *names: str) -> Any:
    """``frame`` with the named columns as pandas UTC datetimes (also when empty)."""
    pd = require_pandas()
    for name in names:
        frame[name] = pd.to_datetime(frame[name], utc=True)
    return frame


def zone_name(moment: datetime) -> str | None:
    """The IANA name of ``moment``'s zone, else its UTC offset as ``+08:00``.

    JSON keeps offsets, not zone names: a time read from JSON reports its offset.

    Example:
        >>> from datetime import timedelta, timezone
        >>> from zoneinfo import ZoneInfo
        >>> zone_name(datetime(2026, 1, 1, tzinfo=ZoneInfo("Asia/Shanghai")))
        'Asia/Shanghai'
        >>> zone_name(datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=-5))))
        '-05:00'
    """
    key = getattr(moment.tzinfo, "key", None)
    return key if isinstance(key, str) else utc_offset(moment)


def utc_offset(moment: datetime) -> str | None:
    """``moment``'s UTC offset as ``+08:00`` (``None`` for a naive time).

    Example:
        >>> from zoneinfo import ZoneInfo
        >>> utc_offset(datetime(2026, 7, 1, tzinfo=ZoneInfo("America/New_York")))
        '-04:00'
    """
    offset = moment.utcoffset()
    if offset is None:
        return None
    sign = "-" if offset < timedelta(0) else "+"
    minutes = abs(int(offset.total_seconds())) // 60
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def calendar_rows(calendar: ContentCalendar) -> list[dict[str, Any]]:
    """One mapping per entry, in time order, keyed by :data:`CALENDAR_COLUMNS`.

    ``at`` is the entry's time in its own zone, ``tz`` that zone's name, ``at_utc`` the
    same instant in UTC; ``state`` is the workflow state (``draft`` before any step).

    Example:
        >>> from smmkit.content.calendar import CalendarEntry, ContentCalendar
        >>> from zoneinfo import ZoneInfo
        >>> e = CalendarEntry(id="e1", piece_id="tea", platform="douyin",
        ...                   at=datetime(2026, 6, 1, 15, tzinfo=ZoneInfo("Asia/Shanghai")))
        >>> row = calendar_rows(ContentCalendar().add(e))[0]
        >>> row["tz"], row["at_utc"].hour, row["state"]
        ('Asia/Shanghai', 7, 'draft')
    """
    return [
        {
            "id": e.id,
            "piece_id": e.piece_id,
            "platform": e.platform,
            "account": e.account,
            "at": e.at,
            "tz": zone_name(e.at),
            "at_utc": e.at.astimezone(timezone.utc),
            "state": e.state.value,
            "paused_by": e.paused_by,
            "series": e.series,
            "title": e.title,
        }
        for e in calendar.entries
    ]


def calendar_frame(calendar: ContentCalendar) -> Any:
    """A pandas DataFrame of :func:`calendar_rows` (``at_utc`` as UTC datetimes).

    ``at`` keeps each entry's own zone: a pandas datetime column when every entry
    shares one zone, Python datetimes otherwise. Raises
    :class:`~smmkit.exceptions.MissingExtraError` naming the ``pandas`` extra when pandas
    is not installed.

    Example:
        >>> from smmkit.content.calendar import ContentCalendar
        >>> list(calendar_frame(ContentCalendar()).columns)[:4]
        ['id', 'piece_id', 'platform', 'account']
    """
    return _utc_columns(records_frame(calendar_rows(calendar), CALENDAR_COLUMNS), "at_utc")


def adapt_rows(result: AdaptAllResult) -> list[dict[str, Any]]:
    """One mapping per platform, keyed by :data:`ADAPT_COLUMNS`: posts, then refusals.

    ``length`` is in the platform's ``unit`` against its ``limit`` (``None``: no
    limit); for a thread it is the longest part. ``parts`` is the number of posts
    published (1 without a thread), ``notes`` the number of adaptation notes. A
    platform that refused the piece has ``ok`` false, its ``error_code`` and ``error``.

    Example:
        >>> from smmkit.content import adapt_all
        >>> from smmkit.models import ContentPiece
        >>> rows = adapt_rows(adapt_all(ContentPiece(id="p", body="下午茶"), ["weibo", "myspace"]))
        >>> [(r["platform"], r["ok"], r["length"], r["limit"]) for r in rows]
        [('weibo', True, 3, 140), ('myspace', False, None, None)]
    """
    from smmkit.text._count import measure

    rows: list[dict[str, Any]] = []
    for post in result.posts:
        counted = [measure(text, post.platform) for text in (post.parts or (post.body,))]
        longest = max(counted, key=lambda m: m.length)
        rows.append(
            {
                "platform": post.platform,
                "ok": True,
                "unit": longest.unit.value,
                "length": longest.length,
                "limit": longest.limit,
                "parts": len(post.parts) or 1,
                "notes": len(post.notes),
                "error_code": None,
                "error": None,
            }
        )
    rows.extend(
        {
            "platform": err.platform,
            "ok": False,
            "unit": None,
            "length": None,
            "limit": None,
            "parts": 0,
            "notes": 0,
            "error_code": err.code,
            "error": err.message,
        }
        for err in result.errors
    )
    return rows


def adapt_frame(result: AdaptAllResult) -> Any:
    """A pandas DataFrame of :func:`adapt_rows`.

    Raises :class:`~smmkit.exceptions.MissingExtraError` naming the ``pandas`` extra
    when pandas is not installed.

    Example:
        >>> from smmkit.content import adapt_all
        >>> from smmkit.models import ContentPiece
        >>> adapt_frame(adapt_all(ContentPiece(id="p", body="hi"), ["x"]))["ok"].tolist()
        [True]
    """
    return records_frame(adapt_rows(result), ADAPT_COLUMNS)


def observations_frame(observations: Iterable[MetricObservation]) -> Any:
    """Metric observations as a pandas DataFrame, one row per observation, in order.

    The columns are ``metric``, ``value``, ``platform``, ``content_id``,
    ``period_start`` and ``period_end``, then every other field of
    :class:`~smmkit.models.MetricObservation` (``content_type``, ``campaign``...).
    The period columns are pandas UTC datetimes, so frames from any zone line up.

    Anything but an iterable of observations raises
    :class:`~smmkit.exceptions.InvalidInputError` naming ``observations`` (or the item,
    ``observations[i]``); a missing pandas raises
    :class:`~smmkit.exceptions.MissingExtraError` naming the ``pandas`` extra.

    Example:
        >>> from datetime import datetime, timedelta, timezone
        >>> from smmkit.analytics import observations_frame
        >>> from smmkit.models import MetricObservation
        >>> t0 = datetime(2026, 5, 1, tzinfo=timezone.utc)
        >>> t1 = datetime(2026, 6, 1, tzinfo=timezone.utc)
        >>> frame = observations_frame([
        ...     MetricObservation(metric="impressions", value=1200, platform="xiaohongshu",
        ...                       period_start=t0, period_end=t1, content_id="tea-1"),
        ...     MetricObservation(metric="likes", value=85, platform="xiaohongshu",
        ...                       period_start=t0, period_end=t1, content_id="tea-1"),
        ... ])
        >>> " ".join(frame.columns[:6])
        'metric value platform content_id period_start period_end'
        >>> wide = frame.pivot_table(index="content_id", columns="metric", values="value")
        >>> float(wide.loc["tea-1", "likes"]), str(frame["period_start"].dt.tz)
        (85.0, 'UTC')
    """
    from smmkit.models import MetricObservation

    if isinstance(observations, (str, bytes, Mapping)) or not isinstance(observations, Iterable):
        raise InvalidInputError.single(
            "observations", "must be an iterable of MetricObservation", type(observations).__name__
        )
    items = list(observations)
    for i, item in enumerate(items):
        if not isinstance(item, MetricObservation):
            raise InvalidInputError.single(
                f"observations[{i}]", "must be a MetricObservation", type(item).__name__
            )
    rest = tuple(f for f in MetricObservation.model_fields if f not in OBSERVATION_COLUMNS)
    columns = (*OBSERVATION_COLUMNS, *rest)
    rows = (dict(item) for item in items)
    frame = records_frame(rows, columns)
    return _utc_columns(frame, "period_start", "period_end")


# Exported by smmkit.analytics: report that path, as _public.set_public_module does for
# objects defined inside a package (doctest then collects the example there).
observations_frame.__module__ = "smmkit.analytics"


def html_table(caption: str, headers: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """An escaped HTML table for ``_repr_html_``.

    Example:
        >>> html_table("t", ["a"], [["<b>"]])
        '<table><caption>t</caption><tr><th>a</th></tr><tr><td>&lt;b&gt;</td></tr></table>'
    """
    head = "".join(f"<th>{escape(str(h))}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><caption>{escape(caption)}</caption><tr>{head}</tr>{body}</table>"
