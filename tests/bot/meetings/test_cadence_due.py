"""The cadence due query never misses what the verdict finds (issue 12).

The nudge pass only runs for the councils its due query names, so a council the query
left out would never hear that a body is at risk or that a period closed short. The
query and the verdict (``cadence.assess``) share one question,
``cadence.at_risk_threshold``; these properties check, at random moments (around the
Brussels clock changes and period ends especially), first on plain values that the
threshold admits exactly the settings the verdict puts at risk, then on a database that
the query names exactly the councils with a nudge or a breach notice to write.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

import bot.meetings.passes  # noqa: F401  (registers the cadence pass and its due query)
from bot import cadence, keys
from bot.cadence import Period, Verdict
from bot.meetings import rules
from bot.scheduler import DUE
from storage.engine import make_engine, upgrade
from storage.models import Body, Council, Meeting, Outbox

BRU = ZoneInfo("Europe/Brussels")
BODY = "council-amb"
ZONES = (BRU, ZoneInfo("UTC"), ZoneInfo("America/New_York"), ZoneInfo("Pacific/Auckland"))
UNITS = ("month", "half-month", "year", "half-year")
YEARS = st.integers(2025, 2029)


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def _clock_change(year: int, month: int) -> datetime:
    """Brussels changes its clocks at 01:00 UTC on the last Sunday of March and October."""
    day = _last_sunday(year, month)
    return datetime(day.year, day.month, day.day, 1, tzinfo=UTC)


def _period_edge(year: int, month: int, day: int, tz: ZoneInfo) -> datetime:
    """A local midnight where some period ends and the next begins."""
    return datetime(year, month, day, tzinfo=tz).astimezone(UTC)


@st.composite
def moments(draw: st.DrawFn, tz: ZoneInfo = BRU) -> datetime:
    """Instants near where the rules could slip: clock changes, period ends, or anywhere."""
    year = draw(YEARS)
    anchor = draw(st.sampled_from(("clocks", "edge", "anywhere")))
    if anchor == "clocks":
        base = _clock_change(year, draw(st.sampled_from((3, 10))))
    elif anchor == "edge":
        month = draw(st.integers(1, 12))
        base = _period_edge(year, month, draw(st.sampled_from((1, 16))), tz)
    else:
        base = datetime(year, 1, 1, tzinfo=UTC) + timedelta(minutes=draw(st.integers(0, 525_600)))
    # Minutes either side: enough to cross the days the lead is counted in.
    return base + timedelta(minutes=draw(st.integers(-20 * 1440, 20 * 1440)))


#: Mostly near the leads that matter (the defaults, half a month or a half-year).
SETTINGS = st.one_of(st.none(), st.integers(1, 70), st.integers(1, 400))


def _sql_admits(at_risk_days: int | None, per: str, period: Period, now: datetime,
                tz: ZoneInfo) -> bool:
    """The due query's test on a body's setting, written as the SQL writes it."""
    threshold = cadence.at_risk_threshold(period, now, tz)
    if threshold is None:
        return False
    setting = at_risk_days if at_risk_days is not None else cadence.default_at_risk(per)
    return threshold == 1 or setting >= threshold


@settings(max_examples=400, deadline=None)
@given(unit=st.sampled_from(UNITS), tz=st.sampled_from(ZONES), at_risk_days=SETTINGS,
       data=st.data())
def test_the_threshold_admits_exactly_the_settings_the_verdict_puts_at_risk(
        unit: str, tz: ZoneInfo, at_risk_days: int | None, data: st.DataObject) -> None:
    now = data.draw(moments(tz))
    # The period around now, or the one a little before or after it.
    period = cadence.period_containing(
        now + timedelta(days=data.draw(st.integers(-40, 40))), unit, tz)
    per = cadence.per_of(unit)
    count = 2 if unit.startswith("half") else 1
    verdict = cadence.assess(count, per, at_risk_days, [], now, tz, period)
    lead = cadence.lead_days(at_risk_days, period)
    # The window as the verdict reckoned it before the threshold existed: from local
    # midnight ``lead`` days before the period's end, until the end.
    at_risk_from = datetime.combine(period.after_last - timedelta(days=lead), datetime.min.time(),
                                    tzinfo=tz).astimezone(UTC)
    inside = at_risk_from <= now < period.end
    event(f"{verdict.verdict}")
    assert verdict.at_risk_from == at_risk_from
    assert cadence.within_lead(at_risk_days, period, now, tz) is inside
    assert (verdict.verdict is Verdict.AT_RISK) is inside
    assert _sql_admits(at_risk_days, per, period, now, tz) is inside


# --- on a database: the due query against the verdict -----------------------


@dataclass(frozen=True)
class Drawn:
    """One body of its own council: its cadence, setting, age, meetings, and which of
    the notices the verdict asks for were recorded already."""

    count: int
    per: str
    at_risk_days: int | None
    created_days_ago: int
    meetings: tuple[tuple[int, bool], ...]  # (minutes from now, cancelled)
    zone: str
    recorded: frozenset[str]  # "nudge", "breach"


BODIES = st.builds(
    Drawn,
    count=st.sampled_from((1, 1, 2, 2, 3, 4)),
    per=st.sampled_from(("month", "year")),
    at_risk_days=SETTINGS,
    created_days_ago=st.integers(0, 400),
    meetings=st.lists(st.tuples(st.integers(-200 * 1440, 200 * 1440), st.booleans()),
                      max_size=4).map(tuple),
    zone=st.sampled_from(("Europe/Brussels", "Europe/Brussels", "America/New_York")),
    recorded=st.sampled_from((frozenset(), frozenset(), frozenset({"breach"}),
                              frozenset({"breach"}), frozenset({"nudge"}),
                              frozenset({"nudge", "breach"}))),
)


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One migrated SQLite database for every example; each rolls its rows back."""
    engine = make_engine(f"sqlite:///{tmp_path_factory.mktemp('due') / 'nrc.db'}")
    upgrade(engine)
    yield engine
    engine.dispose()


