"""The playbook's healthy-tea brand, as a calendar (used by ``smmkit demo``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from smmkit.content.calendar._plan import ContentCalendar
from smmkit.content.calendar._recurrence import require_aware, zone
from smmkit.exceptions import InvalidInputError

__all__ = ["tea_brand_plan"]


def tea_brand_plan(now: datetime, *, weeks: int = 4, tz: str = "Asia/Shanghai") -> ContentCalendar:
    """The playbook's tea brand's next ``weeks`` weeks from ``now``, on the wall clock of
    ``tz``, the brand's home zone (Asia/Shanghai: the brand and its audience are in
    China; pass another zone to replay the plan elsewhere):

    * a Douyin live tea-time every weekday at 15:00 (one hour, in-stream ordering);
    * a WeCom reminder 30 minutes before each live;
    * a WeCom solar-term (节气) tea recipe on each term's day, requested at 14:30 and
      moved by the WeCom spacing rule when the reminder already holds that slot.

    Example:
        >>> from datetime import datetime, timezone
        >>> plan = tea_brand_plan(datetime(2026, 5, 1, tzinfo=timezone.utc), tz="Asia/Shanghai")
        >>> sum(e.piece_id == "tea-time-live" for e in plan.entries), plan.conflicts()
        (20, ())
        >>> terms = [e for e in plan.entries if e.piece_id == "solar-term-recipe"]
        >>> [(e.title, f"{e.at:%m-%d %H:%M}", f"{e.requested_at:%H:%M}") for e in terms]
        [('立夏', '05-05 15:30', '14:30'), ('小满', '05-21 15:30', '14:30')]
    """
    require_aware(now, "now")
    if isinstance(weeks, bool) or not isinstance(weeks, int):
        raise InvalidInputError.single("weeks", "must be an int", type(weeks).__name__)
    if weeks < 1:
        raise InvalidInputError.single("weeks", "must be >= 1", weeks)
    sh = zone(tz)
    try:
        local_now = now.astimezone(sh)
        end = local_now + timedelta(weeks=weeks)
    except OverflowError:
        raise InvalidInputError.single(
            "weeks", "runs past the last date a calendar can hold", weeks
        ) from None

    def first(at: time) -> datetime:
        # The first such wall-clock time from now on (today's, if it is still ahead).
        moment = datetime.combine(local_now.date(), at, sh)
        return moment if moment >= local_now else moment + timedelta(days=1)

    weekdays = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    return (
        ContentCalendar()
        .add_recurring(
            "tea-time-live",
            "douyin",
            weekdays,
            dtstart=first(time(15)),
            until=end,
            duration=timedelta(hours=1),
            title="下午三点茶歇直播",
        )
        .add_recurring("live-reminder", "wecom", weekdays, dtstart=first(time(14, 30)), until=end)
        .add_solar_term_posts(
            "solar-term-recipe", "wecom", start=local_now, end=end, at=time(14, 30), tz=tz
        )
    )
