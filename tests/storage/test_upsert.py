"""``storage.queries.upsert``: many rows, one statement, compiled once."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.interfaces import CacheStats
from sqlmodel import select

from bot import outbox
from bot.runtime import Runtime
from storage.engine import transaction
from storage.models import Outbox

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@contextmanager
def _watching(engine: Engine) -> Iterator[tuple[list[str], list[bool]]]:
    """The statements sent, and for each whether SQLAlchemy compiled it afresh."""
    sent: list[str] = []
    fresh: list[bool] = []

    def before(_conn: Any, _cursor: Any, statement: str, _params: Any, context: Any,
               _many: bool) -> None:
        if not statement.startswith("BEGIN"):
            sent.append(statement)
            fresh.append(context.cache_hit is not CacheStats.CACHE_HIT)

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield sent, fresh
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_refreshing_a_view_for_many_homes_is_one_statement_compiled_once(
        runtime: Runtime) -> None:
    """A poll's update and the App Homes it shows on go in one INSERT … ON CONFLICT,
    and the second time its compiled form comes from SQLAlchemy's cache (a statement
    with its own many VALUES would be compiled at every call, and one with a bound
    NULL in its SET clause sent row by row)."""
    with transaction(runtime.engine) as s:
        cid = runtime.council_for(s, None).id
    homes = [f"U{n:07d}" for n in range(6)]
    for step in range(3):
        with _watching(runtime.engine) as (sent, fresh), transaction(runtime.engine) as s:
            outbox.refresh_view(s, cid, "poll:1", "poll", 1, T0 + timedelta(seconds=step),
                                homes=homes)
        writes = [(st, f) for st, f in zip(sent, fresh, strict=True)
                  if st.lstrip().upper().startswith("INSERT")]
        assert len(writes) == 1, sent
        if step:
            assert writes[0][1] is False, "compiled anew"
    with transaction(runtime.engine, read_only=True) as s:
        rows = s.exec(select(Outbox).where(Outbox.council_id == cid)).all()
    by_key = {row.key: row for row in rows}
    assert by_key["poll:1#update"].revision == 3  # written three times
    assert sorted(k for k in by_key if k.startswith("home:")) == sorted(
        f"home:{user}" for user in homes)
