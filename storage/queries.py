"""The few queries that are more than one line, shared by the core."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from storage.models import ProcessedEvent


def insert_ignoring_duplicates(session: Session, model: Any, values: dict[str, object],
                               conflict: Sequence[str]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING: True when this call wrote the row.

    The unique key, not a read before the write, decides who wins, so any
    number of processes may try the same insert at once.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=list(conflict))
        .returning(model.id)
    )
    return session.execute(statement).first() is not None


def claim_event(session: Session, council_id: int, event_id: str, now: datetime) -> bool:
    """Record a Slack event as handled: False when it was already (a retry or a duplicate)."""
    return insert_ignoring_duplicates(
        session, ProcessedEvent,
        {"council_id": council_id, "event_id": event_id[:64], "received_at": now},
        ("council_id", "event_id"),
    )
