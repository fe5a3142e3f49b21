"""The scenario calendar: festivals, solar terms, commerce dates, gaokao, Western holidays.

And the campaign scenarios of the playbook (festival, hot topic, product) that a
planner attaches to calendar entries.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, timezone
from enum import Enum

from pydantic import Field, model_validator

from smmkit.content.calendar._lunar import _check_year, from_lunar
from smmkit.content.calendar._recurrence import zone as iana_zone
from smmkit.content.calendar._solar_terms import solar_terms
from smmkit.exceptions import InvalidInputError
from smmkit.models._base import AwareDatetime, FieldValueError, SmmkitModel, require_aware

__all__ = [
    "CampaignScenario",
    "Occasion",
    "OccasionKind",
    "ScenarioKind",
    "chinese_festivals",
    "commerce_dates",
    "easter",
    "festival_scenario",
    "gaokao",
    "occasions",
    "occasions_between",
    "western_holidays",
]


class OccasionKind(str, Enum):
    """What kind of date an occasion is.

    Example:
        >>> OccasionKind("solar_term") is OccasionKind.SOLAR_TERM
        True
    """

    CHINESE_FESTIVAL = "chinese_festival"
    SOLAR_TERM = "solar_term"
    COMMERCE = "commerce"
    EXAM = "exam"
    WESTERN_HOLIDAY = "western_holiday"


class Occasion(SmmkitModel):
    """A date worth planning content around.

    ``last_day`` is set for occasions that last several days (gaokao).

    Example:
        >>> spring = chinese_festivals(2026)[1]
        >>> spring.key, spring.name_zh, spring.day.isoformat()
        ('spring_festival', '春节', '2026-02-17')
    """

    key: str = Field(min_length=1, description="Stable identifier, e.g. 'mid_autumn'.")
    name: str = Field(min_length=1, description="English name.")
    name_zh: str | None = None
    day: date
    last_day: date | None = None
    kind: OccasionKind
    note: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Occasion:
        if self.last_day is not None and self.last_day < self.day:
            raise FieldValueError("last_day", "must not be before day", self.last_day)
        return self

    @property
    def days(self) -> tuple[date, ...]:
        """Every day the occasion covers."""
        end = self.last_day or self.day
        return tuple(self.day + timedelta(days=i) for i in range((end - self.day).days + 1))


def _occ(
    key: str, name: str, name_zh: str | None, day: date, kind: OccasionKind, **more: object
) -> Occasion:
    return Occasion(key=key, name=name, name_zh=name_zh, day=day, kind=kind, **more)


_LUNAR_FESTIVALS: tuple[tuple[str, str, str, int, int], ...] = (
    ("spring_festival", "Spring Festival", "春节", 1, 1),
    ("lantern", "Lantern Festival", "元宵节", 1, 15),
    ("dragon_boat", "Dragon Boat Festival", "端午节", 5, 5),
    ("qixi", "Qixi Festival", "七夕", 7, 7),
    ("mid_autumn", "Mid-Autumn Festival", "中秋节", 8, 15),
    ("double_ninth", "Double Ninth Festival", "重阳节", 9, 9),
)


def chinese_festivals(year: int) -> tuple[Occasion, ...]:
    """The traditional festivals in Gregorian ``year`` (1901–2099), computed, in date order.

    New Year's Eve (除夕), Spring Festival, Lantern, Qingming (the solar term's day),
    Dragon Boat, Qixi, Mid-Autumn and Double Ninth. All but Qingming are lunar dates of
    lunar ``year``, converted with :func:`from_lunar`.

    Example:
        >>> [(o.key, o.day.isoformat()) for o in chinese_festivals(2025)][-2:]
        [('mid_autumn', '2025-10-06'), ('double_ninth', '2025-10-29')]
    """
    _check_year(year)
    kind = OccasionKind.CHINESE_FESTIVAL
    spring = from_lunar(year, 1, 1)
    found = [_occ("new_years_eve", "Chinese New Year's Eve", "除夕", spring - timedelta(1), kind)]
    found += [
        _occ(key, name, zh, from_lunar(year, month, day), kind)
        for key, name, zh, month, day in _LUNAR_FESTIVALS
    ]
    qingming = next(t for t in solar_terms(year) if t.longitude == 15)
    found.append(_occ("qingming", "Qingming Festival", "清明节", qingming.day, kind))
    return tuple(sorted(found, key=lambda o: o.day))


def _year(year: object) -> None:
    """An int year a ``date`` can hold (1..9999)."""
    if isinstance(year, bool) or not isinstance(year, int):
        raise InvalidInputError.single("year", "must be an integer", year)
    if not 1 <= year <= 9999:
        raise InvalidInputError.single("year", "must be in 1..9999", year)


def commerce_dates(year: int) -> tuple[Occasion, ...]:
    """China's e-commerce dates: 520, 618, Double 11 and Double 12.

    Example:
        >>> [o.name_zh for o in commerce_dates(2026)]
        ['520', '618', '双十一', '双十二']
    """
    _year(year)
    kind = OccasionKind.COMMERCE
    return (
        _occ("520", "520 (online Valentine's Day)", "520", date(year, 5, 20), kind),
        _occ("618", "618 shopping festival", "618", date(year, 6, 18), kind),
        _occ("double_11", "Double 11 (Singles' Day)", "双十一", date(year, 11, 11), kind),
        _occ("double_12", "Double 12", "双十二", date(year, 12, 12), kind),
    )


def gaokao(year: int) -> Occasion:
    """The national college entrance exam (高考): June 7–8 since 2003, July 7–9 1979–2002.

    Many provinces add subjects on June 9–10; ``last_day`` is the nationally unified part.

    Example:
        >>> exam = gaokao(2026)
        >>> exam.day.isoformat(), exam.last_day.isoformat()
        ('2026-06-07', '2026-06-08')
    """
    _year(year)
    if year < 1979:
        raise InvalidInputError.single(
            "year", "must be in 1979..9999: gaokao dates are known from 1979 on", year
        )
    if year >= 2003:
        day, last = date(year, 6, 7), date(year, 6, 8)
    else:
        day, last = date(year, 7, 7), date(year, 7, 9)
    return _occ(
        "gaokao",
        "Gaokao (college entrance exam)",
        "高考",
        day,
        OccasionKind.EXAM,
        last_day=last,
        note="hot-topic season: memories, good-luck wishes; avoid noisy campaigns",
    )


def easter(year: int) -> date:
    """Western (Gregorian) Easter Sunday, by the anonymous Gregorian computus.

    Example:
        >>> easter(2026).isoformat(), easter(2038).isoformat()
        ('2026-04-05', '2038-04-25')
    """
    _year(year)
    if not 1583 <= year <= 9999:
        raise InvalidInputError.single("year", "must be in 1583..9999 (Gregorian)", year)
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _nth_weekday(year: int, month: int, weekday: int, n: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (n - 1))


def western_holidays(year: int) -> tuple[Occasion, ...]:
    """Major Western holidays: New Year, Valentine's, Easter, Mother's Day (US),
    Thanksgiving (US), Black Friday and Christmas.

    Example:
        >>> [(o.key, o.day.isoformat()) for o in western_holidays(2026)][3:5]
        [('mothers_day_us', '2026-05-10'), ('thanksgiving_us', '2026-11-26')]
    """
    easter(year)  # the year's checks: an int in 1583..9999
    kind = OccasionKind.WESTERN_HOLIDAY
    thanksgiving = _nth_weekday(year, 11, 3, 4)
    return (
        _occ("new_year", "New Year's Day", "元旦", date(year, 1, 1), kind),
        _occ("valentines", "Valentine's Day", "情人节", date(year, 2, 14), kind),
        _occ("easter", "Easter Sunday", "复活节", easter(year), kind),
        _occ("mothers_day_us", "Mother's Day (US)", "母亲节", _nth_weekday(year, 5, 6, 2), kind),
        _occ("thanksgiving_us", "Thanksgiving (US)", "感恩节", thanksgiving, kind),
        _occ("black_friday", "Black Friday", "黑色星期五", thanksgiving + timedelta(1), kind),
        _occ("christmas", "Christmas Day", "圣诞节", date(year, 12, 25), kind),
    )


def _solar_term_occasions(year: int) -> tuple[Occasion, ...]:
    return tuple(
        _occ(
            f"solar_term_{t.longitude}",
            t.name_en,
            t.name,
            t.day,
            OccasionKind.SOLAR_TERM,
            note=f"exact moment {t.at.isoformat()}",
        )
        for t in solar_terms(year)
    )


def occasions(year: int, kinds: Iterable[OccasionKind | str] | None = None) -> tuple[Occasion, ...]:
    """Every occasion of Gregorian ``year`` (1901–2099), in date order; filter by ``kinds``.

    Example:
        >>> [o.key for o in occasions(2026, kinds=["commerce", "exam"])]
        ['520', 'gaokao', '618', 'double_11', 'double_12']
    """
    _year(year)
    wanted = _kinds(kinds)
    found: list[Occasion] = []
    if OccasionKind.CHINESE_FESTIVAL in wanted:
        found += chinese_festivals(year)
    if OccasionKind.SOLAR_TERM in wanted:
        _check_year(year)
        found += _solar_term_occasions(year)
    if OccasionKind.COMMERCE in wanted:
        found += commerce_dates(year)
    if OccasionKind.EXAM in wanted and year >= 1979:
        found.append(gaokao(year))
    if OccasionKind.WESTERN_HOLIDAY in wanted:
        found += western_holidays(year)
    return tuple(sorted(found, key=lambda o: (o.day, o.kind.value, o.key)))


def occasions_between(
    start: date, end: date, kinds: Iterable[OccasionKind | str] | None = None
) -> tuple[Occasion, ...]:
    """Occasions whose first day is in ``[start, end)``, in date order.

    ``start`` and ``end`` are dates; a datetime is refused (its day depends on its zone:
    pass ``moment.date()`` or ``moment.astimezone(zone).date()``).

    Example:
        >>> from datetime import date
        >>> [o.key for o in occasions_between(date(2026, 9, 20), date(2026, 10, 1),
        ...                                   kinds=["chinese_festival", "solar_term"])]
        ['solar_term_180', 'mid_autumn']
    """
    for name, value in (("start", start), ("end", end)):
        if isinstance(value, datetime) or not isinstance(value, date):
            raise InvalidInputError.single(name, "must be a date (not a datetime)", value)
    if end < start:
        raise InvalidInputError.single("end", "must not be before start", end)
    wanted = tuple(_kinds(kinds))
    return tuple(
        o
        for year in range(start.year, end.year + 1)
        for o in occasions(year, wanted)
        if start <= o.day < end
    )


def _kinds(kinds: Iterable[OccasionKind | str] | None) -> set[OccasionKind]:
    if kinds is None:
        return set(OccasionKind)
    if isinstance(kinds, (str, bytes)) or not isinstance(kinds, Iterable):
        raise InvalidInputError.single(
            "kinds", "must be a list of occasion kinds or None", type(kinds).__name__
        )
    try:
        return {OccasionKind(k) for k in kinds}
    except (ValueError, TypeError) as exc:
        raise InvalidInputError.single("kinds", str(exc), kinds) from None


class ScenarioKind(str, Enum):
    """The playbook's three campaign scenarios.

    Example:
        >>> [k.value for k in ScenarioKind]
        ['festival', 'hot_topic', 'product']
    """

    FESTIVAL = "festival"  # e.g. a Valentine's story contest
    HOT_TOPIC = "hot_topic"  # e.g. gaokao memories
    PRODUCT = "product"  # e.g. a hidden-feature challenge


class CampaignScenario(SmmkitModel):
    """A campaign that calendar entries belong to.

    A festival scenario names its :class:`Occasion`; ``start``/``end`` bound the run
    (``end`` exclusive). Attach it to entries with ``ContentCalendar.attach``.

    Example:
        >>> from datetime import datetime, timezone
        >>> s = CampaignScenario(id="hidden-feature", kind="product",
        ...     name="Hidden-feature challenge", topic="#隐藏功能挑战#",
        ...     start=datetime(2026, 3, 1, tzinfo=timezone.utc),
        ...     end=datetime(2026, 3, 15, tzinfo=timezone.utc))
        >>> s.kind.value
        'product'
    """

    id: str = Field(min_length=1)
    kind: ScenarioKind
    name: str = Field(min_length=1)
    occasion: Occasion | None = None
    topic: str | None = Field(default=None, description="Campaign hashtag or topic.")
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    brief: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> CampaignScenario:
        if self.kind is ScenarioKind.FESTIVAL and self.occasion is None:
            raise FieldValueError("occasion", "a festival scenario needs its occasion")
        if self.start is not None and self.end is not None and self.end <= self.start:
            raise FieldValueError("end", "must be after start", self.end)
        return self

    def covers(self, moment: datetime) -> bool:
        """Whether the aware ``moment`` falls in the scenario's run (open ends are unbounded)."""
        try:
            instant = require_aware(moment, "moment").astimezone(timezone.utc)  # instants
        except OverflowError:
            raise InvalidInputError.single(
                "moment", "lies outside datetime's years in UTC", moment
            ) from None
        return (self.start is None or instant >= self.start.astimezone(timezone.utc)) and (
            self.end is None or instant < self.end.astimezone(timezone.utc)
        )


