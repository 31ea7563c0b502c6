"""Scheduler passes: the reminders and closes that are due at an instant.

A pass is a function registered with :func:`scheduled_pass`. It looks at one
council as of ``now`` and records in the outbox what is due; the outbox's
unique keys make a pass idempotent, and make several processes running passes
at once harmless: the database, not the scheduler, decides who sends.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.engine import transaction
from storage.models import Council

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PassContext:
    session: Session
    council: Council
    now: datetime
    settings: object


Pass = Callable[[PassContext], int]
PASSES: list[tuple[str, Pass]] = []


def scheduled_pass(name: str) -> Callable[[Pass], Pass]:
    """Register a pass; it returns how many messages it recorded."""

    def register(fn: Pass) -> Pass:
        PASSES.append((name, fn))
        return fn

    return register


@dataclass
class TickReport:
    at: datetime
    recorded: dict[str, int] = field(default_factory=dict)

    def summary(self) -> str:
        total = sum(self.recorded.values())
        if not total:
            return f"Pass as of {self.at.isoformat(timespec='minutes')}: nothing due."
        parts = ", ".join(f"{n} {name}" for name, n in self.recorded.items() if n)
        return f"Pass as of {self.at.isoformat(timespec='minutes')}: {parts}."


def run_passes(engine: Engine, now: datetime, settings: object = None) -> TickReport:
    """One pass over every council as of ``now``. Idempotent."""
    report = TickReport(now)
    with Session(engine) as session:
        council_ids = list(session.exec(select(Council.id).order_by(col(Council.id))))
    for council_id in council_ids:
        for name, fn in PASSES:
            with transaction(engine) as session:
                council = session.exec(
                    select(Council).where(Council.id == council_id).with_for_update()
                ).one()
                count = fn(PassContext(session, council, now, settings))
            report.recorded[name] = report.recorded.get(name, 0) + count
    return report


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

