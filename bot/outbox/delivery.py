"""Delivering the outbox: claim what is due, send it through a port, settle the row.

Whichever process claims a row first sends it; a claim is a lease (``LEASE``), so a
row whose process vanished is sent again by another, which first asks Slack whether
it already went out (``Port.find``).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, case, func, or_, update
from sqlalchemy import select as select_columns
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot import keys
from bot.messages import Message
from bot.outbox import delivery_canvas
from bot.outbox.pacing import METHODS_OF, Pacer
from bot.outbox.port import (
    BATCH,
    LEASE,
    WAIT,
    PermanentError,
    Port,
    TransientError,
    Unavailable,
    Waiting,
    port_for,
)
from bot.outbox.settle import _defer, _retry, _settle
from bot.times import utcnow
from storage.engine import one_statement, reading
from storage.models import Council, Outbox
from storage.statuses import OutboxKind, OutboxStatus

log = logging.getLogger("bot.outbox")

@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    deferred: int = 0
    skipped: int = 0
    #: Rows held back by pacing (``pacing``), no attempt used.
    paced: int = 0
    #: The rows this delivery settled (sent, deferred, retried later or failed).
    settled: set[int] = field(default_factory=set)
    #: When each row held back by pacing may go (its ``next_attempt_at``).
    later: dict[int, datetime] = field(default_factory=dict)


#: The table itself, for the statements that need no ORM bookkeeping.
_TABLE: Any = Outbox.__table__  # type: ignore[attr-defined]


@dataclass
class Claim:
    """A row this worker now sends (a copy, attached to no session), and where it goes.

    ``recovering``: a worker claimed it before and vanished. ``channel`` is the
    council's channel and ``ref`` the (channel, ts) of the message it threads under
    or updates, as the claim found them: ``None`` when not posted yet (then read
    again when sent, in case it went out meanwhile in the same round).
    """

    row: Outbox
    recovering: bool
    channel: str | None = None
    ref: tuple[str, str] | None = None
    team: str | None = None

    @property
    def where(self) -> str | None:
        """The channel (or user) it goes to, as the claim names it (``_WHERE``)."""
        return self.ref[0] if self.ref else self.row.channel or self.channel


@functools.cache
def _claim_query(postgresql: bool, one_council: bool, by_id: bool = False,
                 holding: bool = False) -> Any:
    """The claim, built once: what is due and free, with the council's channel and team
    and the message each row threads under or updates. App Homes, rebuilt in full and
    each for one viewer, come after posts and updates, which keep their order.
    ``holding``: not in the channels pacing holds back in this delivery (``held``), so
    a burst in one channel does not fill every batch while others wait."""
    wall: Any = bindparam("wall")
    now: Any = bindparam("now")
    t, ref, council = _TABLE, _TABLE.alias("ref"), Council.__table__  # type: ignore[attr-defined]
    query = (
        select_columns(t, council.c.channel_id.label("council_channel"),
                       council.c.team_id.label("council_team"),
                       ref.c.posted_channel.label("ref_channel"), ref.c.ts.label("ref_ts"))
        .join(council, council.c.id == t.c.council_id)
        .outerjoin(ref, (ref.c.council_id == t.c.council_id)
                   & (ref.c.key == func.coalesce(t.c.target_key, t.c.thread_key)))
        .where(
            or_(
                # A pending row rewritten while a worker was sending its older content
                # keeps that worker's lease: the newer content waits for the older
                # request to finish, so Slack never ends up showing the older.
                (t.c.status == OutboxStatus.PENDING)
                & (t.c.claimed_until.is_(None) | (t.c.claimed_until < wall)),
                (t.c.status == OutboxStatus.SENDING) & (t.c.claimed_until < wall),
            ),
            t.c.next_attempt_at <= now,
            # The app uninstalled from the council's workspace: its rows wait, unclaimed
            # and kept, until it is installed again (``storage.installations``).
            council.c.held_since.is_(None),
        )
        .order_by(case((t.c.kind == OutboxKind.HOME, 1), else_=0), t.c.id)
        .limit(BATCH)
    )
    if one_council:
        query = query.where(t.c.council_id == bindparam("council_id"))
    if by_id:
        query = query.where(t.c.id.in_(bindparam("ids", expanding=True)))
    if holding:  # where it goes, as ``Claim.where`` has it
        where = func.coalesce(ref.c.posted_channel, t.c.channel, council.c.channel_id)
        query = query.where(where.is_(None)
                            | where.not_in(bindparam("held", expanding=True)))
    if not postgresql:
        return query
    # PostgreSQL: one statement takes the rows and leases them, with no transaction
    # around it: UPDATE … FROM (SELECT … FOR UPDATE SKIP LOCKED) … RETURNING.
    picked = query.with_only_columns(
        t.c.id, t.c.status.label("was_status"), council.c.channel_id.label("council_channel"),
        council.c.team_id.label("council_team"),
        ref.c.posted_channel.label("ref_channel"), ref.c.ts.label("ref_ts"),
    ).with_for_update(skip_locked=True, of=t).subquery("picked")
    return (update(t).where(t.c.id == picked.c.id)
            .values(status=OutboxStatus.SENDING, claimed_until=bindparam("lease"))
            .returning(t, picked.c.was_status, picked.c.council_channel,
                       picked.c.council_team, picked.c.ref_channel, picked.c.ref_ts))


_COLUMNS = tuple(c.name for c in _TABLE.columns)
#: The claim's order (``_claim_query``): RETURNING keeps none.
_FIRST: dict[str, int] = {OutboxKind.HOME: 1}


def _claim(engine: Engine, now: datetime, council_id: int | None,
           rows: list[int] | None = None, held: Mapping[str, object] | None = None
           ) -> list[Claim]:
    """Take a batch of due rows for this worker (of ``rows`` only, if given; none going to
    the channels ``held``), so no other worker sends them."""
    # Leases run on the wall clock, whatever moment a pass delivers "as of": a
    # `tick --at` a day ahead must not take over a send in progress right now.
    wall = utcnow()
    lease = wall + LEASE
    postgresql = engine.dialect.name == "postgresql"
    params: dict[str, object] = {"wall": wall, "now": now, "lease": lease}
    if council_id is not None:
        params["council_id"] = council_id
    if rows is not None:
        params["ids"] = sorted(set(rows))
    if held:
        params["held"] = sorted(held)
    query = _claim_query(postgresql, council_id is not None, rows is not None, bool(held))
    with one_statement(engine) as connection:
        claims = []
        for found in connection.execute(query, params).mappings():
            row = Outbox(**{name: found[name] for name in _COLUMNS})
            ref = ((str(found["ref_channel"]), str(found["ref_ts"]))
                   if found["ref_ts"] and found["ref_channel"] else None)
            was = found["was_status"] if postgresql else row.status
            claims.append(Claim(row, was == OutboxStatus.SENDING, found["council_channel"], ref,
                                found["council_team"]))
        if not claims:
            return []
        if not postgresql:  # SQLite's RETURNING cannot name the joined tables: two steps
            connection.execute(update(_TABLE)
                               .where(_TABLE.c.id.in_([c.row.id for c in claims]))
                               .values(status=OutboxStatus.SENDING, claimed_until=lease))
    for claim in claims:  # as the database now has them
        claim.row.status, claim.row.claimed_until = OutboxStatus.SENDING, lease
    claims.sort(key=lambda c: (_FIRST.get(c.row.kind, 0), c.row.id or 0))
    return claims


def _ts_of(session: Session, council_id: int, key: str) -> tuple[str, str] | None:
    found = session.execute(
        select(Outbox.posted_channel, Outbox.ts)
        .where(Outbox.council_id == council_id, Outbox.key == key)
    ).first()
    if found is None or found.ts is None or found.posted_channel is None:
        return None
    return str(found.posted_channel), str(found.ts)


def _ref(engine: Engine, claim: Claim, key: str) -> tuple[str, str]:
    """Where the message ``key`` went; Waiting until it has gone."""
    if claim.ref is not None:
        return claim.ref
    with reading(engine) as session:  # it may have gone out earlier in this round
        found = _ts_of(session, claim.row.council_id, key)
    if found is None:
        raise Waiting(f"waiting for {key} to be posted")
    return found


def _target(engine: Engine, claim: Claim) -> tuple[str | None, str | None]:
    """Where a post or DM goes: (channel or user, thread ts); Waiting if not yet known."""
    row = claim.row
    if row.kind == OutboxKind.DM:
        return row.channel, None
    if row.thread_key:
        return _ref(engine, claim, row.thread_key)
    return row.channel or claim.channel, None


#: Builds a message from the records as they are when it is delivered:
#: ``renderer(session, council_id, ref, now)``. ``home`` renders App Homes (``ref``:
#: the user); others render the views named by :func:`refresh_view`.
Renderer = Callable[[Session, int, Any, datetime], Message]
Renderers = Mapping[str, Renderer]


def _render(session: Session, renderers: Renderers, view: str, council_id: int, ref: object,
            now: datetime) -> Message:
    renderer = renderers.get(view)
    if renderer is None:
        raise Waiting(f"no renderer for {view!r} in this process")
    return renderer(session, council_id, ref, now)


def _send(engine: Engine, port: Port, claim: Claim, now: datetime,
          renderers: Renderers) -> tuple[str, str]:
    """Send one claimed row and return (channel, ts); raise Waiting if it cannot go yet.

    A row being retried (an earlier attempt timed out or got a 5xx) or
    recovering (a worker claimed it and vanished) may have reached Slack
    already, so look before posting again.
    """
    row = claim.row
    if row.kind in (OutboxKind.POST, OutboxKind.DM):
        message = Message.from_dict(row.payload)
        channel, thread_ts = _target(engine, claim)
        if (claim.recovering or row.attempts > 0) and channel is not None:
            found = port.find(channel, row.key, thread_ts, min(row.created_at, utcnow()))
            if found is not None:
                log.warning("outbox %s had been posted before a crash; not posting again",
                            row.key)
                return found
        if row.kind == OutboxKind.DM:
            assert channel is not None
            return port.dm(channel, message, row.key)
        return port.post(channel, message, thread_ts, row.key)
    if row.kind == OutboxKind.UPDATE:
        assert row.target_key is not None
        target = _ref(engine, claim, row.target_key)
        view = row.payload.get("view")
        if view:
            with reading(engine) as session:
                message = _render(session, renderers, str(view), row.council_id,
                                  row.payload.get("ref"), now)
        else:
            message = Message.from_dict(row.payload)
        port.update(target[0], target[1], message)
        return target
    if row.kind in (OutboxKind.CANVAS, OutboxKind.CANVAS_EDIT):
        view, ref = str(row.payload.get("view")), row.payload.get("ref")
        return delivery_canvas.send(
            engine, port, row, claim.channel,
            lambda session: _render(session, renderers, view, row.council_id, ref, now))
    if row.kind == OutboxKind.HOME:
        assert row.channel is not None
        with reading(engine) as session:
            home = _render(session, renderers, "home", row.council_id, row.channel, now)
        port.publish_home(row.channel, home)
        return (row.channel, "")
    raise PermanentError(f"unknown outbox kind {row.kind!r}")


def deliver(engine: Engine, port: Port, now: datetime, council_id: int | None = None,
            rounds: int = 20, renderers: Renderers | None = None,
            rows: list[int] | None = None, pacer: Pacer | None = None) -> DeliveryReport:
    """Send what is due (of ``rows`` only, if given: the ids a process recorded), at the
    pace ``pacer`` allows (``pacing``). Safe to run in any number of processes at once.

    A channel whose row must wait (paced, or retried later) is held back for the rest
    of this delivery: its later rows wait too, so posts in a channel never overtake
    each other, and the next batches are other channels' rows.
    """
    report = DeliveryReport()
    if rows is not None and not rows:
        return report
    wanted = rows
    held: dict[str, datetime] = {}  # channel: the moment its rows may go
    for _ in range(rounds):
        claims = _claim(engine, now, council_id, wanted, held)
        if not claims:
            break
        full = len(claims) == BATCH
        progressed, holding = False, len(held)
        again: list[int] = []  # rewritten while being sent: to send again, newest content
        for claim in claims:
            row = claim.row
            report.settled.add(row.id or 0)  # whatever the outcome, unless rewritten (below)
            wait = _paced(pacer, claim, held, now)
            if wait is not None:  # like Waiting, no attempt used; other channels go first
                report.paced += 1
                report.later[row.id or 0] = wait
                continue
            try:
                channel, ts = _send(engine, port_for(port, row.council_id), claim, now,
                                    renderers or {})
            except TransientError as exc:
                report.retried += 1
                later = _retry(engine, row, now, str(exc), exc.retry_after)
                if pacer is not None and exc.retry_after is not None:
                    pacer.pause(claim.team, exc.method or METHODS_OF[row.kind][0],
                                now + timedelta(seconds=exc.retry_after))
                if later is not None and claim.where is not None:
                    held.setdefault(claim.where, later)
                continue
            except (delivery_canvas.Skipped, Unavailable) as exc:
                report.skipped += 1
                if isinstance(exc, Unavailable):
                    notice = _canvas_unavailable(engine, row, now, str(exc), renderers or {})
                    if notice is not None:  # sent in this delivery, whoever asked for rows
                        again.append(notice)
                        wanted = None if wanted is None else [*wanted, notice]
                _settle(engine, row, status=OutboxStatus.SKIPPED, attempts=row.attempts + 1,
                        last_error=str(exc), claimed_until=None)
                continue
            except PermanentError as exc:
                report.failed += 1
                _settle(engine, row, status=OutboxStatus.FAILED, attempts=row.attempts + 1,
                        last_error=str(exc), claimed_until=None)
                log.error("outbox %s failed for good: %s", row.key, exc)
                continue
            except Waiting as exc:
                report.deferred += 1
                _settle(engine, row, status=OutboxStatus.PENDING, claimed_until=None,
                        last_error=str(exc), next_attempt_at=now + WAIT)
                continue
            progressed = True
            report.sent += 1
            values: dict[str, object] = {"status": OutboxStatus.SENT, "sent_at": now,
                                         "claimed_until": None,
                                         "attempts": row.attempts + 1, "last_error": None}
            if row.kind in (OutboxKind.POST, OutboxKind.DM, OutboxKind.CANVAS):
                values.update(ts=ts, posted_channel=channel)
            if not _settle(engine, row, **values):
                report.settled.discard(row.id or 0)
                again.append(row.id or 0)
        _defer(engine, [c.row for c in claims], report.later)
        if full and (progressed or len(held) > holding):
            continue  # more may be due (elsewhere than the channels held): ask again
        if not again:
            # A batch short of full took everything due; what came due while it was
            # being sent wakes the courier again (or waits for the clock's next round).
            break
        wanted = again  # nobody else will: whoever rewrote them found them leased to us
    return report


def _paced(pacer: Pacer | None, claim: Claim, held: dict[str, datetime],
           now: datetime) -> datetime | None:
    """When the claimed row may go, if not now: its channel is held back in this
    delivery, or the pacer has no token for it (then its channel is held from now)."""
    where = claim.where
    if where is not None and where in held:
        return held[where]
    if pacer is None:
        return None
    wait = pacer.admit(claim.team, where, claim.row.kind, now)
    if wait is not None and where is not None:
        held[where] = wait
    return wait


def _canvas_unavailable(engine: Engine, row: Outbox, now: datetime, reason: str,
                        renderers: Renderers) -> int | None:
    """Tell the secretariat, once, that the workspace has no canvases; the notice's row."""
    log.warning("outbox %s: %s; meetings go on without canvases", row.key, reason)
    view = keys.CANVAS_UNAVAILABLE_VIEW
    render = renderers.get(view)
    return delivery_canvas.unavailable(
        engine, row, now, reason,
        None if render is None else lambda session: render(session, row.council_id, reason, now))
