"""The publishing calendar: plans, recurrence, festivals, solar terms, iCalendar.

* :class:`ContentCalendar` — an immutable plan of :class:`CalendarEntry` (piece ×
  platform × aware time in any IANA zone), with RFC 5545 recurrence expanded on the
  local wall clock, per-platform posting windows, spacing rules with typed
  :class:`Conflict` reports, blackouts (:meth:`ContentCalendar.freeze`) and iCalendar
  export/import (:meth:`ContentCalendar.to_ical`, :meth:`ContentCalendar.from_ical`).
* :func:`best_posting_hours` — hours learned from past engagement, recency-weighted.
* :func:`solar_terms` — the 24 solar terms computed astronomically for 1900–2100;
  :func:`to_lunar`/:func:`from_lunar` — the Chinese lunisolar calendar, computed from
  new moons and the 中气 rule; :func:`occasions` — festivals, commerce dates, gaokao and
  Western holidays; :class:`CampaignScenario` — festival, hot-topic and product campaigns
  (:func:`festival_scenario` builds one around an occasion).

Every wall clock names its zone: windows, learned hours (:class:`HourScore` carries its
``tz``), per-day spacing and day-based building take an explicit IANA zone, and only
what is about China's calendar defaults to China time, saying so. Naive datetimes and
unknown platform ids are refused with typed errors naming the field. iCalendar import
resolves IANA and Windows (Outlook) TZIDs and the document's own VTIMEZONEs, and reads
all-day events; see docs/calendar.md.

China Standard Time here is the fixed UTC+8 the Chinese calendar is reckoned in
(:data:`CHINA_STANDARD_TIME`), not ``Asia/Shanghai``, which kept summer time in 1986–1991.

Example:
    >>> from datetime import datetime, timezone
    >>> plan = tea_brand_plan(datetime(2026, 5, 1, tzinfo=timezone.utc), tz="Asia/Shanghai")
    >>> plan.entries[0].platform, plan.entries[0].at.strftime("%a %H:%M")
    ('wecom', 'Fri 14:30')
"""

import typing as _typing

from smmkit import _public
from smmkit.content.calendar._examples import tea_brand_plan
from smmkit.content.calendar._hours import (
    HourScore,
    PostingHourStats,
    PostPerformance,
    best_posting_hours,
)
from smmkit.content.calendar._lunar import LunarDate, LunarMonth, from_lunar, lunar_months, to_lunar
from smmkit.content.calendar._plan import ContentCalendar, FreezeResult
from smmkit.content.calendar._recurrence import expand_recurrence
from smmkit.content.calendar._scenario import (
    CampaignScenario,
    Occasion,
    OccasionKind,
    ScenarioKind,
    chinese_festivals,
    commerce_dates,
    easter,
    festival_scenario,
    gaokao,
    occasions,
    occasions_between,
    western_holidays,
)
from smmkit.content.calendar._solar_terms import (
    CHINA_STANDARD_TIME,
    SolarTerm,
    solar_terms,
    solar_terms_between,
)
from smmkit.content.calendar._values import (
    DEFAULT_POSTING_WINDOWS,
    DEFAULT_SPACING_RULES,
    Blackout,
    CalendarEntry,
    Conflict,
    ConflictKind,
    PostingWindow,
    RecurringSeries,
    SpacingRule,
    TimeRange,
)

__all__ = [
    "Blackout",
    "CHINA_STANDARD_TIME",
    "CalendarEntry",
    "CampaignScenario",
    "Conflict",
    "ConflictKind",
    "ContentCalendar",
    "DEFAULT_POSTING_WINDOWS",
    "DEFAULT_SPACING_RULES",
    "FreezeResult",
    "HourScore",
    "LunarDate",
    "LunarMonth",
    "Occasion",
    "OccasionKind",
    "PostPerformance",
    "PostingHourStats",
    "PostingWindow",
    "RecurringSeries",
    "ScenarioKind",
    "SolarTerm",
    "SpacingRule",
    "TimeRange",
    "best_posting_hours",
    "chinese_festivals",
    "commerce_dates",
    "easter",
    "expand_recurrence",
    "festival_scenario",
    "from_lunar",
    "gaokao",
    "lunar_months",
    "occasions",
    "occasions_between",
    "solar_terms",
    "solar_terms_between",
    "tea_brand_plan",
    "to_lunar",
    "western_holidays",
]

_public.set_public_module(globals(), __all__, __name__)

if _typing.TYPE_CHECKING:  # the old name keeps type-checking until it goes
    festival_campaign = festival_scenario
else:  # reading it warns
    __getattr__ = _public.deprecated_aliases(
        __name__, globals(), {"festival_campaign": "festival_scenario"}, removal="0.2"
    )
