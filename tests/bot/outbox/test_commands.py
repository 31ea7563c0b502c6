"""The secretariat sees what is waiting or failed in the outbox."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlmodel import Session, select

from bot import outbox
from bot.messages import Message
from bot.runtime import Runtime
from storage.engine import transaction
from storage.models import Council, Outbox
from tests.council import ADMIN, Clock, delegate, run


def test_outbox_shows_pending_and_failed_to_the_secretariat(council: Runtime,
                                                            clock: Clock) -> None:
    with Session(council.engine) as s:
        council_id = s.exec(select(Council.id)).one()
    assert council_id is not None
    with transaction(council.engine) as s:
        outbox.post(s, council_id, "meeting:1", Message(text="a"), clock.now)
        outbox.post(s, council_id, "meeting:2", Message(text="b"), clock.now)
        s.execute(update(Outbox).where(Outbox.key == "meeting:2")
                  .values(status="failed", attempts=8, last_error="chat.postMessage: <boom>"))
        outbox.post(s, council_id, "meeting:3", Message(text="c"), clock.now)
        s.execute(update(Outbox).where(Outbox.key == "meeting:3").values(attempts=1))
    clock.now += timedelta(minutes=10)
    reply = council.run_command(ADMIN, None, "outbox")
    assert reply.text == "Outbox: 22 sent, 2 pending, 1 failed."
    listing = reply.sections[0]
    assert "`meeting:1` pending (late), 0 attempts" in listing
    assert "`meeting:2` failed, 8 attempts" in listing and "&lt;boom&gt;" in listing
    assert "`meeting:3` pending (late), 1 attempt, since" in listing
    assert "nrc-bot outbox retry" in reply.context[0]
    assert run(council, delegate("FR"), "outbox").startswith(
        "Only the secretariat may inspect the outbox.")
