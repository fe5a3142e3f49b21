"""Publishing by hand where no API exists: Zhihu, Xiaohongshu, WeChat Channels.

These platforms have no public publishing API (the "APIs" found online for Zhihu and
Xiaohongshu are reverse-engineered crawlers or fabrications; shipping them would break
terms of service and break weekly). :class:`ManualPublisher` turns an adapted post into
a ready-to-post package (text, media list, checklist), records the URL a person enters
after posting, and reads the creator center's CSV export into
:class:`~smmkit.models.MetricObservation` values. Nothing here does network I/O.
"""

from __future__ import annotations

import csv
import io
import os
import re
from datetime import datetime
from pathlib import Path

import httpx
from pydantic import Field

from smmkit.catalog import get_platform_spec
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import AwareDatetime, SmmkitModel
from smmkit.models.content import MediaAsset, PlatformPost
from smmkit.models.metrics import MetricObservation
from smmkit.platforms._manual_adapter import (
    MANUAL_STEPS,
    ManualAdapter,
    WeChatChannelsAdapter,
    XiaohongshuAdapter,
    ZhihuAdapter,
)
from smmkit.platforms._results import PublishReceipt, PublishStatus
from smmkit.platforms.publish import PublishResult, limit_problems

__all__ = [
    "CsvMapping",
    "DEFAULT_MAPPINGS",
    "MANUAL_PLATFORMS",
    "MANUAL_STEPS",
    "ManualAdapter",
    "ManualPackage",
    "ManualPublisher",
    "MetricImport",
    "RowError",
    "WeChatChannelsAdapter",
    "XiaohongshuAdapter",
    "ZhihuAdapter",
]

MANUAL_PLATFORMS = ("wechat_channels", "xiaohongshu", "zhihu")

_HOSTS: dict[str, tuple[str, ...]] = {
    "zhihu": ("zhihu.com",),
    "xiaohongshu": ("xiaohongshu.com", "xhslink.com"),
    "wechat_channels": ("channels.weixin.qq.com", "weixin.qq.com"),
}

_CHECKLISTS: dict[str, tuple[str, ...]] = {
    "zhihu": (
        "Choose the topics (话题) in the editor; Zhihu does not read inline hashtags",
        "Paste the body and check that headings and lists survived the editor",
        "Answer the question asked in the first paragraph (deep content earns trust)",
    ),
    "xiaohongshu": (
        "Put the cover image first; the first image decides the click",
        "Add the topics with the editor's # picker so they are stored as topics",
        "Links are not clickable: move any link to comments or the profile",
        "Keep the title short (about 20 characters)",
    ),
    "wechat_channels": (
        "Check the video length (3-5 minutes is the editorial sweet spot)",
        "Add the topics with # in the description",
        "Link the matching Official Account article or mini program, if any",
    ),
}


class CsvMapping(SmmkitModel):
    """How to read one platform's CSV export: which column is what.

    ``content_column`` identifies the content (title or link); ``metrics`` maps a
    column header to the metric name smmkit uses (``views``, ``likes``...). Headers
    are compared after stripping spaces. The defaults in :data:`DEFAULT_MAPPINGS`
    follow the creator centers' exports as of 2026 and are unverified: exports change,
    so pass your own mapping when a header differs.

    Example:
        >>> CsvMapping(content_column="title", metrics={"reads": "views"}).metrics["reads"]
        'views'
    """

    content_column: str = Field(min_length=1)
    metrics: dict[str, str] = Field(min_length=1)
    content_type: str | None = None


DEFAULT_MAPPINGS: dict[str, CsvMapping] = {
    "xiaohongshu": CsvMapping(
        content_column="笔记标题",
        metrics={
            "曝光": "impressions",
            "观看量": "views",
            "点赞": "likes",
            "评论": "comments",
            "收藏": "saves",
            "分享": "shares",
            "涨粉": "follows",
        },
        content_type="note",
    ),
    "zhihu": CsvMapping(
        content_column="内容标题",
        metrics={
            "阅读量": "views",
            "赞同": "likes",
            "评论": "comments",
            "收藏": "saves",
            "分享": "shares",
        },
        content_type="article",
    ),
    "wechat_channels": CsvMapping(
        content_column="视频描述",
        metrics={
            "播放量": "views",
            "点赞": "likes",
            "评论": "comments",
            "分享": "shares",
            "推荐": "recommends",
            "新增关注": "follows",
        },
        content_type="video",
    ),
}
"""Default column mappings per platform (see :class:`CsvMapping`)."""


