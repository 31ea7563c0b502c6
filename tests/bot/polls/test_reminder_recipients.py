"""Whom a poll reminder addresses, and how each hears of it: pure, without a database."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.delegations.rules import DEPUTY, HEAD, ROLES
from bot.polls import passes
from bot.polls.passes import addressed, recipients
from bot.polls.rules import Mode
from storage.models import Delegate, Notify

AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _d(member: int, user: str, role: str, notify: Notify = Notify.CHANNEL) -> Delegate:
    return Delegate(council_id=1, member_id=member, user_id=user, role=role, added_at=AT,
                    added_by="UADMIN01", notify=notify.value)


def test_the_roles_are_the_delegations_own() -> None:
    assert (passes.HEAD, passes.DEPUTY) == (HEAD, DEPUTY) and {HEAD, DEPUTY} <= set(ROLES)


def test_the_head_is_addressed_else_the_deputies_and_in_the_explicit_procedure_all() -> None:
    head, deputy, expert = _d(1, "UH", "head"), _d(1, "UD", "deputy"), _d(1, "UE", "expert")
    assert addressed([deputy, head, expert], Mode.SILENCE) == [head]
    second = _d(1, "UD2", "deputy")
    assert addressed([deputy, expert, second], Mode.SILENCE) == [deputy, second]
    assert addressed([expert, _d(1, "UM", "milrep")], Mode.SILENCE) == []
    assert addressed([deputy, head, expert], Mode.EXPLICIT) == [deputy, head, expert]


def test_each_addressed_delegate_is_mentioned_messaged_or_left_alone_as_they_chose() -> None:
    seated = [_d(1, "U1", "head"), _d(2, "U2", "head", Notify.DM),
              _d(3, "U3", "head", Notify.OFF), _d(3, "U3D", "deputy"),
              _d(4, "U4", "expert"), _d(5, "U5", "head", Notify.DM)]
    mentions, direct = recipients(seated, [1, 2, 3, 4], Mode.SILENCE)
    # 5 has concurred (not silent): no one hears of it; 4 has no head nor deputy.
    assert mentions == {1: ["U1"], 2: [], 3: []}
    assert direct == [(2, "U2")]
    mentions, direct = recipients(seated, [3, 4], Mode.EXPLICIT)
    assert mentions == {3: ["U3D"], 4: ["U4"]} and direct == []
