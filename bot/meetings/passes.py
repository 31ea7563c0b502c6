"""Scheduler passes that keep the council on its cadence.

Three passes, each idempotent through its outbox keys (docs/ARCHITECTURE.md):

* ``meeting reminders``: before each meeting, at its body's offsets
  (``meeting:{id}:remind:{seconds}``); a reminder whose moment passed more than
  its grace ago (after downtime) is recorded as skipped, not sent.
* ``cadence nudges``: while a body is at risk, a nudge in the channel
  mentioning the Chair, daily (weekly over long lead times), its wording
  escalating as the period runs out (``cadence:{body}:{period}:{n}``); when a
  period closes short, a breach notice (``cadence:{body}:{period}:breached``).
* ``extraordinary reminders``: daily until an extraordinary Council meeting is
  scheduled (``extraordinary:{id}:remind:{n}``).

They are registered in this order, the order of the tick's summary.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, Text, case, cast, exists, func, literal, literal_column, union_all
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from bot import cadence, keys
from bot.i18n import current
from bot.meetings import queries, render, rules
from bot.meetings.queries import Standing
from bot.meetings.service import agenda_section
from bot.messages import Message
from bot.scheduler import PassContext, disposition, recorded_keys, scheduled_pass
from bot.settings import Settings
from storage.models import (
    Body,
    Council,
    ExtraordinaryRequest,
    Meeting,
    Outbox,
)
from storage.statuses import MeetingStatus, RequestStatus


def slash_of(pctx: PassContext) -> str:
    return pctx.slash


def admins_of(pctx: PassContext) -> list[str]:
    """The secretariat, copied on nudges and breach notices."""
    return list(pctx.settings.admin_users)


def existing_keys(pctx: PassContext, keys: list[str]) -> set[str]:
    """Keys already recorded, so a pass does not rebuild messages it will not send."""
    if not keys:
        return set()
    return set(pctx.session.exec(select(Outbox.key).where(
        Outbox.council_id == pctx.council_id, col(Outbox.key).in_(keys))))


def count_prefixed(pctx: PassContext, prefix: str) -> int:
    """How many messages were recorded (sent or skipped) under keys starting with ``prefix``."""
    return int(pctx.session.exec(select(func.count()).select_from(Outbox).where(
        Outbox.council_id == pctx.council_id, col(Outbox.key).startswith(prefix))).one())


def _meeting_reminders_due(session: Session, now: datetime, settings: Settings) -> set[int]:
    """Councils with a meeting reminder whose moment has come and that is not yet recorded
    (to be sent if fresh, skipped if stale), as ``meeting_reminders`` finds them.

    Bodies share a handful of reminder lists; for each list and lead, one branch of a
    single ``UNION ALL`` finds the scheduled meetings starting within that lead (scheduled
    before the moment) whose reminder key is not in the outbox. Two statements, whatever
    the number of councils, meetings and reminders recorded.
    """
    stored = cast(col(Body.reminders), Text)
    lists = [text for (text,) in session.execute(select(stored).distinct()) if text]
    branches: list[Select[Any]] = []
    for listed in lists:
        for seconds in sorted({int(s) for s in json.loads(listed)}, reverse=True):
            lead = timedelta(seconds=seconds)
            # keys.meeting_reminder, built in SQL: a moved meeting's keys end in :s{sequence}.
            key = (literal("meeting:") + cast(col(Meeting.id), Text)
                   + literal(f":remind:{seconds}")
                   + case((col(Meeting.sequence) == 0, literal("")),
                          else_=literal(":s") + cast(col(Meeting.sequence), Text)))
            branches.append(
                select(Meeting.council_id, Meeting.starts_at, Meeting.created_at,
                       literal_column(str(seconds)).label("lead"))
                .join(Body, Body.id == Meeting.body_id)  # type: ignore[arg-type]
                .where(stored == listed, Meeting.status == MeetingStatus.SCHEDULED,
                       col(Meeting.starts_at) > now, col(Meeting.starts_at) <= now + lead,
                       ~exists().where(col(Outbox.council_id) == col(Meeting.council_id),
                                       col(Outbox.key) == key)))
    if not branches:
        return set()
    return {council_id for council_id, starts_at, created_at, seconds
            in session.execute(union_all(*branches))
            if rules.reminder_exists(starts_at, seconds, created_at)}


# The messages of the passes, each built once per official language (``pctx.remind`` is
# given them bound to their values with ``partial``, never a loop variable).


def _reminder(meeting: Meeting, body: Body, seconds: int, agenda: Callable[[Meeting], str],
              tz: ZoneInfo) -> Message:
    return render.reminder_message(meeting, body, seconds, agenda(meeting), tz)


def _nudge(body: Body, comp: cadence.Compliance, earlier: int, council: Council, cc: str,
           slash: str, tz: ZoneInfo) -> Message:
    return render.nudge_message(body, comp, earlier, render.chair_mention(council), cc, slash,
                                tz)


def _breach(body: Body, comp: cadence.Compliance, council: Council, cc: str) -> Message:
    return render.breach_message(body, comp, render.chair_mention(council), cc)


def _recall(pctx: PassContext, request: ExtraordinaryRequest, n: int, where: str) -> Message:
    return render.request_recall(request, queries.requester_name(pctx.session, pctx.council,
                                                                 request), n,
                                 render.chair_mention(pctx.council), where, slash_of(pctx),
                                 pctx.tz)


@scheduled_pass("meeting reminders", due=_meeting_reminders_due)
def meeting_reminders(pctx: PassContext) -> int:
    """Record each meeting reminder that is due; skip the stale ones."""
    rows = queries.upcoming_meetings(pctx.session, pctx.council_id, pctx.now)
    due: list[tuple[str, Meeting, Body, int]] = []
    for meeting, body in rows:
        for seconds, moment in cadence.reminder_moments(meeting.starts_at, body.reminders,
                                                        meeting.created_at):
            if disposition(moment, pctx.now, pctx.grace(timedelta(seconds=seconds))) == "wait":
                continue
            due.append((keys.meeting_reminder(meeting.id, seconds, meeting.sequence), meeting, body, seconds))
    done = existing_keys(pctx, [key for key, *_ in due])
    due = [entry for entry in due if entry[0] not in done]
    # Kept referenced while the agendas are written: their overdue notes find the issues
    # in the session instead of asking for each item.
    loaded = queries.agenda_issues(pctx.session, {meeting.id for _, meeting, _, _ in due})  # noqa: F841
    agendas: dict[tuple[int | None, str], str] = {}

    def agenda(meeting: Meeting) -> str:
        """The meeting's agenda in the language of the moment, written once in each."""
        at = (meeting.id, current())
        if at not in agendas:
            agendas[at] = agenda_section(pctx.session, meeting, slash_of(pctx),
                                         pctx.settings.issue_overdue)
        return agendas[at]

    recorded = 0
    for key, meeting, body, seconds in due:
        ahead = timedelta(seconds=seconds)
        recorded += pctx.remind(key, meeting.starts_at - ahead,
                                partial(_reminder, meeting, body, seconds, agenda, pctx.tz),
                                pctx.grace(ahead))
    return recorded


