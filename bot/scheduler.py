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
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot import audit, outbox
from bot.messages import Message
from storage.engine import transaction
from storage.models import Council

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
class PassContext:
    """One council, as of one instant, inside one transaction holding its write lock."""

    session: Session
    council: Council
    now: datetime
    settings: object

    @property
    def council_id(self) -> int:
        assert self.council.id is not None
        return self.council.id

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.council.timezone)

    def remind(self, key: str, moment: datetime, message: Message, grace: timedelta, *,
               thread_key: str | None = None, dm_to: str | None = None) -> int:
        """Record a reminder due at ``moment`` once: sent if fresh, skipped if stale.

        Returns 1 when this call recorded a reminder to send, else 0. The key
        makes it idempotent across passes and processes.
        """
        verdict = disposition(moment, self.now, grace)
        if verdict == "wait":
            return 0
        if verdict == "skip":
            outbox.skip(self.session, self.council_id, key, message, self.now,
                        f"stale: due {moment.isoformat()}, pass at {self.now.isoformat()}")
            return 0
        if dm_to is not None:
            return int(outbox.dm(self.session, self.council_id, key, dm_to, message, self.now))
        return int(outbox.post(self.session, self.council_id, key, message, self.now,
                               thread_key=thread_key))

    def post(self, key: str, message: Message, *, thread_key: str | None = None) -> bool:
        return outbox.post(self.session, self.council_id, key, message, self.now,
                           thread_key=thread_key)

    def dm(self, key: str, user_id: str, message: Message) -> bool:
        return outbox.dm(self.session, self.council_id, key, user_id, message, self.now)

    def update(self, target_key: str, message: Message) -> None:
        outbox.update_message(self.session, self.council_id, target_key, message, self.now)

    def audit(self, action: str, details: dict[str, Any], member: str | None = None) -> None:
        audit.append(self.session, self.council_id, self.now, "system", action, details, member)


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

