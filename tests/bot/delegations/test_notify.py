"""``notify``: each delegate chooses how the poll reminders reach them; on both databases."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.runtime import Runtime
from storage.models import AuditEntry, Delegate
from storage.roster import roster_for
from tests.council import ADMIN, CHAIR, OUTSIDER, delegate, run

RU = delegate("RU")
USAGE = "Usage: `/nrc notify [dm|channel|off]`"


def _notify(runtime: Runtime, user: str) -> str:
    with Session(runtime.engine) as s:
        return s.exec(select(Delegate).where(Delegate.user_id == user)).one().notify


def test_notify_alone_says_the_choice_the_channel_by_default(council: Runtime) -> None:
    reply = run(council, RU, "notify")
    assert reply.startswith("The poll reminders mention you in the council channel "
                            "(`notify channel`) when Russian Federation is still silent.")
    assert "head of delegation (without one, its deputies)" in reply


def test_a_delegate_sets_their_own_choice_audited_and_the_roster_copy_follows(
        council: Runtime) -> None:
    assert run(council, RU, "notify DM").startswith(
        "From now on the poll reminders reach you by direct message (`notify dm`)")
    assert _notify(council, RU) == "dm" and _notify(council, delegate("FR")) == "channel"
    with Session(council.engine) as s:
        seat = roster_for(s, 1).seat_of(RU)
        entry = s.exec(select(AuditEntry).order_by(col(AuditEntry.seq).desc())).first()
    assert seat is not None and seat[0].notify == "dm"
    assert entry is not None and entry.action == "delegate.notify"
    assert entry.details == {"user": RU, "notify": "dm", "previous": "channel"}
    assert entry.member == "Russian Federation" and entry.actor == RU
    assert run(council, RU, "notify dm").startswith("Nothing changed. The poll reminders reach")
    assert run(council, RU, "notify off").startswith(
        "From now on the poll reminders neither mention nor message you")
    assert run(council, RU, "notify").startswith("The poll reminders neither mention")


def test_notify_refuses_a_wrong_choice_extra_words_and_non_delegates(council: Runtime) -> None:
    assert run(council, RU, "notify email") == (
        f'"email" is not a choice; use dm, channel or off.\n{USAGE}')
    assert run(council, RU, "notify dm please") == (
        f'Unexpected "please" after the choice.\n{USAGE}')
    for user in (OUTSIDER, CHAIR, ADMIN):
        assert run(council, user, "notify dm").startswith(
            "Only delegations may choose how reminders reach them; you are not in a "
            "member's delegation.")
    assert _notify(council, RU) == "channel"