class ManualPackage(SmmkitModel):
    """Everything a person needs to post by hand, and what to check while doing it."""

    platform: str
    piece_id: str
    title: str | None = None
    text: str
    media: tuple[MediaAsset, ...] = ()
    topics: tuple[str, ...] = ()
    checklist: tuple[str, ...]
    problems: tuple[str, ...] = ()

    def to_markdown(self) -> str:
        """The package as a Markdown sheet to hand to the person posting."""
        lines = [f"# {self.platform}: {self.piece_id}", ""]
        if self.problems:
            lines += ["**Fix first:**", *[f"- {p}" for p in self.problems], ""]
        if self.title:
            lines += ["## Title", "", self.title, ""]
        lines += ["## Text", "", self.text, ""]
        if self.topics:
            lines += ["## Topics", "", " ".join(f"#{t}" for t in self.topics), ""]
        if self.media:
            lines += ["## Media, in this order", ""]
            for number, asset in enumerate(self.media, start=1):
                alt = f" (alt: {asset.alt_text})" if asset.alt_text else ""
                lines.append(f"{number}. {asset.kind.value}: {asset.url}{alt}")
            lines.append("")
        lines += ["## Checklist", "", *[f"- [ ] {item}" for item in self.checklist]]
        return "\n".join(lines) + "\n"


class RowError(SmmkitModel):
    """One problem in one row (row 0 is the header) of an export."""

    row: int = Field(ge=0)
    column: str | None = None
    problem: str
    value: str | None = None


class MetricImport(SmmkitModel):
    """What an export yielded: observations, and every row problem (none is dropped)."""

    platform: str
    rows: int = Field(ge=0)
    observations: tuple[MetricObservation, ...]
    errors: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        """True when every cell was read."""
        return not self.errors


_NUMBER = re.compile(r"^([+-]?\d+(?:\.\d+)?)\s*(万|w|W|k|K|亿)?$")
_SCALE = {None: 1, "万": 10_000, "w": 10_000, "W": 10_000, "k": 1_000, "K": 1_000, "亿": 10**8}


def parse_count(text: str) -> float | None:
    """A count as exports write it: ``1,234``, ``1.2万``, ``3.4w``, ``12k``, ``5%``.

    Returns ``None`` for an empty cell or ``-`` (no data); raises ``ValueError`` for text.

    Example:
        >>> parse_count("1.2万"), parse_count("1,234"), parse_count("12.5%"), parse_count("-")
        (12000.0, 1234.0, 0.125, None)
    """
    cleaned = text.strip().replace(",", "").replace("，", "")
    if cleaned in ("", "-", "--", "—"):
        return None
    if cleaned.endswith("%"):
        return float(cleaned[:-1]) / 100
    match = _NUMBER.match(cleaned)
    if match is None:
        raise ValueError(f"not a number: {text!r}")
    return float(match.group(1)) * _SCALE[match.group(2)]


