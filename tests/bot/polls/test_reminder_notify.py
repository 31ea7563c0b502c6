"""The poll reminders reach the silent members' heads as each chose (``notify``), once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from bot.messages import Message
from bot.runtime import Runtime
from storage.models import Outbox
from tests.council import ADMIN, CODES, Clock, delegate, run

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RU, US, FR, DE = delegate("RU"), delegate("US"), delegate("FR"), delegate("DE")
DEADLINE = int((T0 + timedelta(hours=48)).timestamp())
DAY = f"poll:1:v1:remind:86400:{DEADLINE}"


def _reminders(runtime: Runtime) -> dict[str, Outbox]:
    with Session(runtime.engine) as s:
        return {o.key: o for o in s.exec(select(Outbox).order_by(col(Outbox.id)))
                if ":remind:" in o.key}


def _lines(row: Outbox) -> list[str]:
    return Message.from_dict(row.payload).sections[0].splitlines()


def _open(runtime: Runtime, line: str = "propose 48h Joint statement on search and rescue"
          ) -> None:
    assert run(runtime, FR, line).startswith("Opened *P1*")


def test_dm_off_and_channel_each_reach_a_head_as_chosen_and_nothing_twice(
        council: Runtime, clock: Clock) -> None:
    run(council, RU, "notify dm")
    run(council, US, "notify off")
    _open(council)
    for code in CODES[:-3]:  # all but GB, US and RU concur
        run(council, delegate(code), "concur P1")
    clock.now = T0 + timedelta(hours=24, minutes=5)
    assert council.tick().recorded["polls"] == 2  # the channel's reminder and one DM
    for _ in range(2):  # again, as a second process would: nothing more
        assert council.tick().recorded["polls"] == 0
    rows = _reminders(council)
    assert sorted(rows) == [DAY, f"{DAY}:dm:{RU}"]
    assert _lines(rows[DAY]) == [f"• *United Kingdom*: <@{delegate('GB')}>",
                                 "• *United States*", "• *Russian Federation*"]
    dm = rows[f"{DAY}:dm:{RU}"]
    assert dm.kind == "dm" and dm.channel == RU and dm.status == "pending"
    message = Message.from_dict(dm.payload)
    assert message.text.startswith("P1 closes <!date^")
    assert ("left) and Russian Federation has not taken a position yet. Under the silence "
            "procedure it is adopted then unless a member objects.") in message.text
    assert [b.action_id for b in message.buttons] == ["poll_concur_now", "poll_concur", "poll_object"]
    assert "`/nrc notify channel`" in message.context[0]
    # Russia concurs: the hour's reminder addresses only the two still silent.
    run(council, RU, "concur P1")
    clock.now = T0 + timedelta(hours=47, minutes=1)
    assert council.tick().recorded["polls"] == 1
    hour = f"poll:1:v1:remind:3600:{DEADLINE}"
    assert not any(k.startswith(f"{hour}:dm:") for k in _reminders(council))
    assert _lines(_reminders(council)[hour]) == [f"• *United Kingdom*: <@{delegate('GB')}>",
                                                 "• *United States*"]


def test_without_a_head_the_deputies_are_addressed(council: Runtime, clock: Clock) -> None:
    run(council, ADMIN, "delegate add RU UDEPUTY01 deputy")
    run(council, ADMIN, "delegate add RU UEXPERT01 expert")
    run(council, ADMIN, f"delegate remove {RU}")
    run(council, "UDEPUTY01", "notify dm")
    _open(council)
    for code in CODES[:-1]:
        run(council, delegate(code), "concur P1")
    clock.now = T0 + timedelta(hours=24, minutes=5)
    council.tick()
    rows = _reminders(council)
    assert sorted(rows) == [DAY, f"{DAY}:dm:UDEPUTY01"]
    assert _lines(rows[DAY]) == ["• *Russian Federation*"]  # the expert is not addressed


def test_a_stale_reminder_sends_no_dm_either(council: Runtime, clock: Clock) -> None:
    run(council, RU, "notify dm")
    _open(council, "propose 3d Text")
    clock.now = T0 + timedelta(days=3) - timedelta(hours=24) + timedelta(hours=7)
    council.tick()
    (row,) = _reminders(council).values()
    assert row.status == "skipped"


def test_the_explicit_procedure_honours_each_delegates_choice(council: Runtime,
                                                              clock: Clock) -> None:
    run(council, ADMIN, "delegate add US UEXPERTUS expert")
    run(council, "UEXPERTUS", "notify dm")
    run(council, RU, "notify off")
    _open(council, "propose --explicit 48h Text")
    for code in CODES[:-2]:
        run(council, delegate(code), "concur P1")
    clock.now = T0 + timedelta(hours=47)
    council.tick()
    rows = {k: o for k, o in _reminders(council).items() if o.status == "pending"}
    hour = f"poll:1:v1:remind:3600:{DEADLINE}"
    assert sorted(rows) == [hour, f"{hour}:dm:UEXPERTUS"]
    assert _lines(rows[hour]) == [f"• *United States*: <@{US}>", "• *Russian Federation*"]