#: The cadence units: (unit, per, whether "twice" read as once in each half).
_UNITS = (("month", "month", False), ("half-month", "month", True),
          ("year", "year", False), ("half-year", "year", True))


def _cadence_bodies(window: int, *where: Any) -> Any:
    """One branch of the cadence query: the bodies matching ``where``, tagged ``window``."""
    # SQLAlchemy's own select: SQLModel's is typed for at most four columns.
    return (sa_select(col(Body.id), col(Body.council_id), col(Body.key), col(Body.cadence_count),
                      col(Body.cadence_per), col(Body.at_risk_days), col(Body.created_at),
                      literal_column(str(window)).label("window"))
            .join(Council, Council.id == Body.council_id)  # type: ignore[arg-type]
            .where(*where))


def _cadence_due(session: Session, now: datetime, settings: Settings) -> set[int]:
    """Councils with a nudge or a breach notice due and not yet recorded.

    The periods depend only on the unit and the council's time zone, so each (unit, zone)
    is one branch of a single ``UNION ALL``: bodies in the at-risk days of their current
    period with fewer meetings than required (the nudge's number is then worked out
    here), and bodies whose previous period closed short with no breach notice recorded.
    Three statements, whatever the number of councils and meetings.
    """
    zones = [zone for (zone,) in session.execute(select(Council.timezone).distinct())]
    branches = []
    windows: list[tuple[str, ZoneInfo, cadence.Period]] = []

    def held(period: cadence.Period) -> Any:
        return (select(func.count()).select_from(Meeting)
                .where(Meeting.council_id == Body.council_id, Meeting.body_id == Body.id,
                       Meeting.status != MeetingStatus.CANCELLED, col(Meeting.starts_at) >= period.start,
                       col(Meeting.starts_at) < period.end)
                .scalar_subquery())

    for zone in zones:
        tz = ZoneInfo(zone)
        for unit, per, half in _UNITS:
            required: Any = literal(1) if half else col(Body.cadence_count)
            kind = (col(Body.cadence_count) == 2) if half else (col(Body.cadence_count) != 2)
            current = cadence.period_containing(now, unit, tz)
            previous = cadence.period_before(current, tz)
            scope = (col(Body.active).is_(True), Body.cadence_per == per, kind,
                     Council.timezone == zone)
            # At risk: the settings the verdict's own threshold admits (cadence.assess).
            threshold = cadence.at_risk_threshold(current, now, tz)
            if threshold is not None:
                risk = [held(current) < required]
                if threshold > 1:
                    setting = func.coalesce(col(Body.at_risk_days), cadence.default_at_risk(per))
                    risk.append(setting >= threshold)
                branches.append(_cadence_bodies(len(windows), *scope, *risk))
                windows.append(("nudge", tz, current))
            # The key of each body's breach notice, built in SQL from the one format.
            head, tail = keys.cadence_breached("\0", previous.key).split("\0")
            breached = literal(head) + col(Body.key) + literal(tail)
            unnoticed = ~exists().where(col(Outbox.council_id) == col(Body.council_id),
                                        col(Outbox.key) == breached)
            branches.append(_cadence_bodies(len(windows), *scope, held(previous) < required,
                                            unnoticed))
            windows.append(("breach", tz, previous))
    if not branches:
        return set()
    due: set[int] = set()
    nudges: set[tuple[int, str]] = set()
    for _, council_id, key, required, per, at_risk_days, created_at, window in session.execute(
            union_all(*branches)):
        what, tz, period = windows[window]
        # Nothing counted (fewer than required, as the query found): the verdict is the same.
        comp = cadence.assess(required, per, at_risk_days, [], now, tz, period)
        if what == "breach":
            if rules.breach_counts(created_at, comp):
                due.add(council_id)
            continue
        latest = cadence.latest_nudge(comp, tz)
        if latest is not None:
            nudges.add((council_id, keys.cadence_nudge(key, period.key, latest[0])))
    return due | {council_id for council_id, _ in nudges - recorded_keys(session, nudges)}


