"""Settling a delivered row: its outcome recorded, unless it was rewritten meanwhile;
a transient failure's backoff; failed rows put back (``nrc-bot outbox retry``)."""

from __future__ import annotations

import functools
import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.outbox.port import MAX_ATTEMPTS
from storage.engine import one_statement, transaction
from storage.models import Outbox
from storage.statuses import OutboxStatus

log = logging.getLogger("bot.outbox")

#: The table itself, for the statements that need no ORM bookkeeping.
_TABLE: Any = Outbox.__table__  # type: ignore[attr-defined]


#: Releasing a lease on a row rewritten while it was being sent.
_RELEASE = (update(_TABLE)
            .where(_TABLE.c.id == bindparam("row_id"),
                   _TABLE.c.claimed_until == bindparam("lease"))
            .values(claimed_until=None))


@functools.cache
def _settling(columns: tuple[str, ...]) -> Any:
    """``UPDATE outbox SET <columns> WHERE id = … AND revision = …``, built once per shape."""
    return (update(_TABLE)
            .where(_TABLE.c.id == bindparam("row_id"),
                   _TABLE.c.revision == bindparam("row_revision"))
            .values({name: bindparam(f"set_{name}") for name in columns}))


def _settle(engine: Engine, row: Outbox, **values: object) -> bool:
    """Record the outcome, unless the row was rewritten while we were sending it: then
    release our lease so its newer content goes out now, and say so (False).

    One statement, or two each whole in itself, on a plain connection: no ORM session,
    and on PostgreSQL no transaction around them.
    """
    with one_statement(engine) as connection:
        params = {f"set_{name}": value for name, value in values.items()}
        result = connection.execute(_settling(tuple(sorted(values))),
                                    {"row_id": row.id, "row_revision": row.revision, **params})
        if result.rowcount:
            return True
        connection.execute(_RELEASE, {"row_id": row.id, "lease": row.claimed_until})
        return False


def _defer(engine: Engine, rows: list[Outbox], until: dict[int, datetime]) -> None:
    """Put claimed rows back untouched, each due at its moment (pacing): no attempt used.

    One statement per moment, not per row (a burst of 200 in one channel is held back
    50 at a time); only where our lease still stands. A row rewritten meanwhile goes
    back too: nothing of it was sent, and its newest content goes at that moment."""
    moments: dict[tuple[datetime, datetime | None], list[int]] = {}
    for row in rows:
        if row.id is not None and row.id in until:
            moments.setdefault((until[row.id], row.claimed_until), []).append(row.id)
    if not moments:
        return
    with one_statement(engine) as connection:
        for (moment, lease), ids in moments.items():
            connection.execute(
                update(_TABLE).where(_TABLE.c.id.in_(ids), _TABLE.c.claimed_until == lease)
                .values(status=OutboxStatus.PENDING, claimed_until=None,
                        next_attempt_at=moment))


def _retry(engine: Engine, row: Outbox, now: datetime, error: str,
           retry_after: float | None) -> datetime | None:
    """Try the row again later; the moment of its next attempt (None: failed for good)."""
    attempts = row.attempts + 1
    if attempts >= MAX_ATTEMPTS:
        _settle(engine, row, status=OutboxStatus.FAILED, attempts=attempts, last_error=error,
                claimed_until=None)
        log.error("outbox %s failed after %d attempts: %s", row.key, attempts, error)
        return None
    # A Retry-After is Slack's answer that it did nothing: that long, and the rows the
    # pause held back in its channel go out after it, in order. Otherwise at least 15 s:
    # longer than Slack takes to finish a request we gave up on, so the next attempt's
    # look-up sees a post that did go through.
    backoff = (retry_after if retry_after is not None
               else min(15.0 * 2 ** (attempts - 1), 600.0))
    later = now + timedelta(seconds=backoff)
    _settle(engine, row, status=OutboxStatus.PENDING, attempts=attempts, last_error=error,
            claimed_until=None, next_attempt_at=later)
    log.warning("outbox %s: %s; retrying in %.0f s", row.key, error, backoff)
    return later


def retry_failed(engine: Engine, now: datetime) -> int:
    """Put failed rows back in the queue (``nrc-bot outbox retry``)."""
    with transaction(engine) as session:
        result = session.execute(
            update(Outbox)
            .where(col(Outbox.status) == OutboxStatus.FAILED)
            .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now,
                    claimed_until=None)
        )
        return int(result.rowcount)  # type: ignore[attr-defined]
