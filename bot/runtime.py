"""The core as every transport sees it: run a command, run a scheduler pass.

Slack listeners, the console and the CLI all call :class:`Runtime`; none of
them touches the database or the rules directly.
"""

from __future__ import annotations

import heapq
import importlib
import logging
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import InterfaceError as SAInterfaceError
from sqlmodel import Session, col, select

from bot import audit, keys, outbox
from bot.charter import Charter, load_charter
from bot.commands import find
from bot.context import Context, resolve_actor
from bot.errors import CommandError
from bot.messages import Message
from bot.scheduler import TickReport, run_passes
from bot.scope import Scope
from bot.settings import Settings
from bot.times import parse_when, utcnow
from storage.engine import make_engine, transaction, upgrade
from storage.models import Body, Council, Member
from storage.queries import mark_locked

log = logging.getLogger(__name__)

#: The features, imported so that their commands and scheduler passes register, in the
#: order a tick runs the passes (and so records what they say): the issues' carry-over,
#: the meetings' reminders, then the polls'.
FEATURES = ("bot.issues", "bot.meetings", "bot.polls",
            "bot.delegations", "bot.withdrawals", "bot.help", "bot.audit.commands",
            "bot.outbox.commands")
for _feature in FEATURES:
    importlib.import_module(_feature)

SOMETHING_WENT_WRONG = "Something went wrong; nothing was changed."
TRY_AGAIN = "The council's records are unavailable for a moment; nothing was changed. Try again shortly."

Clock = Callable[[], datetime]
Action = Callable[[Context], Message]


def _council_queries(lock: bool) -> tuple[Any, ...]:
    """The council by its channel, by its charter's key, or the first: built once."""
    queries = (select(Council).where(Council.channel_id == bindparam("channel")),
               select(Council).where(Council.key == bindparam("key")),
               select(Council).order_by(col(Council.id)).limit(1))
    return tuple(q.with_for_update() if lock else q for q in queries)


_COUNCIL, _COUNCIL_LOCKED = _council_queries(False), _council_queries(True)


class ErrorReply(Message):
    """A reply that says nothing was changed, so a modal can show it as an error."""


def error_reply(error: CommandError, slash: str) -> Message:
    """One clear sentence, then the usage line."""
    text = error.message
    if error.usage:
        text += f"\nUsage: `{slash} {error.usage}`"
    return ErrorReply(text=text)


