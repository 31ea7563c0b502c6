"""The core as every transport sees it: run a command, run a scheduler pass.

Slack listeners, the console and the CLI all call :class:`Runtime`; none of
them touches the database or the rules directly.
"""

from __future__ import annotations

import importlib
import logging
import secrets
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
from bot.context import Context, resolve_actor
from bot.courier import Courier
from bot.errors import CommandError
from bot.i18n import N_, _, using
from bot.languages import Readers, forget_locale, language_of
from bot.messages import Build, Message, in_language, in_languages
from bot.registry import find
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
            "bot.outbox.commands", "bot.views.status")
for _feature in FEATURES:
    importlib.import_module(_feature)

SOMETHING_WENT_WRONG = N_("Something went wrong; nothing was changed.")
TRY_AGAIN = N_("The council's records are unavailable for a moment; nothing was changed. "
               "Try again shortly.")

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
        text += "\n" + _("Usage: `{slash} {usage}`", slash=slash, usage=error.usage)
    return ErrorReply(text=text)


class Runtime(Courier):
    """One council deployment: its engine, charter, settings and clock."""

    def __init__(self, settings: Settings, *, charter: Charter | None = None,
                 engine: Engine | None = None, clock: Clock = utcnow,
                 pacing: bool = True) -> None:
        self.settings = settings
        self.charter = charter or load_charter(settings.charter)
        self.engine = engine or make_engine(settings.database_url)
        self.clock = clock
        self.admins = settings.admin_users
        self.council_key = self.charter.short_name.casefold()
        #: Whose language is what (the Slack transport tells it how to ask Slack).
        self.readers = Readers(self.engine, self.charter.languages[0], self.clock)
        #: This process's pace towards Slack, on ``clock`` (None: unpaced, for a clock
        #: that stands still, as a test's may: no bucket of it would ever refill).
        self.pacer: outbox.Pacer | None = outbox.Pacer() if pacing else None
        self._start_courier()

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
            self._name_in_languages(existing)
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
                    names=dict(self.charter.names),
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

    def _name_in_languages(self, council_id: int) -> None:
        """The names in other languages follow the charter (a council created before they
        were kept gets them): written only where they differ."""
        members = {m.alpha2: m.names for m in self.charter.members}
        bodies = {b.key: b.names for b in self.charter.bodies}
        with transaction(self.engine) as session:
            council = session.get(Council, council_id)
            if council is not None and council.names != self.charter.names:
                council.names = dict(self.charter.names)
                session.add(council)
            for member in session.exec(select(Member).where(Member.council_id == council_id)):
                if member.alpha2 in members and member.names != members[member.alpha2]:
                    member.names = dict(members[member.alpha2])
                    session.add(member)
            for body in session.exec(select(Body).where(Body.council_id == council_id)):
                if body.key in bodies and body.names != bodies[body.key]:
                    body.names = dict(bodies[body.key])
                    session.add(body)

    def _seed(self, session: Session, council_id: int, now: datetime) -> None:
        for i, m in enumerate(self.charter.members, start=1):
            session.add(Member(council_id=council_id, ordinal=i, name=m.name, alpha2=m.alpha2,
                               alpha3=m.alpha3, aliases=list(m.aliases), names=dict(m.names)))
        for i, b in enumerate(self.charter.bodies, start=1):
            session.add(Body(
                council_id=council_id, ordinal=i, key=b.key, name=b.name, level=b.level,
                mandate=b.mandate,
                cadence_count=b.cadence.count if b.cadence else None,
                cadence_per=b.cadence.per if b.cadence else None,
                reminders=[int(r.total_seconds()) for r in b.reminders],
                at_risk_days=b.at_risk_days, area=b.area, extraordinary=b.extraordinary,
                permanent=True, created_at=now, names=dict(b.names),
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
        except CommandError:
            # Said in the reader's language: the look-up is pure, so it is asked again there
            # (the reader's row is read only for a line that names no command).
            with using(self.readers.of(user_id)):
                try:
                    find(text)
                except CommandError as exc:
                    return error_reply(exc, slash)
            raise

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
        """One request in one transaction: lock if it writes, build the context, map errors;
        in the language of the person it answers (read in the same transaction; Slack is
        asked for their locale beforehand, rarely, outside any lock)."""
        slash = self.settings.command
        self.readers.refresh(user_id)
        lang = [self.readers.fixed or self.readers.fallback]
        try:
            with transaction(self.engine, read_only=not (mutates or writes)) as session:
                lang[0] = self.readers.within(session, user_id)
                with using(lang[0]):
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
            with using(lang[0]):
                return error_reply(exc.with_usage(usage) if usage else exc, slash)
        except (OperationalError, SAInterfaceError):
            log.exception("database unavailable for %s by %s in %s", what, user_id, channel_id)
            with using(lang[0]):
                return ErrorReply(text=_(TRY_AGAIN))
        except Exception:
            log.exception("%s by %s in %s failed", what, user_id, channel_id)
            with using(lang[0]):
                return ErrorReply(text=_(SOMETHING_WENT_WRONG))

    def forget_locale(self, user_id: str) -> None:
        """Slack says the user changed: their locale is asked again at their next request."""
        try:
            with transaction(self.engine) as session:
                forget_locale(session, user_id)
        except (OperationalError, SAInterfaceError):
            log.warning("user_change for %s not kept: database unavailable", user_id)
        self.readers.forget(user_id)  # after the records say so: a look from now sees it

    # -- delivery -------------------------------------------------------------

    def deliver(self, port: outbox.Port, at: datetime | None = None, *,
                rows: list[int] | None = None) -> outbox.DeliveryReport:
        """Send what is due as of ``at`` (default now), or only those of ``rows`` that are;
        safe in any number of processes."""
        try:
            return outbox.deliver(self.engine, port, at or self.clock(),
                                  renderers=self.renderers, rows=rows, pacer=self.pacer)
        except (OperationalError, SAInterfaceError):
            log.exception("outbox delivery postponed: database unavailable")
            return outbox.DeliveryReport()

    @property
    def renderers(self) -> outbox.Renderers:
        """What delivery builds from the records as they are when it sends."""
        return {keys.HOME_VIEW: self._personal(self.render_home),
                keys.POLL_VIEW: self._read_once(self.poll_builder),
                keys.MEETING_VIEW: self._official(self.render_meeting),
                keys.MEETING_CANVAS_VIEW: self._official(self.render_canvas),
                keys.CANVAS_UNAVAILABLE_VIEW: self._official(self.render_canvas_unavailable)}

    def _official(self, renderer: outbox.Renderer) -> outbox.Renderer:
        """A view of the channel: rendered in each of the council's official languages."""
        def render(session: Session, council_id: int, ref: Any, now: datetime) -> Message:
            return in_languages(lambda: renderer(session, council_id, ref, now),
                                self.charter.languages)
        return render

    def _read_once(self, builder: Callable[[Session, int, Any, datetime], Build]
                   ) -> outbox.Renderer:
        """A view of the channel read once from the records, then rendered in each official
        language (the poll: its message is the busiest to deliver)."""
        def render(session: Session, council_id: int, ref: Any, now: datetime) -> Message:
            return in_languages(builder(session, council_id, ref, now), self.charter.languages)
        return render

    def _personal(self, renderer: outbox.Renderer) -> outbox.Renderer:
        """A view for one person (``ref``: the user): rendered in their language."""
        def render(session: Session, council_id: int, ref: Any, now: datetime) -> Message:
            lang = language_of(session, str(ref), self.charter.languages[0])
            return in_language(lambda: renderer(session, council_id, ref, now), lang)
        return render

    def render_home(self, session: Session, council_id: int, user_id: str,
                    now: datetime) -> Message:
        from bot.views.home import render_home

        return render_home(session, council_id, user_id, self.admins, now, self.settings.command,
                           self.settings.issue_overdue)

    def render_meeting(self, session: Session, council_id: int, meeting_id: object,
                       now: datetime) -> Message:
        from bot.meetings.service import render_meeting  # after FEATURES: the passes

        return render_meeting(session, council_id, meeting_id, self.settings.command,
                              self.settings.issue_overdue)

    def render_canvas(self, session: Session, council_id: int, meeting_id: object,
                      now: datetime) -> Message:
        from bot.meetings.service_canvas import canvas_view

        return canvas_view(session, council_id, meeting_id, now, self.settings.command,
                           self.settings.issue_overdue)

    def render_canvas_unavailable(self, session: Session, council_id: int, reason: object,
                                  now: datetime) -> Message:
        from bot.meetings.render_canvas import unavailable_notice

        return unavailable_notice(str(reason), sorted(self.admins))

    def render_poll(self, session: Session, council_id: int, proposal_id: object,
                    now: datetime) -> Message:
        return self.poll_builder(session, council_id, proposal_id, now)()

    def poll_builder(self, session: Session, council_id: int, proposal_id: object,
                     now: datetime) -> Build:
        areas = {a.key: a for a in self.charter.areas}
        from bot.polls import poll_builder

        return poll_builder(session, council_id, proposal_id, now, areas)

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
