"""The consensus rule, exhaustively and by property; and the pure rules of a poll's life.

No database here: every rule is a function of plain values and ``now``.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import keys
from bot.polls import rules
from bot.polls.rules import (
    MAX_AHEAD,
    REMINDERS,
    Mode,
    Outcome,
    Stance,
    amended_deadline,
    amenders,
    closing_moment,
    concurring,
    decision_record,
    duration_deadline,
    every_member_concurred,
    extends,
    in_electorate,
    in_the_past,
    is_proposer,
    objectors,
    outcome,
    past_its_deadline,
    reminders_due,
    reminders_passed,
    silent,
    too_far_ahead,
)
from bot.polls.rules_statements import kept_statement, replaced_statement

DEADLINE = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
BEFORE = DEADLINE - timedelta(seconds=1)
AFTER = DEADLINE + timedelta(days=2)
C, OB, AM = Stance.CONCUR, Stance.OBJECT, Stance.AMEND


def _expected(mode: Mode, electorate: list[int], positions: dict[int, Stance],
              now: datetime) -> Outcome:
    """The rule as PRODUCT.md words it, written independently of the code."""
    counted = {m: s for m, s in positions.items() if m in electorate}
    if OB in counted.values():
        return Outcome.BLOCKED
    if AM in counted.values():
        return Outcome.SILENCE_BROKEN
    everyone = len(counted) == len(set(electorate))  # all concur (no objection, no amendment)
    if everyone:
        return Outcome.ADOPTED
    if now < DEADLINE:
        return Outcome.OPEN
    return Outcome.ADOPTED if mode is Mode.SILENCE else Outcome.FAILED


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("now", [BEFORE, DEADLINE, AFTER])
def test_every_combination_for_four_members(mode: Mode, now: datetime) -> None:
    electorate = [1, 2, 3, 4]
    for stances in itertools.product([None, C, OB, AM], repeat=4):
        positions = {m: s for m, s in zip(electorate, stances, strict=True) if s is not None}
        assert outcome(mode, electorate, positions, now, DEADLINE) == _expected(
            mode, electorate, positions, now), (mode, now, stances)


def test_the_cases_by_name() -> None:
    twenty = list(range(1, 21))
    all_concur = dict.fromkeys(twenty, C)
    nineteen = {m: C for m in twenty[:-1]}
    one_objects = {**nineteen, 20: OB}
    assert outcome(Mode.SILENCE, twenty, {}, BEFORE, DEADLINE) is Outcome.OPEN
    assert outcome(Mode.SILENCE, twenty, {}, DEADLINE, DEADLINE) is Outcome.ADOPTED  # at, not after
    assert outcome(Mode.EXPLICIT, twenty, {}, DEADLINE, DEADLINE) is Outcome.FAILED
    assert outcome(Mode.SILENCE, twenty, all_concur, BEFORE, DEADLINE) is Outcome.ADOPTED
    assert outcome(Mode.EXPLICIT, twenty, all_concur, BEFORE, DEADLINE) is Outcome.ADOPTED
    assert outcome(Mode.EXPLICIT, twenty, nineteen, BEFORE, DEADLINE) is Outcome.OPEN
    assert outcome(Mode.EXPLICIT, twenty, nineteen, AFTER, DEADLINE) is Outcome.FAILED
    assert outcome(Mode.SILENCE, twenty, nineteen, AFTER, DEADLINE) is Outcome.ADOPTED
    for mode, now in itertools.product(Mode, (BEFORE, AFTER)):
        assert outcome(mode, twenty, one_objects, now, DEADLINE) is Outcome.BLOCKED
        assert outcome(mode, twenty, {7: OB}, now, DEADLINE) is Outcome.BLOCKED


def test_positions_outside_the_electorate_do_not_count() -> None:
    """The electorate is fixed when the poll opens: a later member neither blocks nor counts."""
    electorate = [1, 2]
    assert outcome(Mode.SILENCE, electorate, {1: C, 2: C, 99: OB}, BEFORE, DEADLINE) is Outcome.ADOPTED
    assert outcome(Mode.EXPLICIT, electorate, {1: C, 99: C}, BEFORE, DEADLINE) is Outcome.OPEN
    assert outcome(Mode.EXPLICIT, electorate, {1: C, 99: C}, AFTER, DEADLINE) is Outcome.FAILED


def test_plain_strings_are_read_as_stances() -> None:
    assert outcome(Mode.SILENCE, [1, 2], {1: "concur", 2: "object"},  # type: ignore[dict-item]
                   BEFORE, DEADLINE) is Outcome.BLOCKED
    assert outcome(Mode.EXPLICIT, [1], {1: "concur"},  # type: ignore[dict-item]
                   BEFORE, DEADLINE) is Outcome.ADOPTED


def test_who_is_silent_concurring_objecting_in_electorate_order() -> None:
    electorate = [5, 3, 9, 1]
    positions = {9: C, 1: OB, 42: C}
    assert silent(electorate, positions) == [5, 3]
    assert concurring(electorate, positions) == [9]
    assert objectors(electorate, positions) == [1]


# -- properties ----------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31),
                       timezones=st.just(UTC))


@st.composite
def polls(draw: st.DrawFn) -> tuple[Mode, list[int], dict[int, Stance], datetime, datetime]:
    electorate = draw(st.lists(st.integers(1, 40), min_size=1, max_size=25, unique=True))
    voters = draw(st.lists(st.integers(1, 45), max_size=30, unique=True))
    positions = {m: draw(st.sampled_from(Stance)) for m in voters}
    return draw(st.sampled_from(Mode)), electorate, positions, draw(moments), draw(moments)


@given(polls())
def test_any_objection_is_never_adopted(poll: tuple) -> None:  # type: ignore[type-arg]
    mode, electorate, positions, now, deadline = poll
    result = outcome(mode, electorate, positions, now, deadline)
    if objectors(electorate, positions):
        assert result is Outcome.BLOCKED
    assert (result is Outcome.BLOCKED) == bool(objectors(electorate, positions))


@given(polls())
def test_explicit_is_adopted_iff_every_member_concurs(poll: tuple) -> None:  # type: ignore[type-arg]
    _, electorate, positions, now, deadline = poll
    result = outcome(Mode.EXPLICIT, electorate, positions, now, deadline)
    everyone = all(positions.get(m) is C for m in electorate)
    assert (result is Outcome.ADOPTED) == everyone


@given(polls())
def test_silence_is_adopted_iff_no_objection_at_the_deadline_or_all_concur(
        poll: tuple) -> None:  # type: ignore[type-arg]
    _, electorate, positions, now, deadline = poll
    result = outcome(Mode.SILENCE, electorate, positions, now, deadline)
    unbroken = not objectors(electorate, positions) and not amenders(electorate, positions)
    everyone = all(positions.get(m) is C for m in electorate)
    assert (result is Outcome.ADOPTED) == ((unbroken and now >= deadline) or everyone)


@given(polls())
def test_an_amendment_breaks_silence_unless_an_objection_blocks(
        poll: tuple) -> None:  # type: ignore[type-arg]
    """Any objection blocks stays the rule; an amendment alone breaks silence, at once,
    whatever the mode and the time; neither ever adopts."""
    mode, electorate, positions, now, deadline = poll
    result = outcome(mode, electorate, positions, now, deadline)
    objected, amended = objectors(electorate, positions), amenders(electorate, positions)
    assert (result is Outcome.SILENCE_BROKEN) == (bool(amended) and not objected)
    if amended or objected:
        assert result in (Outcome.BLOCKED, Outcome.SILENCE_BROKEN)


@given(polls(), st.integers(1, 45))
def test_an_amendment_never_lifts_an_objection(poll: tuple, member: int) -> None:  # type: ignore[type-arg]
    mode, electorate, positions, now, deadline = poll
    before = outcome(mode, electorate, positions, now, deadline)
    if before is Outcome.BLOCKED and positions.get(member) is not OB:
        assert outcome(mode, electorate, {**positions, member: AM}, now,
                       deadline) is Outcome.BLOCKED


@given(polls())
def test_explicit_fails_only_at_the_deadline_and_is_open_only_before(
        poll: tuple) -> None:  # type: ignore[type-arg]
    mode, electorate, positions, now, deadline = poll
    result = outcome(mode, electorate, positions, now, deadline)
    if result is Outcome.FAILED:
        assert mode is Mode.EXPLICIT and now >= deadline
    if result is Outcome.OPEN:
        assert now < deadline and silent(electorate, positions)


@given(polls(), st.integers(1, 45), st.sampled_from(Stance))
def test_silence_never_helps_an_objection_and_a_concurrence_never_blocks(
        poll: tuple, member: int, stance: Stance) -> None:  # type: ignore[type-arg]
    """Monotone: adding a concurrence never turns an outcome into blocked, and adding an
    objection from a member of the electorate always blocks."""
    mode, electorate, positions, now, deadline = poll
    before = outcome(mode, electorate, positions, now, deadline)
    after = outcome(mode, electorate, {**positions, member: stance}, now, deadline)
    if stance is OB and member in electorate:
        assert after is Outcome.BLOCKED
    if stance is C and before is not Outcome.BLOCKED and positions.get(member) is not OB:
        assert after is not Outcome.BLOCKED


@given(polls())
def test_the_order_of_positions_does_not_matter(poll: tuple) -> None:  # type: ignore[type-arg]
    mode, electorate, positions, now, deadline = poll
    reordered = dict(reversed(list(positions.items())))
    assert outcome(mode, list(reversed(electorate)), reordered, now, deadline) is outcome(
        mode, electorate, positions, now, deadline)


# -- the rules of a poll's life ------------------------------------------------------


@dataclass(frozen=True)
class _Position:
    stance: str
    statement: str | None
    user_id: str | None = None
    at: datetime = DEADLINE
    statement_kind: str | None = None


def test_every_member_concurred_only_when_each_one_did() -> None:
    assert every_member_concurred([1, 2], {1: C, 2: C})
    assert not every_member_concurred([1, 2], {1: C})
    assert not every_member_concurred([1, 2], {1: C, 2: OB})
    assert every_member_concurred([1, 2], {1: C, 2: C, 3: OB})  # 3 is not in the electorate


def test_the_electorate_is_the_active_members_in_order() -> None:
    assert rules.electorate([3, None, 1, 2]) == [3, 1, 2]
    assert rules.electorate([]) == []
    assert in_electorate(2, [1, 2]) and not in_electorate(5, [1, 2])


def test_the_proposer_is_the_user_or_any_delegate_of_the_member() -> None:
    assert is_proposer("U1", None, "U1", None)
    assert is_proposer("U2", 7, "U1", 7)
    assert not is_proposer("U2", 8, "U1", 7)
    assert not is_proposer("U2", None, "U1", None)
    assert not is_proposer("U2", 7, "U1", None)  # opened by the Chair, for no member


def test_a_deadline_in_the_past_or_over_ninety_days_away_is_refused() -> None:
    assert in_the_past(DEADLINE, DEADLINE) and in_the_past(BEFORE, DEADLINE)
    assert not in_the_past(AFTER, DEADLINE)
    assert not too_far_ahead(DEADLINE + MAX_AHEAD, DEADLINE)
    assert too_far_ahead(DEADLINE + MAX_AHEAD + timedelta(seconds=1), DEADLINE)
    assert timedelta(days=90) == MAX_AHEAD


def test_a_duration_counts_from_the_current_deadline_when_extending() -> None:
    now = DEADLINE - timedelta(days=1)
    assert duration_deadline(timedelta(hours=72), now, None) == now + timedelta(hours=72)
    assert duration_deadline(timedelta(hours=72), now, DEADLINE) == DEADLINE + timedelta(hours=72)


def test_an_extension_moves_the_deadline_later() -> None:
    assert extends(DEADLINE, AFTER)
    assert not extends(DEADLINE, DEADLINE)
    assert not extends(DEADLINE, BEFORE)


def test_a_poll_past_its_deadline_takes_nothing_more() -> None:
    assert past_its_deadline(DEADLINE, DEADLINE) and past_its_deadline(DEADLINE, AFTER)
    assert not past_its_deadline(DEADLINE, BEFORE)


def test_an_amendment_restarts_silence_for_as_long_as_the_last_version() -> None:
    opened = DEADLINE - timedelta(hours=48)
    now = DEADLINE - timedelta(hours=1)
    assert amended_deadline(DEADLINE, opened, now) == now + timedelta(hours=48)
    long_ago = DEADLINE - timedelta(days=200)  # never more than the furthest deadline
    assert amended_deadline(DEADLINE, long_ago, now) == now + MAX_AHEAD


def test_a_poll_closed_late_by_the_pass_closes_at_its_deadline() -> None:
    assert closing_moment(DEADLINE, AFTER) == DEADLINE
    assert closing_moment(DEADLINE, DEADLINE) == DEADLINE
    assert closing_moment(DEADLINE, BEFORE) == BEFORE


def test_a_bare_concurrence_keeps_the_members_statement() -> None:
    assert kept_statement(C, None, "concur", "Only for the Baltic.") == "Only for the Baltic."
    assert kept_statement(C, "   ", "concur", "Only for the Baltic.") == "Only for the Baltic."
    assert kept_statement(C, "A new one.", "concur", "Only for the Baltic.") is None
    assert kept_statement(C, None, "object", "No.") is None
    assert kept_statement(C, None, None, None) is None
    assert kept_statement(OB, None, "concur", "Only for the Baltic.") is None


def test_a_new_statement_replaces_the_earlier_concurrences() -> None:
    assert replaced_statement("concur", "Old.", "New.") == "Old."
    assert replaced_statement("concur", "Old.", None) == "Old."
    assert replaced_statement("concur", "Old.", "Old.") is None
    assert replaced_statement("concur", None, "New.") is None
    assert replaced_statement("object", "No.", "New.") is None
    assert replaced_statement(None, None, "New.") is None


def test_reminder_keys_name_the_version_the_lead_and_the_deadline() -> None:
    assert keys.poll(4) == "poll:4"
    assert keys.poll_reminder(4, 2, timedelta(hours=1), DEADLINE) == (
        f"poll:4:v2:remind:3600:{int(DEADLINE.timestamp())}")
    assert keys.poll_reminder(4, 2, timedelta(hours=1), AFTER) != keys.poll_reminder(
        4, 2, timedelta(hours=1), DEADLINE)  # an extension earns fresh reminders


def test_reminders_fall_due_after_the_version_opened() -> None:
    assert (timedelta(hours=24), timedelta(hours=1)) == REMINDERS
    opened = DEADLINE - timedelta(days=3)
    assert reminders_due(DEADLINE, opened, DEADLINE - timedelta(hours=25)) == []
    assert reminders_due(DEADLINE, opened, DEADLINE - timedelta(hours=24)) == [REMINDERS[0]]
    assert reminders_due(DEADLINE, opened, DEADLINE - timedelta(minutes=30)) == list(REMINDERS)
    late_opened = DEADLINE - timedelta(hours=2)  # the 24 h moment came before it opened
    assert reminders_due(DEADLINE, late_opened, DEADLINE - timedelta(minutes=30)) == [REMINDERS[1]]
    assert reminders_due(DEADLINE, DEADLINE - timedelta(hours=24), DEADLINE) == [REMINDERS[1]]


def test_reminders_passed_when_the_deadline_moved() -> None:
    assert reminders_passed(DEADLINE, DEADLINE - timedelta(hours=25)) == []
    assert reminders_passed(DEADLINE, DEADLINE - timedelta(hours=2)) == [REMINDERS[0]]
    assert reminders_passed(DEADLINE, DEADLINE - timedelta(hours=1)) == list(REMINDERS)


def test_the_decision_keeps_every_members_position_silence_included() -> None:
    positions = {1: _Position("concur", "Only for the Baltic.", "U1", BEFORE, "reservation"),
                 2: _Position("concur", None, "U2", DEADLINE),
                 4: _Position("concur", "As we read it.", "U4", BEFORE)}
    assert rules.stances(positions) == {1: C, 2: C, 4: C}
    assert decision_record([1, 2, 3, 4], {1: "France", 2: "Germany", 4: "Italy"},
                           positions) == [
        {"member_id": 1, "member": "France", "stance": "concur",
         "statement": "Only for the Baltic.", "statement_kind": "reservation", "by": "U1",
         "at": BEFORE.isoformat()},
        {"member_id": 2, "member": "Germany", "stance": "concur", "statement": None,
         "statement_kind": None, "by": "U2", "at": DEADLINE.isoformat()},
        {"member_id": 3, "member": "3", "stance": "silent", "statement": None,
         "statement_kind": None, "by": None, "at": None},
        # A statement recorded without a kind is kept as an interpretative statement.
        {"member_id": 4, "member": "Italy", "stance": "concur", "statement": "As we read it.",
         "statement_kind": "interpretative", "by": "U4", "at": BEFORE.isoformat()},
    ]


# -- the minimum silence and the working calendar ------------------------------------

BRUSSELS = ZoneInfo("Europe/Brussels")
WEEKDAYS = (0, 1, 2, 3, 4)


def _note(deadline: datetime) -> str | None:
    return rules.working_time_note(deadline, BRUSSELS, WEEKDAYS, time(9), time(18))


def test_a_silence_shorter_than_the_minimum() -> None:
    now = datetime(2026, 12, 1, 9, tzinfo=UTC)
    day = timedelta(hours=24)
    assert rules.below_minimum(now + day - timedelta(minutes=1), now, day)
    assert not rules.below_minimum(now + day, now, day)
    assert not rules.below_minimum(now + timedelta(minutes=1), now, timedelta(0))


def test_a_deadline_on_a_working_day_within_the_hours_needs_no_note() -> None:
    # Thursday 3 December 2026, 10:00 in Brussels (09:00 UTC, winter time).
    assert _note(datetime(2026, 12, 3, 9, tzinfo=UTC)) is None
    assert _note(datetime(2026, 12, 3, 8, tzinfo=UTC)) is None  # 09:00: the day's start
    assert _note(datetime(2026, 12, 3, 17, tzinfo=UTC)) is None  # 18:00: its end


def test_a_deadline_on_a_weekend_says_which_day() -> None:
    assert _note(datetime(2026, 12, 5, 10, tzinfo=UTC)) == "falls on a Saturday"
    assert _note(datetime(2026, 12, 6, 10, tzinfo=UTC)) == "falls on a Sunday"
    # Friday 23:30 UTC is already Saturday in Brussels.
    assert _note(datetime(2026, 12, 4, 23, 30, tzinfo=UTC)) == "falls on a Saturday"


def test_a_deadline_outside_working_hours_says_when() -> None:
    assert _note(datetime(2026, 12, 3, 19, tzinfo=UTC)) == (
        "falls at 20:00, outside working hours (09:00-18:00)")
    assert _note(datetime(2026, 12, 3, 7, 59, tzinfo=UTC)) == (
        "falls at 08:59, outside working hours (09:00-18:00)")


def test_working_hours_follow_summer_time_in_brussels() -> None:
    # Spring: summer time begins on Sunday 29 March 2026; from Monday 30 March Brussels
    # is UTC+2, so 16:30 UTC is 18:30 (outside), though it was 17:30 the week before.
    assert _note(datetime(2026, 3, 27, 16, 30, tzinfo=UTC)) is None
    assert _note(datetime(2026, 3, 30, 16, 30, tzinfo=UTC)) == (
        "falls at 18:30, outside working hours (09:00-18:00)")
    # 07:30 UTC: 09:30 in summer (inside), 08:30 in winter (outside).
    assert _note(datetime(2026, 3, 30, 7, 30, tzinfo=UTC)) is None
    # Autumn: winter time begins on Sunday 25 October 2026; 07:30 UTC on Friday 23 is
    # 09:30, on Monday 26 it is 08:30.
    assert _note(datetime(2026, 10, 23, 7, 30, tzinfo=UTC)) is None
    assert _note(datetime(2026, 10, 26, 7, 30, tzinfo=UTC)) == (
        "falls at 08:30, outside working hours (09:00-18:00)")
    # The changes themselves fall on a Sunday.
    assert _note(datetime(2026, 3, 29, 1, 30, tzinfo=UTC)) == "falls on a Sunday"
    assert _note(datetime(2026, 10, 25, 0, 30, tzinfo=UTC)) == "falls on a Sunday"


def test_another_councils_working_week() -> None:
    sunday = datetime(2026, 12, 6, 10, tzinfo=UTC)
    assert rules.working_time_note(sunday, BRUSSELS, (6, 0, 1, 2, 3), time(8), time(16)) is None
    friday = datetime(2026, 12, 4, 10, tzinfo=UTC)
    assert rules.working_time_note(friday, BRUSSELS, (6, 0, 1, 2, 3), time(8), time(16)) == (
        "falls on a Friday")


# -- who may break silence ------------------------------------------------------------


def test_only_the_authorised_roles_break_silence_and_every_delegate_concurs() -> None:
    authorised = ("head", "deputy")
    for role in ("head", "deputy", "milrep", "expert"):
        assert rules.may_break_silence(Stance.CONCUR, role, authorised)
        assert rules.may_break_silence(Stance.OBJECT, role, authorised) is (role in authorised)
        assert rules.may_break_silence(Stance.OBJECT, role, ("head", "deputy", "milrep", "expert"))
    assert not rules.may_break_silence(Stance.OBJECT, None, authorised)


def test_who_proposed_an_amendment_in_electorate_order() -> None:
    assert amenders([5, 3, 9], {9: AM, 3: AM, 5: OB, 42: AM}) == [3, 9]
    assert outcome(Mode.SILENCE, [1, 2], {1: AM}, BEFORE, DEADLINE) is Outcome.SILENCE_BROKEN
    assert outcome(Mode.EXPLICIT, [1, 2], {1: AM, 2: OB}, BEFORE, DEADLINE) is Outcome.BLOCKED


def test_only_a_closed_poll_that_silence_broke_may_be_revised_or_unobjected() -> None:
    from bot.polls.rules_breaks import objection_withdrawable, revisable

    assert revisable("blocked") and revisable("silence_broken")
    assert not any(revisable(s) for s in ("open", "adopted", "failed", "withdrawn"))
    assert objection_withdrawable("blocked", "object", 2, 2, withdrawn=False)
    assert not objection_withdrawable("blocked", "object", 2, 2, withdrawn=True)
    assert not objection_withdrawable("blocked", "object", 1, 2, withdrawn=False)  # revised
    assert not objection_withdrawable("open", "object", 2, 2, withdrawn=False)
    assert not objection_withdrawable("blocked", "amend", 2, 2, withdrawn=False)
    assert rules.may_break_silence(AM, "head", ("head",))
    assert not rules.may_break_silence(AM, "expert", ("head", "deputy"))
