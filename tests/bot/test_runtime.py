"""The runtime's promises: failures roll back and never leave a user in silence."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import Session, func, select

from bot.context import Context
from bot.messages import Message
from bot.registry import REGISTRY, Command
from bot.runtime import SOMETHING_WENT_WRONG, TRY_AGAIN, Runtime
from bot.settings import Settings
from storage.engine import make_engine
from storage.models import AuditEntry, Outbox
from tests.council import ADMIN, CHANNEL, CHARTER


def _explode(ctx: Context, args: str) -> Message:
    """A command that changes state, then fails."""
    ctx.audit("half.done", {"args": args})
    ctx.post("half-done", Message(text="must never be seen"))
    raise RuntimeError("boom")


def test_a_failing_command_rolls_back_and_says_so(runtime: Runtime,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setitem(REGISTRY, "explode",
                        Command("explode", "explode", _explode, None, (), True))
    with Session(runtime.engine) as s:
        entries = s.exec(select(func.count()).select_from(AuditEntry)).one()
    with caplog.at_level(logging.ERROR):
        reply = runtime.run_command(ADMIN, CHANNEL, "explode now")
    assert reply.text == SOMETHING_WENT_WRONG
    with Session(runtime.engine) as s:
        assert s.exec(select(func.count()).select_from(AuditEntry)).one() == entries
        assert s.exec(select(func.count()).select_from(Outbox)).one() == 0
    record = caplog.records[-1]
    assert "explode now" in record.getMessage() and ADMIN in record.getMessage()
    assert record.exc_info is not None


def test_an_unreachable_database_gets_a_polite_try_again() -> None:
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/none",
                         connect_args={"connect_timeout": 2})
    runtime = Runtime(Settings(), charter=CHARTER, engine=engine)
    assert runtime.run_command(ADMIN, CHANNEL, "members").text == TRY_AGAIN
    assert runtime.run_command(ADMIN, CHANNEL, "nonsense").text.startswith("There is no command")
