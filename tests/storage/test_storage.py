"""Tables, migrations and the storage-level guarantees, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot import audit, outbox
from bot.exchange import ImportRefused, export_state, import_state
from bot.messages import Message
from bot.runtime import Runtime
from storage.engine import current_revision, make_engine, normalise_url, transaction, upgrade
from storage.models import AuditEntry, Council, Delegate, Outbox
from storage.tables import TABLES
from tests.council import seat_council

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def test_migrations_create_every_table_with_council_id(engine: Engine) -> None:
    names = set(inspect(engine).get_table_names())
    for model in TABLES:
        table = model.__table__  # type: ignore[attr-defined]
        assert table.name in names
        # A person's language is theirs in every council of their workspace.
        if table.name not in ("council", "userlanguage"):
            assert "council_id" in {c["name"] for c in inspect(engine).get_columns(table.name)}
    assert current_revision(engine) is not None
    upgrade(engine)  # a second upgrade is a no-op
    assert current_revision(engine) is not None


def test_instants_come_back_aware_utc(runtime: Runtime) -> None:
    with Session(runtime.engine) as s:
        created = s.exec(select(Council)).one().created_at
    assert created == datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    assert created.tzinfo is UTC


def test_one_delegation_per_user_is_a_database_rule(council: Runtime) -> None:
    with pytest.raises(IntegrityError), transaction(council.engine) as s:
        first = s.exec(select(Delegate)).first()
        assert first is not None
        s.add(Delegate(council_id=first.council_id, member_id=first.member_id + 1,
                       user_id=first.user_id, role="expert", added_at=NOW, added_by="x"))


def test_outbox_keys_are_unique_per_council(runtime: Runtime) -> None:
    with transaction(runtime.engine) as s:
        council_id = s.exec(select(Council.id)).one()
        assert outbox.post(s, council_id, "reminder:M1:3600", Message(text="one"), NOW)
        assert not outbox.post(s, council_id, "reminder:M1:3600", Message(text="two"), NOW)
    with Session(runtime.engine) as s:
        rows = list(s.exec(select(Outbox)))
    assert [r.payload["text"] for r in rows] == ["one"]


def test_audit_chain_detects_tampering(council: Runtime) -> None:
    with Session(council.engine) as s:
        council_id = s.exec(select(Council.id)).one()
        assert audit.verify(s, council_id).intact
    with council.engine.begin() as conn:  # behind the bot's back
        conn.execute(text("UPDATE auditentry SET actor = 'UFORGER01' WHERE seq = 5"))
    with Session(council.engine) as s:
        verdict = audit.verify(s, council_id)
    assert not verdict.intact and verdict.broken_at is not None
    assert verdict.broken_at.seq == 5
    assert verdict.reason == "entry 5 was altered after it was written"


def test_audit_chain_detects_a_deleted_entry(council: Runtime) -> None:
    with council.engine.begin() as conn:
        conn.execute(text("DELETE FROM auditentry WHERE seq = 7"))
    with Session(council.engine) as s:
        council_id = s.exec(select(Council.id)).one()
        verdict = audit.verify(s, council_id)
    assert verdict.reason == "entry 8 follows a missing entry 7"


def test_export_import_export_is_byte_identical(council: Runtime, tmp_path: object) -> None:
    first = export_state(council.engine)
    target = make_engine(f"sqlite:///{tmp_path}/copy.db")  # type: ignore[operator]
    upgrade(target)
    counts = import_state(target, first)
    assert counts["member"] == 20 and counts["delegate"] == 20 and counts["auditentry"] == 23
    assert export_state(target) == first
    with Session(target) as s:
        council_id = s.exec(select(Council.id)).one()
        assert audit.verify(s, council_id).intact
        assert len(list(s.exec(select(AuditEntry)))) == 23


def test_import_into_the_same_backend_and_continue(council: Runtime, engine: Engine) -> None:
    document = export_state(council.engine)
    with pytest.raises(ImportRefused, match="not empty"):
        import_state(engine, document)
    names = ", ".join(m.__table__.name for m in reversed(TABLES))  # type: ignore[attr-defined]
    with engine.begin() as conn:
        for name in names.split(", "):
            conn.execute(text(f"DELETE FROM {name}"))
    import_state(engine, document)
    assert export_state(engine) == document
    # New rows get fresh ids after an import (PostgreSQL sequences are reset).
    reply = council.run_command("UADMIN01", "CCOUNCIL1", "delegate add Spain UGARCIA01 expert")
    assert "joins the delegation of Spain" in reply.text


def test_import_refuses_what_is_not_an_export(engine: Engine) -> None:
    with pytest.raises(ImportRefused, match="not JSON"):
        import_state(engine, "{nope")
    with pytest.raises(ImportRefused, match="not an nrc-bot export"):
        import_state(engine, '{"format": "other"}')


def test_sqlite_runs_in_wal_with_foreign_keys(sqlite_engine: Engine) -> None:
    with sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_postgres_urls_use_psycopg_3() -> None:
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u:p@h:5/db") == "postgresql+psycopg://u:p@h:5/db"
    assert normalise_url("sqlite:///nrc.db") == "sqlite:///nrc.db"


def test_seating_twice_concurrently_keeps_one_council(engine: Engine) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from tests.council import make_runtime

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda _: make_runtime(engine), range(4)))
    with Session(engine) as s:
        assert len(list(s.exec(select(Council)))) == 1
    seat_council(make_runtime(engine))
