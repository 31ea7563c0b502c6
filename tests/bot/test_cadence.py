"""The cadence rules: periods, verdicts and nudges at any instant, in Brussels time."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from freezegun import freeze_time
from sqlalchemy.engine import Engine

from bot import cadence
from bot.cadence import Verdict, assess, period_containing
from bot.times import local_text, parse_when, utcnow
from tests.council import ADMIN, CHAIR, make_runtime, run, seat_council

BRU = ZoneInfo("Europe/Brussels")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=BRU).astimezone(UTC)


def test_twice_means_once_in_each_half() -> None:
    assert cadence.unit_for(1, "month") == ("month", 1)
    assert cadence.unit_for(2, "month") == ("half-month", 1)
    assert cadence.unit_for(3, "month") == ("month", 3)
    assert cadence.unit_for(1, "year") == ("year", 1)
    assert cadence.unit_for(2, "year") == ("half-year", 1)
    assert cadence.unit_for(4, "year") == ("year", 4)
    with pytest.raises(ValueError):
        cadence.unit_for(1, "week")


def test_periods_turn_at_local_midnight() -> None:
    # 23:59 in Brussels on 31 December is still December; one minute later, January.
    dec = period_containing(local(2026, 12, 31, 23, 59), "month", BRU)
    jan = period_containing(local(2027, 1, 1, 0, 0), "month", BRU)
    assert (dec.label, dec.key) == ("December 2026", "2026-12-01")
    assert (jan.label, jan.key) == ("January 2027", "2027-01-01")
    assert dec.end == jan.start == utc(2026, 12, 31, 23, 0)
    assert cadence.period_before(jan, BRU) == dec
    h1 = period_containing(local(2027, 6, 30, 23, 59), "half-year", BRU)
    h2 = period_containing(local(2027, 7, 1, 0, 0), "half-year", BRU)
    assert (h1.label, h2.label) == ("January–June 2027", "July–December 2027")
    assert h1.end == h2.start == utc(2027, 6, 30, 22, 0)  # summer time: UTC+2
    assert cadence.period_before(h1, BRU).label == "July–December 2026"
    year = period_containing(local(2027, 12, 31, 23, 59), "year", BRU)
    assert year.label == "2027" and year.end == utc(2027, 12, 31, 23, 0)
    first = period_containing(local(2028, 2, 15, 23, 59), "half-month", BRU)
    second = period_containing(local(2028, 2, 16, 0, 0), "half-month", BRU)
    assert (first.label, second.label) == ("1–15 February 2028", "16–29 February 2028")
    assert second.days == 14 and first.end == second.start


def test_periods_across_the_clock_changes() -> None:
    # March 2027 starts in winter time and ends in summer time: 31 days less one hour.
    march = period_containing(local(2027, 3, 15, 12, 0), "month", BRU)
    assert march.start == utc(2027, 2, 28, 23, 0) and march.end == utc(2027, 3, 31, 22, 0)
    assert march.end - march.start == timedelta(days=31, hours=-1)
    october = period_containing(local(2027, 10, 31, 23, 30), "month", BRU)
    assert october.start == utc(2027, 9, 30, 22, 0) and october.end == utc(2027, 10, 31, 23, 0)
    assert october.days == 31


def test_monthly_verdicts_around_the_at_risk_line() -> None:
    # "Meetings of the Council at Ambassadorial level will be held at least once a month"
    line = local(2026, 12, 22, 0, 0)  # ten days before the end of December
    assert assess(1, "month", 10, [], line - timedelta(seconds=1), BRU).verdict is Verdict.ON_TRACK
    at_risk = assess(1, "month", 10, [], line, BRU)
    assert at_risk.verdict is Verdict.AT_RISK and at_risk.missing == 1
    assert at_risk.at_risk_from == line and at_risk.lead_days == 10
    assert cadence.days_left(at_risk, BRU) == 10
    planned = assess(1, "month", 10, [local(2026, 12, 30, 10, 0)], line, BRU)
    assert (planned.verdict, planned.held, planned.scheduled) == (Verdict.ON_TRACK, 0, 1)
    held = assess(1, "month", 10, [local(2026, 12, 3, 10, 0)], line, BRU)
    assert (held.verdict, held.held, held.scheduled) == (Verdict.ON_TRACK, 1, 0)
    # A meeting in January does nothing for December.
    late = assess(1, "month", 10, [local(2027, 1, 2, 10, 0)], line, BRU)
    assert late.verdict is Verdict.AT_RISK and late.scheduled == 0


def test_the_at_risk_threshold_is_the_days_left_while_a_lead_can_reach_them() -> None:
    december = period_containing(local(2026, 12, 10, 12, 0), "month", BRU)
    # From the 22nd, ten days left: a setting of ten or more is at risk.
    assert cadence.at_risk_threshold(december, local(2026, 12, 22, 0, 0), BRU) == 10
    assert cadence.at_risk_threshold(december, local(2026, 12, 21, 23, 59), BRU) == 11
    # Sixteen days left is more than the cap (half of 31 days): no setting reaches.
    assert cadence.at_risk_threshold(december, local(2026, 12, 16, 12, 0), BRU) is None
    assert cadence.at_risk_threshold(december, local(2026, 12, 17, 12, 0), BRU) == 15
    # On the last day every setting does; once closed, none.
    assert cadence.at_risk_threshold(december, local(2026, 12, 31, 23, 0), BRU) == 1
    assert cadence.at_risk_threshold(december, local(2027, 1, 1, 0, 0), BRU) is None
    assert cadence.default_at_risk("month") == 10 and cadence.default_at_risk("year") == 60


def test_a_closed_period_short_of_meetings_is_breached() -> None:
    december = period_containing(local(2026, 12, 5, 0, 0), "month", BRU)
    after = local(2027, 1, 1, 0, 0)
    breached = assess(1, "month", 10, [], after, BRU, december)
    assert breached.verdict is Verdict.BREACHED and breached.closed
    # A meeting in the last minute of the month counts as held once it has started.
    last_minute = [local(2026, 12, 31, 23, 59)]
    assert assess(1, "month", 10, last_minute, after, BRU, december).verdict is Verdict.ON_TRACK
    assert assess(3, "month", 10, last_minute * 2, after, BRU, december).summary() == (
        "2 held, 0 scheduled of 3 required (December 2026)")


def test_ministerials_need_one_meeting_in_each_half_year() -> None:
    # "at the level of Foreign Ministers and at the level of Defence Ministers twice annually"
    january_twice = [local(2027, 1, 20, 10, 0), local(2027, 2, 20, 10, 0)]
    h2 = assess(2, "year", 60, january_twice, local(2027, 12, 1, 0, 0), BRU)
    assert h2.period.label == "July–December 2027" and h2.verdict is Verdict.AT_RISK
    # 60 days before the half-year runs out: 2 May at midnight, summer time.
    line = local(2027, 5, 2, 0, 0)
    assert assess(2, "year", 60, [], line - timedelta(minutes=1), BRU).verdict is Verdict.ON_TRACK
    assert assess(2, "year", 60, [], line, BRU).verdict is Verdict.AT_RISK
    h1 = assess(2, "year", 60, january_twice, line, BRU)
    assert (h1.verdict, h1.held, h1.required) == (Verdict.ON_TRACK, 2, 1)
    closed = assess(2, "year", 60, [], local(2027, 7, 1, 0, 0), BRU,
                    period_containing(line, "half-year", BRU))
    assert closed.verdict is Verdict.BREACHED


def test_the_preparatory_committee_meets_in_each_half_month() -> None:
    # "The Preparatory Committee will meet twice monthly, or more often if necessary."
    twentieth = [local(2027, 4, 20, 10, 0)]
    first_half = assess(2, "month", 10, twentieth, local(2027, 4, 10, 0, 0), BRU)
    assert first_half.period.label == "1–15 April 2027"
    assert first_half.lead_days == 7  # ten days capped at half of the fifteen
    assert first_half.verdict is Verdict.AT_RISK and first_half.scheduled == 0
    assert assess(2, "month", 10, twentieth, local(2027, 4, 8, 23, 59), BRU).verdict is (
        Verdict.ON_TRACK)
    second_half = assess(2, "month", 10, twentieth, local(2027, 4, 28, 0, 0), BRU)
    assert second_half.period.label == "16–30 April 2027"
    assert (second_half.verdict, second_half.scheduled) == (Verdict.ON_TRACK, 0)
    assert second_half.held == 1


def test_the_at_risk_line_keeps_to_local_midnight_across_dst() -> None:
    october = assess(1, "month", 10, [], local(2027, 10, 25, 12, 0), BRU)
    assert october.at_risk_from == utc(2027, 10, 21, 22, 0)  # 22 Oct 00:00 CEST
    # Nudges go out at 09:00 local time: 07:00 UTC in summer, 08:00 UTC in winter.
    moments = cadence.nudge_moments(october, BRU)
    assert moments[0] == utc(2027, 10, 22, 7, 0)
    assert moments[-1] == utc(2027, 10, 31, 8, 0)
    assert len(moments) == 10
    assert all(m.astimezone(BRU).hour == 9 for m in moments)
    march = assess(1, "month", 10, [], local(2027, 3, 29, 12, 0), BRU)
    march_moments = cadence.nudge_moments(march, BRU)
    assert march_moments[5] == utc(2027, 3, 27, 8, 0) and march_moments[6] == utc(2027, 3, 28, 7, 0)


def test_the_latest_nudge_and_the_next() -> None:
    at_risk = assess(1, "month", 10, [], local(2026, 12, 24, 8, 59), BRU)
    assert cadence.latest_nudge(at_risk, BRU) == (
        1, local(2026, 12, 23, 9, 0), local(2026, 12, 24, 9, 0))
    assert cadence.latest_nudge(assess(1, "month", 10, [], local(2026, 12, 22, 8, 0), BRU),
                                BRU) is None  # at risk since midnight, first nudge at 09:00
    last = assess(1, "month", 10, [], local(2026, 12, 31, 23, 0), BRU)
    assert cadence.latest_nudge(last, BRU) == (9, local(2026, 12, 31, 9, 0), last.period.end)
    on_track = assess(1, "month", 10, [local(2026, 12, 30, 10, 0)], local(2026, 12, 24), BRU)
    assert cadence.latest_nudge(on_track, BRU) is None


def test_long_lead_times_nudge_weekly_then_daily() -> None:
    comp = assess(2, "year", 60, [], local(2027, 6, 1, 12, 0), BRU)
    days = [m.astimezone(BRU).date() for m in cadence.nudge_moments(comp, BRU)]
    assert days[:3] == [date(2027, 5, 2), date(2027, 5, 9), date(2027, 5, 16)]
    assert days[-14:] == [date(2027, 6, 17) + timedelta(days=i) for i in range(14)]
    assert all(timedelta(days=1) <= b - a <= timedelta(days=7) for a, b in itertools.pairwise(days))


def test_the_mandate_in_words() -> None:
    assert cadence.mandate_words(1, "month") == "at least once a month"
    assert cadence.mandate_words(2, "year") == "twice annually (once in each half-year)"
    assert cadence.mandate_words(2, "month") == "twice monthly (once in each half of the month)"
    assert cadence.mandate_words(3, "year") == "at least 3 times a year"
    assert cadence.mandate_words(None, None) == "as appropriate (no minimum)"


@pytest.mark.parametrize(("day", "zone", "utc_hour"), [
    (date(2027, 3, 27), "CET", 9),   # the day before the clocks go forward
    (date(2027, 3, 29), "CEST", 8),  # the day after
    (date(2027, 10, 30), "CEST", 8),  # the day before the clocks go back
    (date(2027, 11, 1), "CET", 9),   # the day after
])
def test_a_ten_oclock_meeting_stays_at_ten_local(day: date, zone: str, utc_hour: int) -> None:
    starts = parse_when(f"{day.isoformat()} 10:00", BRU)
    assert starts == utc(day.year, day.month, day.day, utc_hour, 0)
    assert local_text(starts, BRU).endswith(f"10:00 {zone}")


def test_reminders_are_exact_durations_across_the_change() -> None:
    # 10:00 CEST on 28 March 2027, the day the clocks go forward: 08:00 UTC.
    starts = parse_when("2027-03-28 10:00", BRU)
    moments = dict(cadence.reminder_moments(starts, [3600, 86400, 7 * 86400],
                                            utc(2027, 3, 1, 0, 0)))
    assert moments[86400] == utc(2027, 3, 27, 8, 0)  # 09:00 CET the day before
    assert moments[3600] == utc(2027, 3, 28, 7, 0)  # 09:00 CEST
    assert moments[7 * 86400] == utc(2027, 3, 21, 8, 0)
    autumn = parse_when("2027-10-31 10:00", BRU)  # 10:00 CET, 09:00 UTC
    moments = dict(cadence.reminder_moments(autumn, [86400, 3600], utc(2027, 10, 1, 0, 0)))
    assert moments[86400] == utc(2027, 10, 30, 9, 0)  # 11:00 CEST the day before
    assert moments[3600] == utc(2027, 10, 31, 8, 0)
    # Scheduled three hours ahead: only the one-hour reminder is left.
    assert cadence.reminder_moments(autumn, [86400, 3600], autumn - timedelta(hours=3)) == [
        (3600, utc(2027, 10, 31, 8, 0))]


def _verdicts(reply: str) -> dict[str, str]:
    lines = [line for line in reply.splitlines() if ": " in line and line.startswith("*")]
    return {line.split("*")[1]: line for line in lines}


def test_status_by_the_system_clock_across_the_half_year(sqlite_engine: Engine) -> None:
    with freeze_time("2027-01-05 10:00:00"):
        runtime = make_runtime(sqlite_engine, clock=utcnow)  # freezegun drives the clock
        seat_council(runtime)
    with freeze_time("2027-06-20 10:00:00"):
        run(runtime, CHAIR, "schedule council-fm 2027-06-25 10:00 Spring ministerial")
        lines = _verdicts(runtime.run_command(ADMIN, None, "status").sections[0])
        assert "on track: 0 held, 1 scheduled of 1 required (January–June 2027)" in (
            lines["Council, Foreign Ministers"])
        assert "at risk" in lines["Council, Defence Ministers"]
    with freeze_time("2027-07-01 10:00:00"):
        lines = _verdicts(runtime.run_command(ADMIN, None, "status").sections[0])
        assert "on track: 0 held, 0 scheduled of 1 required (July–December 2027)" in (
            lines["Council, Foreign Ministers"])
        assert "breached" not in lines["Council, Foreign Ministers"]
        # The Defence Ministers missed January–June: the breach shows through the next period.
        assert "(January–June 2027: ❌ breached)" in lines["Council, Defence Ministers"]