def _standings(pctx: PassContext) -> list[tuple[Body, Standing]]:
    bodies = queries.bodies_of(pctx.session, pctx.council_id)
    found = queries.standings(pctx.session, bodies, pctx.now, pctx.tz)
    return [(body, found[body.id]) for body in bodies if body.id in found]


@scheduled_pass("cadence nudges", due=_cadence_due)
def cadence_nudges(pctx: PassContext) -> int:
    """Nudge while a body is at risk; say so once when a period closed short."""
    assessed = []
    for body, standing in _standings(pctx):
        comp, before = standing.current, standing.previous
        latest = cadence.latest_nudge(comp, pctx.tz)
        nudge = (keys.cadence_nudge(body.key, comp.period.key, latest[0])
                 if latest is not None else None)
        breach = (keys.cadence_breached(body.key, before.period.key)
                  if rules.breach_counts(body.created_at, before) else None)
        assessed.append((body, comp, latest, nudge, before, breach))
    done = existing_keys(pctx, [key for *_, nudge, _, breach in assessed
                                for key in (nudge, breach) if key])
    council = pctx.council
    cc = render.secretariat_cc(admins_of(pctx))
    recorded = 0
    for body, comp, latest, nudge, before, breach in assessed:
        if latest is not None and nudge is not None and nudge not in done:
            _, moment, following = latest
            earlier = count_prefixed(pctx, keys.cadence_prefix(body.key, comp.period.key))
            # A nudge stays relevant until the next one is due, never longer.
            recorded += pctx.remind(
                nudge, moment,
                partial(_nudge, body, comp, earlier, council, cc, slash_of(pctx), pctx.tz),
                following - moment - timedelta(microseconds=1))
        if breach is not None and breach not in done:
            recorded += pctx.remind(breach, before.period.end,
                                    partial(_breach, body, before, council, cc),
                                    rules.BREACH_GRACE)
    return recorded


def _extraordinary_due(session: Session, now: datetime, settings: Settings) -> set[int]:
    """Councils with an open extraordinary request whose daily recall is not yet recorded."""
    wanted = {(council_id, keys.extraordinary_reminder(request_id,
                                                       rules.recall_number(created_at, now)))
            for request_id, council_id, created_at in session.execute(
                select(ExtraordinaryRequest.id, ExtraordinaryRequest.council_id,
                       ExtraordinaryRequest.created_at)
                .where(ExtraordinaryRequest.status == RequestStatus.OPEN,
                       col(ExtraordinaryRequest.created_at) <= now - rules.EXTRAORDINARY_EVERY))}
    return {council_id for council_id, _ in wanted - recorded_keys(session, wanted)}


@scheduled_pass("extraordinary reminders", due=_extraordinary_due)
def extraordinary_reminders(pctx: PassContext) -> int:
    """Recall each open extraordinary request daily until its meeting is scheduled."""
    recorded = 0
    body = queries.extraordinary_body(pctx.session, pctx.council_id)
    requests = []
    for request in queries.open_requests(pctx.session, pctx.council_id):
        n = rules.recall_number(request.created_at, pctx.now)
        if n >= 1:
            requests.append((request, n, keys.extraordinary_reminder(request.id, n)))
    done = existing_keys(pctx, [key for _, _, key in requests])
    for request, n, key in requests:
        if key in done:
            continue
        where = body.key if body else "<body>"
        recorded += pctx.remind(
            key, request.created_at + n * rules.EXTRAORDINARY_EVERY,
            partial(_recall, pctx, request, n, where),
            rules.EXTRAORDINARY_EVERY - timedelta(microseconds=1))
    return recorded