class ManualPublisher:
    """Render, record and ingest for a platform without a publishing API.

    Example:
        >>> from smmkit import PlatformPost
        >>> publisher = ManualPublisher("xiaohongshu")
        >>> post = PlatformPost(platform="xiaohongshu", piece_id="tea-1", title="冷泡茶",
        ...                     body="三分钟做好", tags=("办公室茶",))
        >>> package = publisher.render(post)
        >>> package.topics, len(package.checklist) > 3
        (('办公室茶',), True)
        >>> result = publisher.record_url(post, "https://www.xiaohongshu.com/explore/65f0c",
        ...     published_at=datetime(2026, 3, 1, tzinfo=__import__("datetime").timezone.utc))
        >>> result.ok, result.receipt.url
        (True, 'https://www.xiaohongshu.com/explore/65f0c')
    """

    def __init__(self, platform: str, *, mapping: CsvMapping | None = None) -> None:
        if platform not in MANUAL_PLATFORMS:
            raise InvalidInputError.single(
                "platform", f"must be one of {', '.join(MANUAL_PLATFORMS)}", platform
            )
        self.platform = platform
        self.spec = get_platform_spec(platform)
        self.mapping = mapping or DEFAULT_MAPPINGS[platform]

    def __repr__(self) -> str:
        return f"ManualPublisher({self.platform!r})"

    def render(self, post: PlatformPost) -> ManualPackage:
        """The ready-to-post package for ``post`` (adapted for this platform)."""
        if post.platform != self.platform:
            raise InvalidInputError.single(
                "post.platform", f"must be {self.platform!r}", post.platform
            )
        text = "\n\n".join(post.parts) if post.parts else post.body
        checklist = [
            *_CHECKLISTS[self.platform],
            *(f"Upload {a.kind.value} {i}: {a.url}" for i, a in enumerate(post.media, start=1)),
            "After posting, copy the post's URL and record it (ManualPublisher.record_url)",
        ]
        return ManualPackage(
            platform=self.platform,
            piece_id=post.piece_id,
            title=post.title,
            text=text,
            media=post.media,
            topics=post.tags,
            checklist=tuple(checklist),
            problems=limit_problems(self.spec, post),
        )

    def record_url(
        self, post: PlatformPost | ManualPackage, url: str, *, published_at: datetime
    ) -> PublishResult:
        """Record that a person published ``post`` at ``url``; checks the URL's host."""
        parsed = httpx.URL(url.strip())
        host = parsed.host or ""
        if parsed.scheme not in ("http", "https") or not any(
            host == h or host.endswith("." + h) for h in _HOSTS[self.platform]
        ):
            raise InvalidInputError.single(
                "url", f"is not a {self.platform} link ({', '.join(_HOSTS[self.platform])})", url
            )
        receipt = PublishReceipt(
            platform=self.platform,
            post_id=parsed.path.rstrip("/").rpartition("/")[2] or None,
            status=PublishStatus.PUBLISHED,
            url=str(parsed),
            published_at=published_at,
            detail="published by hand",
        )
        adapted = post if isinstance(post, PlatformPost) else None
        return PublishResult(
            platform=self.platform, piece_id=post.piece_id, post=adapted, receipt=receipt
        )

    def ingest_csv(
        self, text: str, *, period_start: AwareDatetime, period_end: AwareDatetime
    ) -> MetricImport:
        """Observations from the text of a CSV export covering ``period_start..period_end``.

        Every problem (a missing column, a cell that is not a number) becomes a
        :class:`RowError`; good cells of the same row are still read.
        """
        reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
        header = [h.strip() for h in next(reader, [])]
        errors: list[RowError] = []
        mapping = self.mapping
        if mapping.content_column not in header:
            errors.append(RowError(row=0, column=mapping.content_column, problem="column missing"))
            return MetricImport(
                platform=self.platform, rows=0, observations=(), errors=tuple(errors)
            )
        columns = {}
        for column, metric in mapping.metrics.items():
            if column in header:
                columns[header.index(column)] = (column, metric)
            else:
                errors.append(RowError(row=0, column=column, problem="column missing"))
        content_index = header.index(mapping.content_column)
        observations: list[MetricObservation] = []
        rows = 0
        for number, row in enumerate(reader, start=1):
            if not any(cell.strip() for cell in row):
                continue
            rows += 1
            if len(row) != len(header):
                errors.append(
                    RowError(row=number, problem=f"{len(row)} cells, header has {len(header)}")
                )
                continue
            content_id = row[content_index].strip()
            if not content_id:
                errors.append(RowError(row=number, column=mapping.content_column, problem="empty"))
                continue
            for index, (column, metric) in columns.items():
                try:
                    value = parse_count(row[index])
                except ValueError:
                    errors.append(
                        RowError(
                            row=number, column=column, problem="not a number", value=row[index][:60]
                        )
                    )
                    continue
                if value is None:
                    continue
                observations.append(
                    MetricObservation(
                        metric=metric,
                        value=value,
                        platform=self.platform,
                        period_start=period_start,
                        period_end=period_end,
                        content_id=content_id,
                        content_type=mapping.content_type,
                    )
                )
        return MetricImport(
            platform=self.platform,
            rows=rows,
            observations=tuple(observations),
            errors=tuple(errors),
        )

    def ingest_csv_file(
        self,
        path: str | os.PathLike[str],
        *,
        period_start: AwareDatetime,
        period_end: AwareDatetime,
        encoding: str = "utf-8-sig",
    ) -> MetricImport:
        """Like :meth:`ingest_csv`, reading ``path`` (use ``encoding="gbk"`` for old exports)."""
        text = Path(path).read_text(encoding=encoding)
        return self.ingest_csv(text, period_start=period_start, period_end=period_end)