def festival_scenario(
    occasion: Occasion,
    *,
    lead_days: int = 7,
    tz: str | None = None,
    name: str | None = None,
    topic: str | None = None,
) -> CampaignScenario:
    """A festival scenario that warms up ``lead_days`` before the occasion and ends after it.

    The run starts and ends at midnight in ``tz``. For China's occasions (Chinese
    festivals, solar terms, commerce dates, gaokao) ``tz`` defaults to China time
    (Asia/Shanghai); a Western holiday is kept everywhere on local time, so it needs
    ``tz`` (the audience's zone).

    Example:
        >>> qixi = next(o for o in chinese_festivals(2026) if o.key == "qixi")
        >>> c = festival_scenario(qixi, lead_days=5)
        >>> c.start.isoformat(), c.end.isoformat()
        ('2026-08-14T00:00:00+08:00', '2026-08-20T00:00:00+08:00')
    """
    if not isinstance(occasion, Occasion):
        raise InvalidInputError.single("occasion", "must be an Occasion", type(occasion).__name__)
    if isinstance(lead_days, bool) or not isinstance(lead_days, int):
        raise InvalidInputError.single("lead_days", "must be an int", type(lead_days).__name__)
    if lead_days < 0:
        raise InvalidInputError.single("lead_days", "must be >= 0", lead_days)
    if occasion.day.toordinal() - lead_days < 2 or (occasion.last_day or occasion.day) >= date.max:
        raise InvalidInputError.single("lead_days", "puts the run outside the calendar", lead_days)
    if tz is None:
        if occasion.kind is OccasionKind.WESTERN_HOLIDAY:
            raise InvalidInputError.single(
                "tz", f"is required for {occasion.key!r}: the audience's IANA zone", None
            )
        tz = "Asia/Shanghai"  # China's occasions are days of China time
    zone = iana_zone(tz, "tz")
    last = occasion.last_day or occasion.day
    return CampaignScenario(
        id=f"{occasion.key}-{occasion.day.year}",
        kind=ScenarioKind.FESTIVAL,
        name=name or f"{occasion.name} {occasion.day.year}",
        occasion=occasion,
        topic=topic,
        start=datetime.combine(occasion.day - timedelta(days=lead_days), time(), zone),
        end=datetime.combine(last + timedelta(days=1), time(), zone),
    )
