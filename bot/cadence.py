"""The mandated cadence as pure rules: periods, verdicts, nudge moments.

Everything here takes plain values and a ``now`` and returns plain values, so
that each rule can be tested at any instant, across month, half-year and year
boundaries and across the clock changes of the council's time zone. Periods
are reckoned in the council's local calendar (a month starts at local midnight
on the 1st), and stored and compared as aware UTC instants.

The rules, in words (docs/cadence.md says the same for the council):

* A cadence of N per month or per year is checked period by period. "Twice"
  is read as "once in each half": the declaration's "twice annually" for the
  ministerial meetings means one meeting in each half-year (January–June,
  July–December), and the Preparatory Committee's "twice monthly" means one
  meeting in each half of the month (1st–15th, 16th–end). Any other count is
  checked over the whole month or year ("at least once a month": one per
  calendar month).
* A meeting counts for the period its start falls in, unless it is cancelled;
  one whose start has passed counts as held, a later one as scheduled.
* Verdict: *on track* while held + scheduled meetings reach the count, or
  while the period still has more than its lead time to run; *at risk* in the
  last ``at_risk_days`` of the period (capped at half the period's length)
  while held + scheduled fall short; *breached* when a period ended with fewer
  meetings held than required.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from babel.dates import get_month_names

from bot.i18n import N_, _, current, ngettext

#: Nudges go out at this local hour, daily; over lead times longer than a
#: fortnight (the half-yearly ministerials), weekly until the final fortnight.
NUDGE_HOUR = 9
WEEKLY_BEYOND_DAYS = 14
#: In its last days a period's nudge says the breach is imminent.
URGENT_DAYS = 3
#: Days before a period's end from which a body short of meetings is at risk, when
#: its charter says nothing (``at_risk_days``): ten for monthly cadences, sixty for
#: yearly ones. The only place these numbers are written.
DEFAULT_AT_RISK_DAYS = {"month": 10, "year": 60}

_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")


class Verdict(StrEnum):
    ON_TRACK = "on track"
    AT_RISK = "at risk"
    BREACHED = "breached"


#: A verdict as the council reads it, translated where shown (:func:`verdict_words`).
_VERDICT_WORDS = {Verdict.ON_TRACK: N_("on track"), Verdict.AT_RISK: N_("at risk"),
                  Verdict.BREACHED: N_("breached")}


def verdict_words(verdict: Verdict) -> str:
    """``on track``, ``at risk``, ``breached`` in the language being rendered."""
    return _(_VERDICT_WORDS[verdict])


def month_name(month: int, *, alone: bool) -> str:
    """A month's name in the language being rendered: on its own ("décembre", "декабрь")
    or after a day ("16 декабря"; Russian declines it)."""
    lang = current()
    if lang == "en":
        return _MONTHS[month - 1]
    return str(get_month_names("wide", "stand-alone" if alone else "format", lang)[month])


@dataclass(frozen=True)
class Period:
    """One span over which a cadence is checked, in the council's local calendar."""

    unit: str  # month | half-month | year | half-year
    first_day: date  # local date of the first day: the period's key
    after_last: date  # local date of the day after the last
    start: datetime  # aware UTC, inclusive (local midnight)
    end: datetime  # aware UTC, exclusive (local midnight)

    @property
    def label(self) -> str:
        """``December 2026``, ``1–15 April 2027``, ``January–June 2027``, ``2027``: in the
        language being rendered."""
        year, month = self.first_day.year, self.first_day.month
        if self.unit == "month":
            return _("{month} {year}", month=month_name(month, alone=True), year=year)
        if self.unit == "half-month":
            last = (self.after_last - timedelta(days=1)).day
            return _("{first}–{last} {month} {year}", first=self.first_day.day, last=last,
                     month=month_name(month, alone=False), year=year)
        if self.unit == "half-year":
            return (_("January–June {year}", year=year) if month <= 6
                    else _("July–December {year}", year=year))
        return str(year)

    @property
    def key(self) -> str:
        return self.first_day.isoformat()

    @property
    def days(self) -> int:
        return (self.after_last - self.first_day).days