class Runtime:
    """One council deployment: its engine, charter, settings and clock."""

    def __init__(self, settings: Settings, *, charter: Charter | None = None,
                 engine: Engine | None = None, clock: Clock = utcnow) -> None:
        self.settings = settings
        self.charter = charter or load_charter(settings.charter)
        self.engine = engine or make_engine(settings.database_url)
        self.clock = clock
        self.admins = settings.admin_users
        self.council_key = self.charter.short_name.casefold()
        self._courier: threading.Thread | None = None
        self._closed = False
        self._courier_lock = threading.Lock()
        self._wake = threading.Event()
        #: What this process recorded and has yet to deliver, soonest first (a heap):
        #: (monotonic deadline, the row and the moment it is due on the runtime's clock,
        #: how many times the courier found it taken).
        self._dues: list[tuple[float, outbox.Due, int]] = []
        #: Each row waiting in the heap, with the latest moment noted for it since: a row
        #: rewritten a hundred times while it waits is looked for once, not a hundred.
        #: [the moment its entry is for, the latest moment noted since].
        self._queued: dict[int, list[datetime]] = {}
        #: App Homes the courier took but set aside for newer work, to send first next time.
        self._held: list[tuple[outbox.Due, int]] = []

    # -- start-up -------------------------------------------------------------

    def prepare(self) -> Runtime:
        """Migrate the database and make sure the charter's council exists."""
        upgrade(self.engine)
        self.bootstrap()
        return self

    def bootstrap(self) -> int:
        """Create the council from the charter the first time; later, the database rules."""
        with Session(self.engine) as session:
            existing = session.exec(select(Council.id).where(Council.key == self.council_key)).first()
            if existing is not None:
                return existing
        now = self.clock()
        try:
            with transaction(self.engine) as session:
                council = Council(
                    key=self.council_key,
                    name=self.charter.name,
                    short_name=self.charter.short_name,
                    chair_title=self.charter.chair_title,
                    timezone=self.settings.timezone or self.charter.timezone,
                    ics_token=secrets.token_urlsafe(24),
                    created_at=now,
                )
                session.add(council)
                session.flush()
                assert council.id is not None
                self._seed(session, council.id, now)
                audit.append(session, council.id, now, audit.SYSTEM, "council.create",
                             {"charter": self.charter.source_path.rsplit("/", 1)[-1],
                              "members": len(self.charter.members),
                              "bodies": len(self.charter.bodies)}, capacity=audit.SYSTEM)
                return council.id
        except IntegrityError:  # another process created it first
            with Session(self.engine) as session:
                found = session.exec(select(Council.id).where(Council.key == self.council_key))
                return int(found.one() or 0)

    def _seed(self, session: Session, council_id: int, now: datetime) -> None:
        for i, m in enumerate(self.charter.members, start=1):
            session.add(Member(council_id=council_id, ordinal=i, name=m.name, alpha2=m.alpha2,
                               alpha3=m.alpha3, aliases=list(m.aliases)))
        for i, b in enumerate(self.charter.bodies, start=1):
            session.add(Body(
                council_id=council_id, ordinal=i, key=b.key, name=b.name, level=b.level,
                mandate=b.mandate,
                cadence_count=b.cadence.count if b.cadence else None,
                cadence_per=b.cadence.per if b.cadence else None,
                reminders=[int(r.total_seconds()) for r in b.reminders],
                at_risk_days=b.at_risk_days, area=b.area, extraordinary=b.extraordinary,
                permanent=True, created_at=now,
            ))

    # -- requests -------------------------------------------------------------

    def council_for(self, session: Session, channel_id: str | None, *,
                    lock: bool = False) -> Council:
        """The council bound to this channel, else the charter's own council.

        ``lock`` takes the council's write lock with the same statement (PostgreSQL
        ``FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE`` has taken it already), so the
        row is read as it is once the lock is held.
        """
        by_channel, by_key, any_council = _COUNCIL_LOCKED if lock else _COUNCIL
        council: Council | None = None
        if channel_id:
            council = session.exec(by_channel, params={"channel": channel_id}).first()
        if council is None:
            council = session.exec(by_key, params={"key": self.council_key}).first()
        if council is None:
            council = session.exec(any_council).first()
        if council is None:
            raise RuntimeError("no council: the database was not prepared")
        if lock:
            mark_locked(session, council.id or 0)
        return council

    def run_command(self, user_id: str, channel_id: str | None, text: str,
                    *, admins: frozenset[str] = frozenset()) -> Message:
        """Run one ``/nrc …`` line for a user and return the reply meant for them alone."""
        slash = self.settings.command
        try:
            cmd, args = find(text)
        except CommandError as exc:
            return error_reply(exc, slash)

        def handle(ctx: Context) -> Message:
            if cmd.action is not None:
                ctx.require(cmd.action)
            return cmd.handler(ctx, args)

        mutates = cmd.mutates_with(args)
        return self._run(user_id, channel_id, handle, mutates=mutates, writes=mutates,
                         usage=cmd.usage, admins=admins, what=f"command {text!r}")

    def run_action(self, user_id: str, channel_id: str | None, fn: Action,
                   *, mutates: bool = True, writes: bool | None = None,
                   admins: frozenset[str] = frozenset()) -> Message:
        """Run a core function for a user (a button, a modal) exactly as a command runs.

        Same transaction, same council lock (unless ``mutates=False``), same
        error handling; the function checks its own permissions. ``writes``
        (default: ``mutates``) says whether it writes at all: one that neither
        locks nor writes runs read-only, beside the council's writers.
        """
        return self._run(user_id, channel_id, fn, mutates=mutates,
                         writes=mutates if writes is None else writes, usage=None,
                         admins=admins, what=f"action {getattr(fn, '__name__', 'action')}")

    def _run(self, user_id: str, channel_id: str | None, fn: Action, *, mutates: bool,
             writes: bool, usage: str | None, admins: frozenset[str], what: str) -> Message:
        """One request in one transaction: lock if it writes, build the context, map errors."""
        slash = self.settings.command
        try:
            with transaction(self.engine, read_only=not (mutates or writes)) as session:
                council = self.council_for(session, channel_id, lock=mutates)
                ctx = Context(
                    session=session,
                    council=council,
                    actor=resolve_actor(session, council, user_id, self.admins | admins),
                    now=self.clock(),
                    scope=self.scope,
                    admins=self.admins | admins,
                    channel_id=channel_id,
                )
                reply = fn(ctx)
            self._recorded(outbox.due_in(session))
            return reply
        except CommandError as exc:
            return error_reply(exc.with_usage(usage) if usage else exc, slash)
        except (OperationalError, SAInterfaceError):
            log.exception("database unavailable for %s by %s in %s", what, user_id, channel_id)
            return ErrorReply(text=TRY_AGAIN)
        except Exception:
            log.exception("%s by %s in %s failed", what, user_id, channel_id)
            return ErrorReply(text=SOMETHING_WENT_WRONG)

    # -- delivery -------------------------------------------------------------

    def deliver(self, port: outbox.Port, at: datetime | None = None, *,
                rows: list[int] | None = None) -> outbox.DeliveryReport:
        """Send what is due as of ``at`` (default now), or only those of ``rows`` that are;
        safe in any number of processes."""
        try:
            return outbox.deliver(self.engine, port, at or self.clock(),
                                  renderers=self.renderers, rows=rows)
        except (OperationalError, SAInterfaceError):
            log.exception("outbox delivery postponed: database unavailable")
            return outbox.DeliveryReport()

    @property
    def renderers(self) -> outbox.Renderers:
        """What delivery builds from the records as they are when it sends."""
        return {keys.HOME_VIEW: self.render_home, keys.POLL_VIEW: self.render_poll,
                keys.MEETING_VIEW: self.render_meeting}

    def render_home(self, session: Session, council_id: int, user_id: str,
                    now: datetime) -> Message:
        from bot.views.home import render_home

        return render_home(session, council_id, user_id, self.admins, now, self.settings.command)

    def render_meeting(self, session: Session, council_id: int, meeting_id: object,
                       now: datetime) -> Message:
        from bot.meetings.service import render_meeting  # after FEATURES: the passes

        return render_meeting(session, council_id, meeting_id, self.settings.command)

    def render_poll(self, session: Session, council_id: int, proposal_id: object,
                    now: datetime) -> Message:
        areas = {a.key: a.name for a in self.charter.areas}
        from bot.polls import render_poll

        return render_poll(session, council_id, proposal_id, now, areas)

    def _recorded(self, dues: set[outbox.Due]) -> None:
        """A committed unit of work recorded these outbox rows."""
        if not dues:
            return
        with self._courier_lock:
            for due in dues:
                waiting = self._queued.get(due.row_id)
                if waiting is None or due.at < waiting[0]:
                    # Not queued yet, or wanted sooner (an App Home its viewer opened):
                    # an entry for the sooner moment; the later one in the heap is stale.
                    self._queue(due, self._deadline(due.at),
                                later=waiting[1] if waiting else None)
                else:
                    waiting[1] = max(waiting[1], due.at)

    def _deadline(self, at: datetime) -> float:
        """When, on the monotonic clock, a row due at ``at`` (the runtime's clock) is due."""
        return time.monotonic() + max(0.0, (at - self.clock()).total_seconds())

    def _queue(self, due: outbox.Due, deadline: float, tries: int = 0,
               later: datetime | None = None) -> None:
        """Put a row in the courier's heap (the caller holds the lock)."""
        heapq.heappush(self._dues, (deadline, due, tries))
        self._queued[due.row_id] = [due.at, max(due.at, later or due.at)]

    def _take_due(self) -> list[tuple[outbox.Due, int]]:
        """Take from the heap what has come due (the caller holds the lock).

        A row noted again for a later moment while it waited goes back in for that
        moment: what was written before the courier claims it goes out now (messages
        are rendered at delivery), and what comes after goes out then.
        """
        due, self._held = self._held, []
        while self._dues and self._dues[0][0] <= time.monotonic():
            _, row, tries = heapq.heappop(self._dues)
            waiting = self._queued.get(row.row_id)
            if waiting is None or waiting[0] != row.at:
                continue  # stale: the row was queued again for a sooner moment
            del self._queued[row.row_id]
            due.append((row, tries))
            if waiting[1] > row.at:
                self._queue(outbox.Due(waiting[1], row.row_id, row.home),
                            self._deadline(waiting[1]))
        return due

    def deliver_soon(self, port: outbox.Port) -> None:
        """Wake this process's delivery thread if this process recorded something to send.

        The request that asked does not wait for Slack. One thread per process
        sends the outbox in order, instead of every request thread racing the
        others for the same rows; it sleeps until what this process recorded
        falls due (an App Home waits ``outbox.HOME_SETTLE``). A read that
        recorded nothing wakes nobody: the clock process delivers the rest.
        """
        with self._courier_lock:
            if not self._dues or self._closed:
                return
            if self._courier is None or not self._courier.is_alive():
                self._courier = threading.Thread(target=self._courier_loop, args=(port,),
                                                 name="nrc-courier", daemon=True)
                self._courier.start()
        self._wake.set()

    def close(self, timeout: float = 5.0) -> None:
        """Stop this process's delivery thread, after the send it is making.

        What it had yet to send stays in the outbox for the clock process (or the
        next worker): the rows are committed, only this process's note of them goes.
        """
        with self._courier_lock:
            self._closed = True
            courier, self._dues, self._queued, self._held = self._courier, [], {}, []
        self._wake.set()
        if courier is not None and courier is not threading.current_thread():
            courier.join(timeout)

    def _courier_loop(self, port: outbox.Port) -> None:
        while True:
            self._wake.wait()
            self._wake.clear()
            if self._closed:
                return
            with self._courier_lock:
                due = self._take_due()
            try:
                self._send_due(port, due)
            except Exception:
                log.exception("outbox delivery failed; the clock process will retry")
            with self._courier_lock:
                later = time.monotonic() if self._held else self._dues[0][0] if self._dues else None
            if later is not None and not self._wake.is_set():
                # Sleep until the next row is due, unless a request wakes it sooner.
                self._wake.wait(max(0.0, later - time.monotonic()))
                self._wake.set()

    def _send_due(self, port: outbox.Port, due: list[tuple[outbox.Due, int]]) -> None:
        """Send what this process recorded and is now due: posts and updates first, then
        App Homes one at a time, giving way to anything a request records meanwhile.

        Only this process's own rows, found by id, so that the workers do not race
        each other for every row; the clock process sweeps up whatever a vanished
        process left. The time that has passed is the wall clock's; what is due is on
        the runtime's clock (a test's may stand still): each goes as of its moment.
        """
        first = [(d, tries) for d, tries in due if not d.home]
        if first:
            report = self.deliver(port, max(max(d.at for d, _ in first), self.clock()),
                                  rows=[d.row_id for d, _ in first])
            self._again([(d, tries) for d, tries in first if d.row_id not in report.settled])
        homes = sorted((d, tries) for d, tries in due if d.home)
        for n, (home, tries) in enumerate(homes):
            if n and self._wake.is_set():  # a request recorded something: that goes first
                with self._courier_lock:
                    self._held.extend(homes[n:])
                return
            report = self.deliver(port, max(home.at, self.clock()), rows=[home.row_id])
            self._again([(home, tries)] if home.row_id not in report.settled else [])

    #: How often, and how soon, the courier looks again for a row it found taken.
    TAKEN_TRIES = 3
    TAKEN_WAIT = 0.25

    def _again(self, taken: list[tuple[outbox.Due, int]]) -> None:
        """Rows another worker was sending (or had sent) when this one looked.

        One rewritten while another worker sent its older content is left to that
        worker; if the rewrite came in after it looked, the row is this process's
        to send. Look again shortly, a few times; the clock process sweeps the rest.
        """
        with self._courier_lock:
            for due, tries in taken:
                if tries + 1 < self.TAKEN_TRIES:
                    self._requeue(due, time.monotonic() + self.TAKEN_WAIT, tries + 1)

    def _requeue(self, due: outbox.Due, deadline: float, tries: int) -> None:
        """Put back a row the courier took but did not settle (the caller holds the lock),
        unless a later note has queued it again already."""
        if due.row_id in self._queued:
            return
        self._queue(due, deadline, tries)

    def tick_and_deliver(self, port: outbox.Port | None, at: str | None = None) -> str:
        """One pass as of ``at`` (typed by a person; default now), then deliver what it recorded.

        A pass as of a later moment records what is due then, so it is
        delivered as of that moment too.
        """
        moment = parse_when(at, self.tz_default) if at else None
        summary = self.tick(moment).summary()
        if port is not None:
            self.deliver(port, max(moment, self.clock()) if moment else None)
        return summary

    def tick(self, at: datetime | None = None) -> TickReport:
        """One scheduler pass as of ``at`` (default: now). Idempotent."""
        scope = self.scope
        return run_passes(self.engine, at or self.clock(), scope.settings, scope.zone,
                          scope=scope)

    @property
    def scope(self) -> Scope:
        """What this deployment's requests and passes share; built from the attributes
        as they are now, so a test may still change ``charter`` or ``settings``."""
        return Scope.of(self.settings, self.charter)

    @property
    def tz_default(self) -> ZoneInfo:
        return self.scope.zone
