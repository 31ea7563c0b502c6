"""Units of work: read-only ones run beside writers and cannot write; dead connections go."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot.context import Context
from bot.exchange import export_state
from bot.messages import Message
from bot.registry import REGISTRY, Command
from bot.runtime import SOMETHING_WENT_WRONG, Runtime
from storage.engine import (
    ReadOnlyViolation,
    _autocommit,
    make_engine,
    one_statement,
    reading,
    transaction,
    upgrade,
)
from storage.models import Council, ProcessedEvent
from storage.queries import lock_council
from tests.council import CHANNEL, delegate, run


def test_a_read_only_unit_of_work_refuses_to_write(council: Runtime) -> None:
    with pytest.raises(ReadOnlyViolation), reading(council.engine) as s:
        s.add(ProcessedEvent(council_id=1, event_id="Ev1",
                             received_at=council.clock()))
        s.flush()
    with pytest.raises(ReadOnlyViolation), reading(council.engine) as s:
        lock_council(s, 1)  # a lock is a writer's
    with Session(council.engine) as s:
        assert s.exec(select(ProcessedEvent)).all() == []


def _sneaky(ctx: Context, args: str) -> Message:
    """Registered as a reader, yet writes."""
    ctx.post("sneaky", Message(text="must never be seen"))
    return Message(text="done")


def test_a_command_registered_as_a_reader_cannot_write(council: Runtime,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(REGISTRY, "sneaky", Command("sneaky", "sneaky", _sneaky, None, (), False))
    before = export_state(council.engine)
    assert run(council, delegate("RU"), "sneaky") == SOMETHING_WENT_WRONG
    assert export_state(council.engine) == before


def test_on_sqlite_a_reader_does_not_wait_for_the_writer(tmp_path: Path) -> None:
    """WAL: a read-only unit of work reads the last commit while a writer holds the lock."""
    engine = make_engine(f"sqlite:///{tmp_path / 'nrc.db'}")
    upgrade(engine)
    from tests.council import make_runtime

    runtime = make_runtime(engine)
    writer_holds, reader_done = threading.Event(), threading.Event()
    seen: list[str] = []

    def write() -> None:
        with transaction(engine) as s:  # BEGIN IMMEDIATE: the write lock
            council = s.exec(select(Council)).one()
            council.chair_user_id = "UNEWCHAIR"
            s.add(council)
            s.flush()
            writer_holds.set()
            assert reader_done.wait(10), "the reader waited for the writer"

    thread = threading.Thread(target=write)
    thread.start()
    assert writer_holds.wait(10)
    with reading(engine) as s:
        seen.append(str(s.exec(select(Council)).one().chair_user_id))
    reader_done.set()
    thread.join()
    assert seen == ["None"]  # the last committed state, not the writer's
    assert runtime.run_command("UOTHER01", CHANNEL, "members").text.startswith("The NATO")
    engine.dispose()


@pytest.mark.postgres
def test_a_connection_the_server_closed_is_replaced_at_checkout(postgres_url: str) -> None:
    """No ping per checkout: a closed socket is noticed locally and the pool reconnects."""
    engine: Engine = make_engine(postgres_url, pool_size=1, max_overflow=0)
    with engine.connect() as conn:
        first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    admin = make_engine(postgres_url)
    with admin.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        conn.commit()
        # pg_terminate_backend only signals: wait until the backend has exited, by
        # which time it has written its goodbye to the socket.
        gone = text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid")
        while conn.execute(gone, {"pid": first}).scalar_one():
            conn.commit()
    # The pool's one connection is dead; the next unit of work still succeeds.
    with reading(engine) as s:
        second = s.execute(text("SELECT pg_backend_pid()")).scalar_one()
    assert second != first
    engine.dispose()
    admin.dispose()


@pytest.mark.postgres
def test_on_postgresql_a_read_only_unit_of_work_opens_no_transaction(postgres_url: str) -> None:
    """No BEGIN and COMMIT around reads: each statement is its own transaction, as each
    statement of a READ COMMITTED transaction has its own snapshot anyway."""
    engine = make_engine(postgres_url)
    ask = text("SELECT txid_current()")
    with reading(engine) as s:
        assert s.execute(ask).scalar_one() != s.execute(ask).scalar_one()
    with transaction(engine) as s:
        assert s.execute(ask).scalar_one() == s.execute(ask).scalar_one()
    engine.dispose()


@pytest.mark.postgres
def test_the_autocommit_face_of_an_engine_is_built_once(postgres_url: str) -> None:
    """Reads and outbox statements run on it many times a second: building an
    OptionEngine each time cost a third of a one-statement unit of work."""
    engine = make_engine(postgres_url)
    assert _autocommit(engine) is _autocommit(engine)
    other = make_engine(postgres_url)
    assert _autocommit(other) is not _autocommit(engine)
    with one_statement(engine) as connection:
        assert connection.connection.dbapi_connection.autocommit
    engine.dispose()
    other.dispose()