@dataclass(frozen=True)
class Compliance:
    """A body's standing in one period as of ``now``."""

    period: Period
    required: int
    held: int
    scheduled: int
    verdict: Verdict
    lead_days: int  # how many days before the period's end "at risk" begins
    at_risk_from: datetime  # local midnight that many days before the end
    now: datetime

    @property
    def missing(self) -> int:
        """Meetings still to be scheduled for the count to be reached."""
        return max(0, self.required - self.held - self.scheduled)

    @property
    def closed(self) -> bool:
        return self.now >= self.period.end

    def summary(self) -> str:
        """``1 held, 0 scheduled of 1 required (December 2026)``."""
        return _("{held} held, {scheduled} scheduled of {required} required ({period})",
                 held=self.held, scheduled=self.scheduled, required=self.required,
                 period=self.period.label)


def unit_for(count: int, per: str) -> tuple[str, int]:
    """The period a cadence is checked over, and the meetings required in each.

    "Twice" a month or a year is once in each half: the Rome Declaration's
    "twice annually" (Foreign and Defence Ministers) and "twice monthly"
    (Preparatory Committee) are read as a rhythm, not as two meetings that may
    fall in the same week.
    """
    if per not in ("month", "year"):
        raise ValueError(f"a cadence is per month or per year, not {per!r}")
    if count == 2:
        return (f"half-{per}", 1)
    return (per, count)


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(UTC)


def _make(unit: str, first: date, after_last: date, tz: ZoneInfo) -> Period:
    return Period(unit, first, after_last, _local_midnight(first, tz),
                  _local_midnight(after_last, tz))


