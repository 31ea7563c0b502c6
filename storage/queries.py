"""The few queries that are more than one line, shared by the core."""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Table, func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from storage.engine import ReadOnlyViolation, in_read_only
from storage.models import Council, ProcessedEvent

T = TypeVar("T")

#: ``Session.info`` key: the councils whose write lock this unit of work holds.
_LOCKED = "nrc_locked_councils"


def lock_council(session: Session, council_id: int) -> None:
    """Take a council's write lock for the rest of the unit of work, once.

    PostgreSQL: ``SELECT … FOR UPDATE`` on the council row, held until commit.
    SQLite: the ``BEGIN IMMEDIATE`` every writing unit of work starts with has
    taken the database's write lock already. Either way every writer of a
    council, and the audit chain it appends to, is serialised.
    """
    if in_read_only():
        raise ReadOnlyViolation("a read-only unit of work cannot take a council's write lock")
    locked: set[int] = session.info.setdefault(_LOCKED, set())
    if council_id in locked:
        return
    session.exec(select(Council.id).where(Council.id == council_id).with_for_update()).one()
    locked.add(council_id)


def mark_locked(session: Session, council_id: int) -> None:
    """Record that a statement of the caller's has just locked the council's row."""
    session.info.setdefault(_LOCKED, set()).add(council_id)


def _dialect_insert(session: Session) -> Callable[..., Any]:
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


@functools.cache
def _ignoring(insert: Callable[..., Any], table: Table, conflict: tuple[str, ...]) -> Any:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING id``, built (and compiled) once."""
    return insert(table).on_conflict_do_nothing(index_elements=list(conflict)).returning(
        table.c.id)


def insert_ignoring_duplicates(session: Session, model: Any, values: dict[str, object],
                               conflict: Sequence[str]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING: the new row's id, or None if the key existed.

    The unique key, not a read before the write, decides who wins, so any
    number of processes may try the same insert at once. The statement is
    built once per table, on the table itself: no ORM bookkeeping per row.
    """
    statement = _ignoring(_dialect_insert(session), model.__table__, tuple(conflict))
    found = session.execute(statement, values).first()
    return int(found[0]) if found is not None else None


#: What an upsert sets on a row that exists: ``on_conflict(table, excluded)`` gives the
#: columns from ``excluded`` (the proposed row) and the table's (the existing row).
OnConflict = Callable[[Table, Any], dict[str, object]]


@functools.cache
def _upserting(insert: Callable[..., Any], table: Table, conflict: tuple[str, ...],
               on_conflict: OnConflict) -> Any:
    """``INSERT … ON CONFLICT DO UPDATE … RETURNING id, <conflict>``, built (and compiled)
    once: executed with many rows, SQLAlchemy sends them as one multi-VALUES statement
    ("insertmanyvalues"). A statement built with many VALUES of its own would be
    compiled anew at every call: SQLAlchemy does not cache those."""
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(conflict),
        set_=on_conflict(table, statement.excluded)).returning(
            *(table.c[name] for name in ("id", *conflict)))


def upsert(session: Session, model: Any, rows: Sequence[dict[str, object]],
           conflict: Sequence[str], on_conflict: OnConflict) -> list[int]:
    """INSERT … ON CONFLICT DO UPDATE for one row or many, in one statement; the rows'
    ids, in the order of ``rows``.

    RETURNING promises no order when rows conflict, so each id is matched to its
    row by the conflict key it comes back with. ``on_conflict`` must be a
    module-level function: the statement is built once for it. Every row has the
    same columns, and no two the same conflict key.
    """
    statement = _upserting(_dialect_insert(session), model.__table__, tuple(conflict),
                           on_conflict)
    ids = {tuple(found[1:]): int(found[0]) for found in session.execute(statement, list(rows))}
    return [ids[tuple(r[name] for name in conflict)] for r in rows]


@dataclass(frozen=True)
class Page(Generic[T]):
    """The first rows of a query, and how many it has in all."""

    total: int
    items: list[T]


def first_page(session: Session, query: Any, limit: int) -> Page[Any]:
    """The first ``limit`` rows of ``query`` (one entity) and its total, in one statement.

    The total comes with every row (``count(*) OVER ()``), so a view that shows
    a few things and says how many there are reads only the few.
    """
    rows = session.execute(query.add_columns(func.count().over()).limit(limit)).all()
    return Page(int(rows[0][-1]) if rows else 0, [row[0] for row in rows])


def claim_event(session: Session, council_id: int, event_id: str, now: datetime) -> bool:
    """Record a Slack event as handled: False when it was already (a retry or a duplicate)."""
    return insert_ignoring_duplicates(
        session, ProcessedEvent,
        {"council_id": council_id, "event_id": event_id[:64], "received_at": now},
        ("council_id", "event_id"),
    ) is not None