def _owed(drawn: Drawn, now: datetime) -> dict[str, str]:
    """The notices the verdict asks for now: the newest nudge, the last period's breach."""
    tz = ZoneInfo(drawn.zone)
    starts = [now + timedelta(minutes=m) for m, cancelled in drawn.meetings if not cancelled]
    current = cadence.assess(drawn.count, drawn.per, drawn.at_risk_days, starts, now, tz)
    previous = cadence.assess(drawn.count, drawn.per, drawn.at_risk_days, starts, now, tz,
                              cadence.period_before(current.period, tz))
    owed: dict[str, str] = {}
    latest = cadence.latest_nudge(current, tz)
    if latest is not None:
        owed["nudge"] = keys.cadence_nudge(BODY, current.period.key, latest[0])
    if rules.breach_counts(now - timedelta(days=drawn.created_days_ago), previous):
        owed["breach"] = keys.cadence_breached(BODY, previous.period.key)
    return owed


def _seat(session: Session, n: int, drawn: Drawn, now: datetime) -> tuple[int, bool]:
    """The drawn council in the database: its id, and whether a notice is still owed."""
    long_ago = now - timedelta(days=400)
    council = Council(key=f"due-{n}", name=f"Council {n}", short_name=f"C{n}",
                      chair_title="Chair", timezone=drawn.zone, ics_token=f"token-{n}",
                      created_at=long_ago)
    session.add(council)
    session.flush()
    assert council.id is not None
    body = Body(council_id=council.id, ordinal=1, key=BODY, name="Council",
                level="ambassadorial", mandate="", cadence_count=drawn.count,
                cadence_per=drawn.per, at_risk_days=drawn.at_risk_days,
                created_at=now - timedelta(days=drawn.created_days_ago))
    session.add(body)
    session.flush()
    assert body.id is not None
    for minutes, cancelled in drawn.meetings:
        session.add(Meeting(council_id=council.id, body_id=body.id,
                            starts_at=now + timedelta(minutes=minutes), title="Meeting",
                            status="cancelled" if cancelled else "scheduled",
                            created_by="UADMIN01", created_at=long_ago))
    owed = _owed(drawn, now)
    for what, key in owed.items():
        if what in drawn.recorded:
            session.add(Outbox(council_id=council.id, key=key, kind="post", status="sent",
                               next_attempt_at=now, created_at=now))
    return council.id, bool(owed.keys() - drawn.recorded)


def _near_the_edge(drawn: Drawn, now: datetime, shift: int | None) -> Drawn:
    """The body with its setting a day either side of the days its period has left, or
    on them: where a window coded twice would slip by one."""
    if shift is None:
        return drawn
    tz = ZoneInfo(drawn.zone)
    period = cadence.period_containing(now, cadence.unit_for(drawn.count, drawn.per)[0], tz)
    return replace(drawn, at_risk_days=max(1, cadence.days_to_run(period, now, tz) + shift))


@settings(max_examples=100, deadline=None)
@given(drawn=st.lists(st.tuples(BODIES, st.sampled_from((None, -1, 0, 0, 1))),
                      min_size=1, max_size=4),
       now=moments())
def test_the_due_query_names_every_council_the_verdict_finds_a_nudge_or_breach_for(
        database: Engine, drawn: list[tuple[Drawn, int | None]], now: datetime) -> None:
    bodies = [_near_the_edge(body, now, shift) for body, shift in drawn]
    with Session(database) as session:
        seated = [_seat(session, n, body, now) for n, body in enumerate(bodies)]
        session.flush()
        expected = {council_id for council_id, owed in seated if owed}
        due = set(DUE["cadence nudges"](session, now, None))
        session.rollback()
    event(f"councils due: {len(due)} of {len(bodies)}")
    assert expected <= due  # never a miss
    assert due <= expected  # and nothing the pass would find nothing to do for