def _next_month(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


def period_containing(moment: datetime, unit: str, tz: ZoneInfo) -> Period:
    """The period of ``unit`` that ``moment`` falls in, by the council's local calendar."""
    local = moment.astimezone(tz).date()
    year, month = local.year, local.month
    if unit == "month":
        return _make(unit, date(year, month, 1), _next_month(year, month), tz)
    if unit == "half-month":
        if local.day <= 15:
            return _make(unit, date(year, month, 1), date(year, month, 16), tz)
        return _make(unit, date(year, month, 16), _next_month(year, month), tz)
    if unit == "year":
        return _make(unit, date(year, 1, 1), date(year + 1, 1, 1), tz)
    if unit == "half-year":
        if month <= 6:
            return _make(unit, date(year, 1, 1), date(year, 7, 1), tz)
        return _make(unit, date(year, 7, 1), date(year + 1, 1, 1), tz)
    raise ValueError(f"unknown period unit {unit!r}")


def period_before(period: Period, tz: ZoneInfo) -> Period:
    """The period just before ``period``."""
    return period_containing(period.start - timedelta(microseconds=1), period.unit, tz)


def default_at_risk(per: str) -> int:
    """The at-risk lead of a cadence per ``per`` ("month" or "year") when none is set."""
    return DEFAULT_AT_RISK_DAYS[per]


def per_of(unit: str) -> str:
    """The cadence a period unit checks: a month or half-month is "month", else "year"."""
    return "month" if "month" in unit else "year"


def lead_days(at_risk_days: int | None, period: Period) -> int:
    """How many days before a period's end a shortfall makes a body at risk.

    The charter's ``at_risk_days`` (default :data:`DEFAULT_AT_RISK_DAYS`), capped
    at half the period in whole days so that the first half of every period is
    on track whatever is scheduled: a half-month period turns at risk 6 to 8
    days before it ends. Counted in local days, so a clock
    change inside the window moves nothing.
    """
    days = at_risk_days if at_risk_days is not None else default_at_risk(per_of(period.unit))
    return max(1, min(days, period.days // 2))


def days_to_run(period: Period, now: datetime, tz: ZoneInfo) -> int:
    """Whole local days from ``now``'s day to the period's end, today included.

    More than the period's length before it begins, 0 or less once it has closed.
    """
    return (period.after_last - now.astimezone(tz).date()).days


def at_risk_threshold(period: Period, now: datetime, tz: ZoneInfo) -> int | None:
    """The smallest ``at_risk_days`` under which a body short of meetings is at risk in
    ``period`` at ``now``; None when no setting makes it so (before the period, in the
    half its cap keeps on track, or once it has closed).

    A body is at risk from the day its lead reaches the days left to run; the lead
    (:func:`lead_days`) only grows with the setting, so the settings that reach are
    exactly those from this one up. A threshold of 1 admits every setting: the lead is
    never less than a day. The verdict (:func:`assess`) and the cadence due query both
    ask this one question.
    """
    left = days_to_run(period, now, tz)
    if left < 1 or lead_days(left, period) < left:
        return None
    return left


def within_lead(at_risk_days: int | None, period: Period, now: datetime, tz: ZoneInfo) -> bool:
    """Whether ``now`` falls in the last days of ``period`` where a shortfall is at risk."""
    threshold = at_risk_threshold(period, now, tz)
    return threshold is not None and lead_days(at_risk_days, period) >= threshold


def assess(count: int, per: str, at_risk_days: int | None, starts: Iterable[datetime],
           now: datetime, tz: ZoneInfo, period: Period | None = None) -> Compliance:
    """A body's compliance in ``period`` (default: the one containing ``now``).

    ``starts`` are the start times of the body's meetings that are not
    cancelled; those outside the period are ignored.
    """
    unit, required = unit_for(count, per)
    if period is None:
        period = period_containing(now, unit, tz)
    inside = [s for s in starts if period.start <= s < period.end]
    held = sum(1 for s in inside if s <= now)
    scheduled = len(inside) - held
    lead = lead_days(at_risk_days, period)
    at_risk_from = _local_midnight(period.after_last - timedelta(days=lead), tz)
    if held >= required:
        verdict = Verdict.ON_TRACK
    elif now >= period.end:
        verdict = Verdict.BREACHED
    elif held + scheduled >= required or not within_lead(at_risk_days, period, now, tz):
        verdict = Verdict.ON_TRACK
    else:
        verdict = Verdict.AT_RISK
    return Compliance(period, required, held, scheduled, verdict, lead, at_risk_from, now)


def days_left(compliance: Compliance, tz: ZoneInfo) -> int:
    """Whole local days left in the period, today included."""
    today = compliance.now.astimezone(tz).date()
    return max(0, (compliance.period.after_last - today).days)


def nudge_moments(compliance: Compliance, tz: ZoneInfo) -> list[datetime]:
    """When the cadence nudges of a period fall due, at 09:00 local time.

    The first on the day the body turns at risk, then daily; when the lead time is longer
    than a fortnight (the half-yearly ministerials), weekly until the final
    fortnight and daily after that.
    """
    period = compliance.period
    first = period.after_last - timedelta(days=compliance.lead_days)
    moments: list[datetime] = []
    day = first
    while day < period.after_last:
        moment = datetime(day.year, day.month, day.day, NUDGE_HOUR, tzinfo=tz).astimezone(UTC)
        moments.append(moment)
        remaining = (period.after_last - day).days
        weekly = min(7, remaining - WEEKLY_BEYOND_DAYS)  # land on the fortnight's first day
        day += timedelta(days=weekly if remaining > WEEKLY_BEYOND_DAYS else 1)
    return moments


def latest_nudge(compliance: Compliance, tz: ZoneInfo) -> tuple[int, datetime, datetime] | None:
    """The newest nudge due as of ``now``: (its number, its moment, when the next is due).

    Only the newest matters: an older nudge missed during downtime is replaced
    by the next one, never sent late.
    """
    if compliance.verdict is not Verdict.AT_RISK:
        return None
    moments = nudge_moments(compliance, tz)
    due = [m for m in moments if m <= compliance.now]
    if not due:
        return None
    n = len(due) - 1
    following = moments[n + 1] if n + 1 < len(moments) else compliance.period.end
    return n, due[-1], following


def reminder_moments(starts_at: datetime, offsets: Iterable[int],
                     scheduled_at: datetime) -> list[tuple[int, datetime]]:
    """(seconds before, moment) of each reminder of a meeting, earliest first.

    Offsets are exact durations: the 24-hour reminder of a 10:00 meeting on the
    day the clocks change goes out 24 real hours before, at 09:00 or 11:00
    local time. A reminder whose moment came before the meeting was scheduled
    is left out: the announcement said it all.
    """
    moments = [(s, starts_at - timedelta(seconds=s)) for s in sorted(set(offsets), reverse=True)]
    return [(s, m) for s, m in moments if m >= scheduled_at]


def mandate_words(count: int | None, per: str | None) -> str:
    """The cadence as the council says it: "at least once a month", "twice annually"."""
    if count is None or per is None:
        return _("as appropriate (no minimum)")
    if count == 2:
        return (_("twice monthly (once in each half of the month)") if per == "month"
                else _("twice annually (once in each half-year)"))
    if per == "month":
        return ngettext("at least once a month", "at least {n} times a month", count)
    return ngettext("at least once a year", "at least {n} times a year", count)
