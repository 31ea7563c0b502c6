"""Scheduler passes: the reminders and closes that are due at an instant.

A pass is a function registered with :func:`scheduled_pass`. It looks at one
council as of ``now`` and records in the outbox what is due; the outbox's
unique keys make a pass idempotent, and make several processes running passes
at once harmless: the database, not the scheduler, decides who sends.

A pass may come with a ``due`` query (``scheduled_pass(name, due=...)``): a few
set-based statements over every council at once that name the councils the pass
has something to write for. Only those are locked and passed over, so a pass over
any number of councils with nothing due costs the same few statements.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import Integer, Text, and_, bindparam, column, func, text, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot import audit, outbox
from bot.messages import Build, Message, count, in_language
from bot.scope import Scope, Scoped
from bot.settings import Settings
from bot.times import local_text
from storage.engine import transaction
from storage.models import Council, Outbox
from storage.queries import mark_locked

log = logging.getLogger(__name__)


#: After downtime, a reminder whose moment passed less than this ago is still sent.
GRACE_LONG = timedelta(hours=6)  # reminders a day or more ahead
GRACE_SHORT = timedelta(minutes=15)  # reminders less than a day ahead (the 1-hour one)


def grace_for(ahead: timedelta) -> timedelta:
    """How late a reminder sent ``ahead`` of its event may still usefully go out."""
    return GRACE_LONG if ahead >= timedelta(days=1) else GRACE_SHORT


def disposition(moment: datetime, now: datetime, grace: timedelta) -> str:
    """``wait`` before the moment, ``send`` within the grace after it, ``skip`` when stale."""
    if now < moment:
        return "wait"
    return "send" if now - moment <= grace else "skip"


@dataclass(frozen=True)
class PassContext(Scoped, outbox.OutboxWriter):
    """One council, as of one instant, inside one transaction holding its write lock."""

    session: Session
    council: Council
    now: datetime
    scope: Scope

    def grace(self, ahead: timedelta) -> timedelta:
        """The grace for a reminder sent ``ahead`` of its event (PRODUCT.md section 8)."""
        return self.settings.grace_long if ahead >= timedelta(days=1) else self.settings.grace_short

    def remind(self, key: str, moment: datetime, message: Message | Build, grace: timedelta, *,
               thread_key: str | None = None, dm_to: str | None = None) -> int:
        """Record a reminder due at ``moment`` once: sent if fresh, skipped if stale.

        Returns 1 when this call recorded a reminder to send, else 0. The key
        makes it idempotent across passes and processes.
        """
        verdict = disposition(moment, self.now, grace)
        if verdict == "wait":
            return 0
        if verdict == "skip":
            outbox.skip(self.session, self.council_id, key, in_language(message, None), self.now,
                        f"stale: due {moment.isoformat()}, pass at {self.now.isoformat()}")
            return 0
        if dm_to is not None:
            return int(self.dm(key, dm_to, message))
        return int(self.post(key, message, thread_key=thread_key))


    def audit(self, action: str, details: dict[str, Any], member: str | None = None) -> None:
        audit.append(self.session, self.council_id, self.now, audit.SYSTEM, action, details,
                     member, audit.SYSTEM)


Pass = Callable[[PassContext], int]
#: Which councils a pass has something to write for as of ``now``: ``due(session, now,
#: settings)``. A constant number of set-based queries over every council, outside any
#: lock; it may name a council with nothing to do (the pass, under the lock, decides),
#: never leave out one with something to do.
Due = Callable[[Session, datetime, Settings], Iterable[int]]
PASSES: list[tuple[str, Pass]] = []
#: What one message a pass records is called, by the pass's name (``meeting reminders``:
#: ``meeting reminder``), so that a summary says "1 meeting reminder".
SINGULAR: dict[str, str] = {}
#: The ``due`` query of each pass that has one, by the pass's name. A pass without one
#: runs for every council.
DUE: dict[str, Due] = {}


def scheduled_pass(name: str, *, due: Due | None = None,
                   one: str | None = None) -> Callable[[Pass], Pass]:
    """Register a pass; it returns how many messages it recorded.

    ``name`` is the plural of what it records ("meeting reminders"); ``one`` the
    singular where it is not the name without its final s. ``due`` (optional) names
    the councils the pass may have something to write for, so that a council with
    nothing due is neither locked nor read.
    """

    def register(fn: Pass) -> Pass:
        PASSES.append((name, fn))
        SINGULAR[name] = one or name.removesuffix("s")
        if due is not None:
            DUE[name] = due
        return fn

    return register


#: Outbox keys looked up per statement (SQLite's limit on bound parameters).
_KEYS_PER_STATEMENT = 10_000


def recorded_keys(session: Session, pairs: Iterable[tuple[int, str]]) -> set[tuple[int, str]]:
    """Which of these (council id, outbox key) pairs are already recorded, sent or skipped.

    One statement (PostgreSQL: a join on two arrays; SQLite: a row-value ``IN``), using the
    unique ``(council_id, key)`` index whatever the number of councils.
    """
    wanted = sorted(set(pairs))
    if not wanted:
        return set()
    if session.get_bind().dialect.name == "postgresql":
        due = func.unnest(
            bindparam("due_councils", [c for c, _ in wanted], type_=ARRAY(Integer)),
            bindparam("due_keys", [k for _, k in wanted], type_=ARRAY(Text)),
        ).table_valued(column("council_id", Integer), column("key", Text)).render_derived(
            name="due")
        rows = session.execute(
            select(Outbox.council_id, Outbox.key).join(
                due, and_(col(Outbox.council_id) == due.c.council_id,
                          col(Outbox.key) == due.c.key)))
        return {(int(c), str(k)) for c, k in rows}
    found: set[tuple[int, str]] = set()
    for start in range(0, len(wanted), _KEYS_PER_STATEMENT):
        chunk = wanted[start:start + _KEYS_PER_STATEMENT]
        rows = session.execute(select(Outbox.council_id, Outbox.key).where(
            tuple_(col(Outbox.council_id), col(Outbox.key)).in_(chunk)))
        found.update((int(c), str(k)) for c, k in rows)
    return found


@dataclass
class TickReport:
    """What one pass recorded, by pass; ``tz``: the zone its moment is shown in."""

    at: datetime
    recorded: dict[str, int] = field(default_factory=dict)
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))

    def summary(self) -> str:
        """``Pass as of Wed 9 Dec 2026, 10:00 CET: 1 meeting reminder, 4 cadence nudges.``"""
        parts = ", ".join(count(n, SINGULAR.get(name, name), name)
                          for name, n in self.recorded.items() if n)
        return f"Pass as of {local_text(self.at, self.tz)}: {parts or 'nothing due'}."


def run_passes(engine: Engine, now: datetime, settings: Settings | None = None,
               tz: ZoneInfo | None = None, *, scope: Scope | None = None) -> TickReport:
    """One pass over every council as of ``now``. Idempotent.

    ``scope``: the deployment's (a runtime passes its own); without one, the scope
    ``settings`` describe (default: ``Settings()``). ``tz``: the zone the report
    shows its moment in (the council's; default UTC). What a pass recorded is logged.

    First each pass's ``due`` query names the councils it has something to write for
    (a constant number of statements, whatever the number of councils and rows); then,
    council by council, each pass with something due runs in its own transaction with
    the council's row locked. A council with nothing due is not locked.
    """
    report = TickReport(now, tz=tz or ZoneInfo("UTC"))
    scope = scope or _scope_of(settings)
    settings = scope.settings
    for name, _ in PASSES:
        report.recorded[name] = 0
    with Session(engine) as session:
        if engine.dialect.name == "postgresql":
            # Short look-ups whose estimated cost can reach the JIT threshold on large
            # tables: compiling them costs more (100-300 ms) than running them.
            session.execute(text("SET LOCAL jit = off"))
        due: dict[str, set[int]] = {}
        for name, _ in PASSES:
            if name in DUE:
                due[name] = set(DUE[name](session, now, settings))
        if len(due) < len(PASSES):
            every = set(session.exec(select(Council.id)))
            for name, _ in PASSES:
                due.setdefault(name, {c for c in every if c is not None})
    for council_id in sorted(set().union(*due.values())):
        for name, fn in PASSES:
            if council_id not in due[name]:
                continue
            with transaction(engine) as session:
                council = session.exec(
                    select(Council).where(Council.id == council_id).with_for_update()
                ).first()
                if council is None:  # removed since the due queries ran
                    continue
                mark_locked(session, council_id)
                recorded = fn(PassContext(session, council, now, scope))
            report.recorded[name] += recorded
    if any(report.recorded.values()):
        log.info("%s", report.summary())
    return report


def _scope_of(settings: Settings | None) -> Scope:
    """The scope of passes run without a runtime (tests, the bench): the one ``settings``
    describe (default ``Settings()``), with the charter they name."""
    return Scope.of(settings if settings is not None else Settings())


def start(
    tick: Callable[[], object],
    deliver: Callable[[], object],
    *,
    tick_seconds: int = 30,
    deliver_seconds: int = 5,
    blocking: bool = False,
) -> BackgroundScheduler | BlockingScheduler:
    """APScheduler running the passes and the outbox delivery."""
    scheduler: BackgroundScheduler | BlockingScheduler = (
        BlockingScheduler() if blocking else BackgroundScheduler(daemon=True)
    )
    guard = threading.Lock()

    def guarded(job: Callable[[], object], name: str) -> Callable[[], None]:
        def run() -> None:
            try:
                with guard:
                    job()
            except Exception:
                log.exception("scheduler job %s failed; it runs again at its next interval", name)

        return run

    scheduler.add_job(guarded(tick, "tick"), "interval", seconds=tick_seconds, id="tick",
                      max_instances=1, coalesce=True, next_run_time=datetime.now())
    scheduler.add_job(guarded(deliver, "deliver"), "interval", seconds=deliver_seconds,
                      id="deliver", max_instances=1, coalesce=True)
    scheduler.start()
    return scheduler

