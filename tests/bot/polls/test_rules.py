"""The consensus rule, exhaustively and by property."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.polls.rules import Mode, Outcome, Stance, concurring, objectors, outcome, silent

DEADLINE = datetime(2026, 12, 3, 10, 0, tzinfo=UTC)
BEFORE = DEADLINE - timedelta(seconds=1)
AFTER = DEADLINE + timedelta(days=2)
C, OB = Stance.CONCUR, Stance.OBJECT


def _expected(mode: Mode, electorate: list[int], positions: dict[int, Stance],
              now: datetime) -> Outcome:
    """The rule as PRODUCT.md words it, written independently of the code."""
    counted = {m: s for m, s in positions.items() if m in electorate}
    if OB in counted.values():
        return Outcome.BLOCKED
    everyone = len(counted) == len(set(electorate))
    if everyone:
        return Outcome.ADOPTED
    if now < DEADLINE:
        return Outcome.OPEN
    return Outcome.ADOPTED if mode is Mode.SILENCE else Outcome.FAILED


@pytest.mark.parametrize("mode", list(Mode))
@pytest.mark.parametrize("now", [BEFORE, DEADLINE, AFTER])
def test_every_combination_for_four_members(mode: Mode, now: datetime) -> None:
    electorate = [1, 2, 3, 4]
    for stances in itertools.product([None, C, OB], repeat=4):
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
    no_objection = not objectors(electorate, positions)
    everyone = all(positions.get(m) is C for m in electorate)
    assert (result is Outcome.ADOPTED) == ((no_objection and now >= deadline) or everyone)


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
