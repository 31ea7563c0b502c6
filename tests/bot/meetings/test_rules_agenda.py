"""The agenda's rules on plain values: who may change what in which state."""

from __future__ import annotations

import pytest

from bot.errors import CommandError, Refused
from bot.meetings import rules_agenda
from storage.statuses import AgendaState

DRAFT, CIRCULATED, ADOPTED = AgendaState.DRAFT, AgendaState.CIRCULATED, AgendaState.ADOPTED


def test_a_delegation_changes_only_its_own_items_while_a_draft() -> None:
    # "a delegation may edit or remove only its own items while the agenda is a draft"
    rules_agenda.check_change(4, DRAFT, False, True, "edit", 1)
    rules_agenda.check_change(4, DRAFT, False, True, "remove", 1)
    with pytest.raises(Refused, match="may edit item 2; it is not your delegation's"):
        rules_agenda.check_change(4, DRAFT, False, False, "edit", 2)
    with pytest.raises(Refused, match="Only the Chair or the secretariat may remove items of "
                                      "the agenda of M4 now that it is circulated"):
        rules_agenda.check_change(4, CIRCULATED, False, True, "remove", 1)
    with pytest.raises(Refused, match="may move agenda items"):
        rules_agenda.check_change(4, DRAFT, False, True, "move", 1)


@pytest.mark.parametrize("state", [DRAFT, CIRCULATED])
def test_the_chair_and_secretariat_change_any_item_until_adopted(state: str) -> None:
    for doing in ("edit", "remove", "move"):
        rules_agenda.check_change(4, state, True, False, doing, 1)
    with pytest.raises(CommandError, match="M4 is adopted; it can no longer change"):
        rules_agenda.check_change(4, ADOPTED, True, False, "edit", 1)


def test_adding_states_and_revisions() -> None:
    rules_agenda.check_add(4, DRAFT, False)
    rules_agenda.check_add(4, CIRCULATED, True)
    with pytest.raises(Refused, match="Only the Chair or the secretariat may add"):
        rules_agenda.check_add(4, CIRCULATED, False)
    with pytest.raises(CommandError, match="adopted"):
        rules_agenda.check_add(4, ADOPTED, True)
    assert [rules_agenda.is_revision(s) for s in (DRAFT, CIRCULATED, ADOPTED)] == [
        False, True, False]


def test_circulate_then_adopt() -> None:
    rules_agenda.check_circulate(4, DRAFT)
    with pytest.raises(CommandError, match="already circulated"):
        rules_agenda.check_circulate(4, CIRCULATED)
    with pytest.raises(CommandError, match="still a draft; circulate it first"):
        rules_agenda.check_adopt(4, DRAFT)
    rules_agenda.check_adopt(4, CIRCULATED)
    with pytest.raises(CommandError, match="adopted"):
        rules_agenda.check_adopt(4, ADOPTED)


def test_numbers_and_moves() -> None:
    assert rules_agenda.item_index("2", 3) == 1
    for bad in ("0", "4", "x", "-1", ""):
        with pytest.raises(CommandError, match="give a number from 1 to 3"):
            rules_agenda.item_index(bad, 3)
    with pytest.raises(CommandError, match="no items yet"):
        rules_agenda.item_index("1", 0)
    assert rules_agenda.moved([0, 1, 2, 3], 3, 0) == [3, 0, 1, 2]
    assert rules_agenda.moved([0, 1, 2, 3], 0, 2) == [1, 2, 0, 3]
