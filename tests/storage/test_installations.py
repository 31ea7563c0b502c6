"""Migration 0013: slack-sdk's installation tables as its stores define them, on both
databases, and a council's delivery held and resumed by workspace or organisation."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import inspect, select
from sqlalchemy.engine import Engine

from bot.runtime import Runtime
from storage import installations as tables
from storage.models import Council


def test_the_migration_creates_slack_sdks_tables_column_for_column(engine: Engine) -> None:
    inspector = inspect(engine)
    for table in tables.METADATA.sorted_tables:
        found = {c["name"]: c for c in inspector.get_columns(table.name)}
        assert list(found) == [c.name for c in table.columns], table.name
        for column in table.columns:
            assert found[column.name]["nullable"] == column.nullable, (table.name, column.name)
            length = getattr(column.type, "length", None)
            assert getattr(found[column.name]["type"], "length", None) == length
        assert {i["name"] for i in inspector.get_indexes(table.name)} == {
            i.name for i in table.indexes}
    council = {c["name"] for c in inspector.get_columns("council")}
    assert {"team_id", "enterprise_id", "held_since"} <= council


def _councils(engine: Engine) -> list[tuple[str | None, str | None, datetime | None]]:
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(  # type: ignore[misc]
            select(Council.team_id, Council.enterprise_id, Council.held_since))]  # type: ignore[call-overload]


def test_hold_and_resume_by_workspace_and_by_organisation(runtime: Runtime) -> None:
    engine, now = runtime.engine, datetime(2026, 12, 2, 8, 0, tzinfo=UTC)
    with engine.begin() as connection:
        assert tables.stamp_team(connection, None, "E1", "T7", runtime.council_key) == 1
        # Stamped already: read, nothing written.
        assert tables.stamp_team(connection, None, "E1", "T7", runtime.council_key) == 0
        assert tables.hold(connection, None, "T9", now) == 0  # another workspace
        assert tables.hold(connection, "E1", "T7", now) == 1
    assert _councils(engine) == [("T7", "E1", now)]
    with engine.begin() as connection:
        assert tables.resume(connection, "E1", "T7") == 1
        assert tables.hold(connection, "E1", None, now) == 1  # organisation-wide
    assert _councils(engine) == [("T7", "E1", now)]
    with engine.begin() as connection:
        assert tables.resume(connection, "E2", None) == 0
        assert tables.resume(connection, "E1", None) == 1
    assert _councils(engine) == [("T7", "E1", None)]
