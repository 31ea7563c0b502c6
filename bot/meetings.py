"""Meetings of the council's bodies, their agendas, extraordinary requests, compliance.

The Rome Declaration sets each body's rhythm ("Meetings of the Council at
Ambassadorial level will be held at least once a month"); the rules that judge
it are pure functions in :mod:`bot.cadence`, and this module feeds them the
meetings on record. A meeting is scheduled or cancelled; one whose start has
passed counts as held unless it was cancelled.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from bot import cadence
from bot.cadence import Compliance, Verdict
from bot.commands import command, parse_ref, split_word, text_argument
from bot.context import Context
from bot.errors import CommandError
from bot.issues import attach_waiting_issues, overdue_note
from bot.lookup import LookupFailed, find_one
from bot.messages import Message, count, escape
from bot.permissions import Role
from bot.times import TIME_FORMS, local_text, parse_when, slack_date
from storage.models import (
    AgendaItem,
    Body,
    Council,
    ExtraordinaryRequest,
    ImplementationIssue,
    Meeting,
    Member,
    Proposal,
)

MAX_TITLE = 200
MAX_AHEAD = timedelta(days=3650)
MAX_LISTED = 25
_SHORT_REMINDERS = [24 * 3600, 3600]
_DEFAULT_AT_RISK = {"month": 10, "year": 60}
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_CADENCE = re.compile(r"(\d{1,3})\s*/\s*(month|year)", re.IGNORECASE)
_DATE_WORD = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
_DATE_START = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_CLOCK_WORD = re.compile(r"^\d{1,2}:\d{2}$")
_ICONS = {Verdict.ON_TRACK: "✅", Verdict.AT_RISK: "⚠️", Verdict.BREACHED: "❌"}


# -- reading the record ---------------------------------------------------------------


def bodies_of(session: Session, council_id: int) -> list[Body]:
    """The council's active bodies, charter bodies first, in their order."""
    return list(session.exec(
        select(Body).where(Body.council_id == council_id, col(Body.active).is_(True))
        .order_by(col(Body.ordinal))
    ))


def find_body(session: Session, council_id: int, query: str) -> Body:
    """A body by key or name (forgiving case and punctuation), or a clear error."""
    try:
        return find_one(query, bodies_of(session, council_id),
                        names=lambda b: (b.key, b.name), label=lambda b: b.key, kind="body")
    except LookupFailed as exc:
        raise CommandError(str(exc)) from None


def meeting_of(session: Session, council_id: int, token: str) -> tuple[Meeting, Body]:
    number = parse_ref(token, "M", "meeting")
    meeting = session.exec(
        select(Meeting).where(Meeting.council_id == council_id, Meeting.id == number)
    ).first()
    if meeting is None:
        raise CommandError(f"There is no meeting M{number}.")
    body = session.get(Body, meeting.body_id)
    assert body is not None
    return meeting, body


def body_compliance(session: Session, body: Body, now: datetime, tz: ZoneInfo,
                    *, previous: bool = False) -> Compliance | None:
    """The body's compliance in the current period (or the one before); None without cadence."""
    standing = standings(session, [body], now, tz).get(body.id or 0)
    if standing is None:
        return None
    return standing.previous if previous else standing.current


@dataclass(frozen=True)
class Standing:
    """A body's compliance in the period containing ``now`` and in the one before."""

    current: Compliance
    previous: Compliance


def standings(session: Session, bodies: Iterable[Body], now: datetime,
              tz: ZoneInfo) -> dict[int, Standing]:
    """Each body's standing, by body id (bodies without a cadence left out).

    One query for every body's meetings, however many bodies: the App Home,
    ``bodies``, ``status`` and the cadence nudges show them all.
    """
    periods: dict[int, tuple[Body, cadence.Period, cadence.Period]] = {}
    for body in bodies:
        if body.cadence_count is None or body.cadence_per is None:
            continue
        unit, _ = cadence.unit_for(body.cadence_count, body.cadence_per)
        current = cadence.period_containing(now, unit, tz)
        periods[body.id or 0] = (body, current, cadence.period_before(current, tz))
    if not periods:
        return {}
    starts: dict[int, list[datetime]] = {body_id: [] for body_id in periods}
    for body_id, start in session.execute(
            select(Meeting.body_id, Meeting.starts_at).where(
                col(Meeting.body_id).in_(list(periods)), Meeting.status != "cancelled",
                col(Meeting.starts_at) >= min(p.start for _, _, p in periods.values()),
                col(Meeting.starts_at) < max(c.end for _, c, _ in periods.values()))):
        starts[body_id].append(start)  # assess() ignores those outside its period

    def assess(body: Body, period: cadence.Period) -> Compliance:
        return cadence.assess(body.cadence_count or 0, body.cadence_per or "",
                              body.at_risk_days, starts[body.id or 0], now, tz, period)

    return {body_id: Standing(assess(body, current), assess(body, previous))
            for body_id, (body, current, previous) in periods.items()}


def breach_counts(body: Body, compliance: Compliance) -> bool:
    """A closed period counts as breached only if the body existed before it turned at risk.

    A body created (or a council set up) in the last days of a period had no
    fair chance to meet its cadence there.
    """
    return compliance.verdict is Verdict.BREACHED and body.created_at < compliance.at_risk_from


def requester_name(session: Session, council: Council, request: ExtraordinaryRequest) -> str:
    if request.member_id is not None:
        member = session.get(Member, request.member_id)
        if member is not None:
            return member.name
    return f"the {council.chair_title}"


def agenda_lines(session: Session, meeting: Meeting) -> list[str]:
    """The numbered agenda: items added to it, then open implementation issues put on it."""
    names = {m.id: m.name for m in session.exec(
        select(Member).where(Member.council_id == meeting.council_id))}
    lines: list[str] = []
    listed_issues: set[int] = set()
    for item in session.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                             .order_by(col(AgendaItem.id))):
        who = f" _({names[item.member_id]})_" if item.member_id in names else ""
        lines.append(f"{len(lines) + 1}. {escape(item.text)}{who}"
                     f"{overdue_note(session, item.issue_id, meeting.starts_at)}")
        if item.issue_id is not None:
            listed_issues.add(item.issue_id)
    for issue in session.exec(
        select(ImplementationIssue).where(ImplementationIssue.meeting_id == meeting.id,
                                          ImplementationIssue.status == "open")
        .order_by(col(ImplementationIssue.id))
    ):
        if issue.id in listed_issues:
            continue
        who = f" _({names[issue.member_id]})_" if issue.member_id in names else ""
        lines.append(f"{len(lines) + 1}. Implementation issue I{issue.id}: "
                     f"{escape(issue.text[:300])}{who}")
    return lines


def agenda_section(session: Session, meeting: Meeting, slash: str) -> str:
    lines = agenda_lines(session, meeting)
    if not lines:
        return f"*Agenda*\n_No items yet._ Add one: `{slash} agenda M{meeting.id} add <text>`"
    return "*Agenda*\n" + "\n".join(lines)


def announcement(session: Session, council: Council, meeting: Meeting, body: Body,
                 slash: str = "/nrc") -> Message:
    """The channel message of a meeting; rebuilt in place when its agenda or status changes."""
    tz = ZoneInfo(council.timezone)
    when = slack_date(meeting.starts_at, tz)
    kind = "Extraordinary meeting" if meeting.extraordinary else "Meeting"
    text = f"*{body.name}* meets {when}."
    if meeting.request_id is not None:
        request = session.get(ExtraordinaryRequest, meeting.request_id)
        if request is not None:
            text += (f"\nRequested by *{requester_name(session, council, request)}*: "
                     f"{escape(request.reason)}")
    header = f"{kind} M{meeting.id}: {meeting.title}"
    context = [f"Scheduled by <@{meeting.created_by}>. Feeds: `{slash} calendar` (secretariat)."]
    if meeting.status == "cancelled":
        header = f"Cancelled: M{meeting.id}: {meeting.title}"
        reason = f" Reason: {escape(meeting.cancel_reason)}" if meeting.cancel_reason else ""
        text = f"~{text}~\n*This meeting is cancelled.*{reason}"
    return Message(
        text=text,
        header=header,
        fields=[("Body", body.name), ("When", when), ("Meeting", f"M{meeting.id}")],
        sections=[agenda_section(session, meeting, slash)],
        context=context,
    )


# -- parsing -----------------------------------------------------------------------------


def _rest_after(text: str, count: int) -> str:
    parts = text.strip().split(None, count)
    return parts[count].strip() if len(parts) > count else ""


def split_when(text: str) -> tuple[str, str]:
    """``2027-03-10 10:00 Title`` or ``2027-03-10T10:00+01:00 Title``: (when, rest)."""
    words = text.split()
    if not words:
        raise CommandError(f"Give the date and time of the meeting: {TIME_FORMS}.")
    if len(words) >= 2 and _DATE_WORD.match(words[0]) and _CLOCK_WORD.match(words[1]):
        return f"{words[0]} {words[1]}", _rest_after(text, 2)
    return words[0], _rest_after(text, 1)


def take_flag(text: str, flag: str) -> tuple[bool, str]:
    """Remove a ``--flag`` word wherever it stands."""
    pattern = re.compile(rf"(?:^|\s){re.escape(flag)}(?=\s|$)", re.IGNORECASE)
    found = bool(pattern.search(text))
    return found, " ".join(pattern.sub(" ", text).split()) if found else text.strip()


def refuse_unknown_options(text: str) -> None:
    for word in text.split():
        if word.startswith("--"):
            raise CommandError(f'There is no option "{word[:30]}".')


# -- commands ----------------------------------------------------------------------------


def _slash(ctx: Context) -> str:
    return ctx.slash


def _verdict_line(body: Body, comp: Compliance | None, tz: ZoneInfo) -> str:
    if comp is None:
        return "no minimum"
    text = f"{_ICONS[comp.verdict]} {comp.verdict.value}: {comp.summary()}"
    if comp.verdict is Verdict.AT_RISK:
        text += f"; {comp.missing} more needed, {count(cadence.days_left(comp, tz), 'day')} left"
    return text


@command("bodies", "bodies")
def bodies(ctx: Context, args: str) -> Message:
    """List the bodies, their mandated cadence and how each stands this period."""
    if args.strip():
        raise CommandError(f'Unexpected "{args.strip()[:40]}"; bodies takes no arguments.')
    rows = []
    every = bodies_of(ctx.session, ctx.council_id)
    standing = standings(ctx.session, every, ctx.now, ctx.tz)
    for body in every:
        words = cadence.mandate_words(body.cadence_count, body.cadence_per)
        kind = "" if body.permanent else ", ad hoc"
        area = f", area {body.area}" if body.area else ""
        comp = standing[body.id or 0].current if body.id in standing else None
        rows.append(f"*{body.name}* (`{body.key}`{kind}{area}): {words}\n"
                    f"    {_verdict_line(body, comp, ctx.tz)}")
    return Message(
        text=f"The bodies of the {ctx.council.name} and their mandated cadence.",
        header="Bodies",
        sections=["\n".join(rows)],
        context=["At risk: the period is running out and too few meetings are scheduled. "
                 "A meeting whose start has passed counts as held unless it was cancelled."],
    )


@command(
    "body add",
    "body add <key> <name> [--cadence N/month|N/year] [--area A] [--ad-hoc]",
    examples=("body add wg-sar Working group on search and rescue --cadence 1/month --area sar",
              "body add tmd-experts Theatre missile defence experts --ad-hoc"),
    mutates=True,
)
def body_add(ctx: Context, args: str) -> Message:
    """Create a committee or working group of the council, permanent unless --ad-hoc.

    "The NRC will ... establish committees or working groups for individual
    subjects or areas, as appropriate, ad hoc or on a permanent basis."
    """
    ad_hoc, text = take_flag(args, "--ad-hoc")
    cadence_count: int | None = None
    cadence_per: str | None = None
    area: str | None = None
    words = text.split()
    kept: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word.casefold() in ("--cadence", "--area"):
            if i + 1 >= len(words):
                raise CommandError(f"Give a value after {word}.")
            value = words[i + 1]
            if word.casefold() == "--cadence":
                match = _CADENCE.fullmatch(value)
                if not match or int(match.group(1)) < 1:
                    raise CommandError(
                        f'"{value[:30]}" is not a cadence; write it like 1/month or 2/year.')
                cadence_count, cadence_per = int(match.group(1)), match.group(2).lower()
                if cadence_count > (31 if cadence_per == "month" else 366):
                    raise CommandError(f"{cadence_count} meetings a {cadence_per} is too many.")
            else:
                spec = ctx.charter.area(value)
                if spec is None:
                    known = ", ".join(a.key for a in ctx.charter.areas) or "none are defined"
                    raise CommandError(f'There is no area "{value[:30]}" (areas: {known}).')
                area = spec.key
            i += 2
            continue
        kept.append(word)
        i += 1
    refuse_unknown_options(" ".join(kept))
    if not kept:
        raise CommandError("Give the new body's key and name.")
    key = kept[0].lower()
    if len(key) > 64 or not _KEY.fullmatch(key):
        raise CommandError(f'"{kept[0][:40]}" is not a key; use lowercase words joined by '
                           "hyphens, like wg-sar.")
    if key == "all":
        raise CommandError('"all" names the feed of every meeting; choose another key.')
    name = " ".join(kept[1:])
    if not name:
        raise CommandError("Give the new body's name after its key.")
    if len(name) > MAX_TITLE:
        raise CommandError(f"The name is {len(name)} characters long; the limit is {MAX_TITLE}.")
    for other in ctx.session.exec(select(Body).where(Body.council_id == ctx.council_id)):
        if other.key == key:
            raise CommandError(f"There is already a body with the key {key}.")
        if other.name.casefold() == name.casefold():
            raise CommandError(f'There is already a body named "{escape(other.name)}".')
    ordinal = ctx.session.exec(
        select(func.max(Body.ordinal)).where(Body.council_id == ctx.council_id)).one() or 0
    body = Body(
        council_id=ctx.council_id, ordinal=ordinal + 1, key=key, name=name, level="committee",
        mandate=("as the Council sets: " + cadence.mandate_words(cadence_count, cadence_per)),
        cadence_count=cadence_count, cadence_per=cadence_per,
        reminders=list(_SHORT_REMINDERS),
        at_risk_days=_DEFAULT_AT_RISK[cadence_per] if cadence_per else None,
        area=area, extraordinary=False, permanent=not ad_hoc, created_at=ctx.now,
    )
    ctx.session.add(body)
    ctx.session.flush()
    ctx.audit("body.add", {"body": key, "name": name, "cadence_count": cadence_count,
                           "cadence_per": cadence_per, "area": area, "permanent": not ad_hoc})
    mandate = cadence.mandate_words(cadence_count, cadence_per)
    kind = "ad hoc" if ad_hoc else "permanent"
    spec = ctx.charter.area(area) if area else None
    area_text = f", area: {spec.name}" if spec else ""
    text = f"New {kind} body: *{escape(name)}* (`{key}`), meeting {mandate}{area_text}."
    ctx.post(f"body:{body.id}", Message(text=text))
    return Message(text=text)


def _open_requests(session: Session, council_id: int) -> list[ExtraordinaryRequest]:
    return list(session.exec(
        select(ExtraordinaryRequest)
        .where(ExtraordinaryRequest.council_id == council_id,
               ExtraordinaryRequest.status == "open")
        .order_by(col(ExtraordinaryRequest.id))
    ))


@command(
    "schedule",
    "schedule <body> <when> [title] [--extraordinary]",
    examples=("schedule council-amb 2027-03-10 10:00 Monthly meeting",
              "schedule council-fm 2027-05-20T09:30+02:00 Spring ministerial",
              "schedule council-amb 2027-03-02 15:00 --extraordinary"),
    mutates=True,
)
def schedule(ctx: Context, args: str) -> Message:
    """Schedule a meeting of a body and announce it in the council channel.

    Times are the council's local time unless they carry an offset.
    --extraordinary schedules an extraordinary Council meeting and fulfils the
    oldest open request for one.
    """
    extraordinary, text = take_flag(args, "--extraordinary")
    words = text.split()
    if not words:
        raise CommandError("Name the body and the time of the meeting.")
    # The body is named up to the date ("Preparatory Committee 2027-03-10 10:00").
    at = next((i for i, w in enumerate(words) if _DATE_START.match(w)), 1)
    if at == 0:
        raise CommandError("Name the body before the time of the meeting.")
    body = find_body(ctx.session, ctx.council_id, " ".join(words[:at]))
    rest = _rest_after(text, at)
    when_text, title = split_when(rest)
    refuse_unknown_options(title)
    starts = parse_when(when_text, ctx.tz)
    if starts <= ctx.now:
        raise CommandError(f"{local_text(starts, ctx.tz)} is in the past; choose a later time.")
    if starts - ctx.now > MAX_AHEAD:
        raise CommandError("A meeting may be scheduled at most ten years ahead.")
    if len(title) > MAX_TITLE:
        raise CommandError(f"The title is {len(title)} characters long; the limit is {MAX_TITLE}.")
    request: ExtraordinaryRequest | None = None
    if extraordinary:
        if not body.extraordinary:
            holder = ctx.session.exec(select(Body).where(
                Body.council_id == ctx.council_id, col(Body.extraordinary).is_(True))).first()
            where = f"; schedule them for {holder.key}" if holder else ""
            raise CommandError(f"The {body.name} holds no extraordinary meetings{where}.")
        requests = _open_requests(ctx.session, ctx.council_id)
        request = requests[0] if requests else None
    clash = ctx.session.exec(select(Meeting).where(
        Meeting.body_id == body.id, Meeting.starts_at == starts,
        Meeting.status == "scheduled")).first()
    if clash is not None:
        raise CommandError(f"M{clash.id} of the {body.name} already starts at that time.")
    if not title:
        title = f"Extraordinary meeting of the {body.name}" if extraordinary else body.name
    meeting = Meeting(council_id=ctx.council_id, body_id=body.id or 0, starts_at=starts,
                      title=title, extraordinary=extraordinary,
                      request_id=request.id if request else None,
                      created_by=ctx.actor.user_id, created_at=ctx.now)
    ctx.session.add(meeting)
    ctx.session.flush()
    if request is not None:
        request.status = "fulfilled"
        request.fulfilled_at = ctx.now
        ctx.session.add(request)
    ctx.audit("meeting.schedule", {
        "meeting": meeting.id, "body": body.key, "starts_at": starts.isoformat(),
        "title": title, "extraordinary": extraordinary,
        "request": request.id if request else None})
    ctx.post(f"meeting:{meeting.id}",
             announcement(ctx.session, ctx.council, meeting, body, _slash(ctx)))
    attach_waiting_issues(ctx, meeting)  # open implementation issues waiting for a Council meeting
    note = f" It fulfils extraordinary request E{request.id}." if request else ""
    return Message(text=f"Scheduled M{meeting.id} ({body.name}) for "
                        f"{slack_date(starts, ctx.tz)} and announced it in the channel.{note}")


@command("meetings", "meetings [body] [page N]",
         examples=("meetings", "meetings council-amb", "meetings council-amb page 2"))
def meetings(ctx: Context, args: str) -> Message:
    """List the upcoming meetings, of every body or of one, 25 at a time.

    The reply says how many there are; `page 2` shows the next 25.
    """
    text, page = _page_argument(args)
    query = select(Meeting, Body).join(Body, Body.id == Meeting.body_id).where(  # type: ignore[arg-type]
        Meeting.council_id == ctx.council_id, Meeting.status == "scheduled",
        col(Meeting.starts_at) > ctx.now)
    scope, body_word = "", ""
    if text:
        body = find_body(ctx.session, ctx.council_id, text)
        query = query.where(Meeting.body_id == body.id)
        scope, body_word = f" of the {body.name}", f" {body.key}"
    rows = ctx.session.execute(
        query.add_columns(func.count().over()).order_by(col(Meeting.starts_at), col(Meeting.id))
        .offset((page - 1) * MAX_LISTED).limit(MAX_LISTED)).all()
    listing = f"`{_slash(ctx)} meetings{body_word}"
    if not rows:
        total = ctx.session.exec(select(func.count()).select_from(
            query.with_only_columns(Meeting.id).subquery())).one() if page > 1 else 0
        if not total:
            return Message(text=f"No meetings{scope} are scheduled. "
                                f"The Chair or the secretariat can add one: `{_slash(ctx)} schedule`.")
        pages = -(-total // MAX_LISTED)
        raise CommandError(f"There {'is' if pages == 1 else 'are'} {count(pages, 'page')} of "
                           f"upcoming meetings; {listing}` shows "
                           f"{'it' if pages == 1 else 'the first'}.")
    total = int(rows[0][-1])
    lines = []
    for meeting, body, _ in rows:
        mark = " _(extraordinary)_" if meeting.extraordinary else ""
        lines.append(f"*M{meeting.id}* {slack_date(meeting.starts_at, ctx.tz)}: "
                     f"{escape(meeting.title)} ({body.name}){mark}")
    context = []
    if total > MAX_LISTED:
        first = (page - 1) * MAX_LISTED + 1
        ways = []
        if first + len(rows) <= total:
            ways.append(f"The next page: {listing} page {page + 1}`")
        else:
            ways.append(f"The first page: {listing}`")
        if not text:
            ways.append(f"one body's: `{_slash(ctx)} meetings {rows[0][1].key}`")
        context.append(f"Meetings {first}\u2013{first + len(rows) - 1} of {total} are shown. "
                       + "; ".join(ways) + ".")
    return Message(text=f"{count(total, 'upcoming meeting')}{scope}.", header="Meetings",
                   sections=["\n".join(lines)], context=context)


_PAGE = re.compile(r"(?:^|\s)page(?:\s+(\S+))?$", re.IGNORECASE)
_PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")


def _page_argument(args: str) -> tuple[str, int]:
    """``council-amb page 2`` -> ("council-amb", 2); without ``page N``, page 1."""
    text = args.strip()
    found = _PAGE.search(text)
    if found is None:
        return text, 1
    number = found.group(1) or ""
    if not _PAGE_NUMBER.fullmatch(number):
        raise CommandError("Give the page as a number from 1, like page 2.")
    return text[:found.start()].strip(), int(number)


@command("cancel", "cancel <M> [reason]", examples=("cancel M3", "cancel M3 postponed to May"),
         mutates=True)
def cancel(ctx: Context, args: str) -> Message:
    """Cancel a scheduled meeting and announce it; its reminders stop."""
    token, reason = split_word(args)
    if not token:
        raise CommandError("Name the meeting to cancel, like M3.")
    meeting, body = meeting_of(ctx.session, ctx.council_id, token)
    if reason:
        reason = text_argument(reason, "reason")
    if meeting.status == "cancelled":
        raise CommandError(f"M{meeting.id} is already cancelled.")
    if meeting.starts_at <= ctx.now:
        raise CommandError(f"M{meeting.id} has already taken place.")
    meeting.status = "cancelled"
    meeting.cancel_reason = reason or None
    ctx.session.add(meeting)
    reopened = None
    if meeting.request_id is not None:
        request = ctx.session.get(ExtraordinaryRequest, meeting.request_id)
        if request is not None and request.status == "fulfilled":
            # The declaration says the extraordinary meeting "will take place":
            # cancelling it puts the request back among those to be met.
            request.status = "open"
            request.fulfilled_at = None
            ctx.session.add(request)
            reopened = request.id
    ctx.audit("meeting.cancel", {"meeting": meeting.id, "body": body.key, "reason": reason,
                                 "request_reopened": reopened})
    ctx.update(f"meeting:{meeting.id}",
               announcement(ctx.session, ctx.council, meeting, body, _slash(ctx)))
    why = f" Reason: {escape(reason)}" if reason else ""
    text = (f"*M{meeting.id}* ({body.name}, {slack_date(meeting.starts_at, ctx.tz)}) "
            f"is cancelled.{why}")
    if reopened is not None:
        text += f"\nExtraordinary request E{reopened} is open again until a new meeting is scheduled."
    ctx.post(f"meeting:{meeting.id}:cancelled", Message(text=text))
    return Message(text=f"Cancelled M{meeting.id} and announced it in the channel.")


def _adds_to_agenda(args: str) -> bool:
    """``agenda M3 add …`` writes; ``agenda M3`` only reads."""
    return split_word(split_word(args)[1])[0].casefold() == "add"


@command("agenda", "agenda <M> [add <text>]", action=None, mutates=_adds_to_agenda,
         examples=("agenda M3", "agenda M3 add Implementation of the search-and-rescue decision"))
def agenda(ctx: Context, args: str) -> Message:
    """Show a meeting's agenda, or add an item to it (delegations, the Chair, the secretariat)."""
    token, rest = split_word(args)
    if not token:
        ctx.require("agenda")
        raise CommandError("Name the meeting, like M3.")
    word, text = split_word(rest)
    if word.casefold() == "add":
        ctx.require("agenda add")
        return _agenda_add(ctx, token, text)
    ctx.require("agenda")
    if rest:
        raise CommandError(f'Unexpected "{rest[:40]}"; to add an item write agenda {token} add '
                           "<text>.")
    meeting, body = meeting_of(ctx.session, ctx.council_id, token)
    status = " (cancelled)" if meeting.status == "cancelled" else ""
    return Message(
        text=f"*{escape(meeting.title)}*{status}: {body.name}, "
             f"{slack_date(meeting.starts_at, ctx.tz)}.",
        header=f"Agenda of M{meeting.id}",
        sections=[agenda_section(ctx.session, meeting, _slash(ctx))],
    )


def _agenda_add(ctx: Context, token: str, text: str) -> Message:
    meeting, body = meeting_of(ctx.session, ctx.council_id, token)
    text = text_argument(text, "agenda item")
    if meeting.status == "cancelled":
        raise CommandError(f"M{meeting.id} is cancelled; its agenda is closed.")
    if meeting.starts_at <= ctx.now:
        raise CommandError(f"M{meeting.id} has already taken place; its agenda is closed.")
    item = AgendaItem(council_id=ctx.council_id, meeting_id=meeting.id or 0, text=text,
                      added_by=ctx.actor.user_id,
                      member_id=ctx.actor.member.id if ctx.actor.member else None,
                      created_at=ctx.now)
    ctx.session.add(item)
    ctx.session.flush()
    ctx.audit("agenda.add", {"meeting": meeting.id, "item": item.id, "text": text})
    ctx.update(f"meeting:{meeting.id}",
               announcement(ctx.session, ctx.council, meeting, body, _slash(ctx)))
    count = len(agenda_lines(ctx.session, meeting))
    return Message(text=f"Added item {count} to the agenda of M{meeting.id}; "
                        "the announcement in the channel shows it.")


@command("extraordinary", "extraordinary <reason>",
         examples=("extraordinary Consultations on the crisis in the region",),
         mutates=True)
def extraordinary(ctx: Context, args: str) -> Message:
    """Request an extraordinary meeting of the Council, for your member or as the Chair.

    "... extraordinary meetings, which will take place at the request of any
    Member or the NATO Secretary General." The Chair is told at once and
    reminded daily until the meeting is scheduled.
    """
    reason = text_argument(args, "reason for the extraordinary meeting")
    as_member = ctx.actor.member if Role.DELEGATE in ctx.actor.roles else None
    for request in _open_requests(ctx.session, ctx.council_id):
        if request.member_id == (as_member.id if as_member else None):
            who = as_member.name if as_member else f"The {ctx.council.chair_title}"
            raise CommandError(f"{who} already has extraordinary request E{request.id} open, "
                               "waiting for a meeting to be scheduled.")
    body = ctx.session.exec(select(Body).where(
        Body.council_id == ctx.council_id, col(Body.extraordinary).is_(True))).first()
    if body is None:
        raise CommandError("No body of this council holds extraordinary meetings.")
    request = ExtraordinaryRequest(council_id=ctx.council_id,
                                   member_id=as_member.id if as_member else None,
                                   requested_by=ctx.actor.user_id, reason=reason,
                                   created_at=ctx.now)
    ctx.session.add(request)
    ctx.session.flush()
    ctx.audit("extraordinary.request", {"request": request.id, "reason": reason}, as_member)
    who = requester_name(ctx.session, ctx.council, request)
    chair = ctx.council.chair_user_id
    chair_text = f"<@{chair}>" if chair else f"The {ctx.council.chair_title} (not yet set)"
    ctx.post(f"extraordinary:{request.id}", Message(
        header=f"Extraordinary meeting requested (E{request.id})",
        text=f"*{who[0].upper() + who[1:]}* requests an extraordinary meeting of the "
             f"*{body.name}* (<@{ctx.actor.user_id}>).\n*Reason:* {escape(reason)}",
        context=[f"{chair_text} is asked to schedule it: "
                 f"`{_slash(ctx)} schedule {body.key} <when> --extraordinary`. "
                 "Rome Declaration: extraordinary meetings \"will take place at the request "
                 "of any Member or the NATO Secretary General\"."],
    ))
    if chair and chair != ctx.actor.user_id:
        ctx.dm(f"extraordinary:{request.id}:chair", chair, Message(
            text=f"*{who[0].upper() + who[1:]}* requests an extraordinary meeting of the "
                 f"*{body.name}*: {escape(reason)}\nSchedule it with "
                 f"`{_slash(ctx)} schedule {body.key} <when> --extraordinary`; "
                 "I will remind the channel daily until it is scheduled."))
    return Message(text=f"Your request (E{request.id}) is announced in the channel and "
                        f"the {ctx.council.chair_title} is notified.")


def withdraw_request(ctx: Context, number: int) -> Message:
    """``withdraw E<n>``: the requesting delegation or the Chair withdraws an open request.

    It is announced under the request's announcement; the daily recall stops, and
    ``status`` no longer lists it.
    """
    request = ctx.session.get(ExtraordinaryRequest, number)
    if request is None or request.council_id != ctx.council_id:
        raise CommandError(f"There is no extraordinary request E{number}.")
    member = ctx.actor.member
    requester = (ctx.actor.user_id == request.requested_by
                 or (request.member_id is not None and member is not None
                     and member.id == request.member_id and Role.DELEGATE in ctx.actor.roles))
    ctx.require("withdraw request", *((Role.REQUESTER,) if requester else ()))
    if request.status == "withdrawn":
        raise CommandError(f"E{number} is already withdrawn.")
    if request.status != "open":
        raise CommandError(f"E{number} is fulfilled: its meeting is scheduled; the "
                           f"{ctx.council.chair_title} may cancel that meeting.")
    request.status = "withdrawn"
    ctx.session.add(request)
    requested_for = (ctx.session.get(Member, request.member_id)
                     if request.member_id is not None else None)
    ctx.audit("extraordinary.withdraw", {"request": number}, requested_for)
    who = requester_name(ctx.session, ctx.council, request)
    ctx.post(f"extraordinary:{number}:withdrawn", Message(
        text=f"E{number}, the request of *{who[0].upper() + who[1:]}* for an extraordinary "
             f"meeting, was withdrawn by <@{ctx.actor.user_id}>; no meeting is to be "
             "scheduled for it."), thread_key=f"extraordinary:{number}")
    return Message(text=f"Withdrew E{number}.")


@command("status", "status")
def status(ctx: Context, args: str) -> Message:
    """One screen: each body's compliance, the next meetings, open requests, polls and issues."""
    if args.strip():
        raise CommandError(f'Unexpected "{args.strip()[:40]}"; status takes no arguments.')
    cadence_lines = []
    every = bodies_of(ctx.session, ctx.council_id)
    standing = standings(ctx.session, every, ctx.now, ctx.tz)
    for body in every:
        if body.id not in standing:
            continue
        comp, before = standing[body.id].current, standing[body.id].previous
        line = f"*{body.name}*: {_verdict_line(body, comp, ctx.tz)}"
        if breach_counts(body, before):
            line += f" ({before.period.label}: ❌ breached)"
        cadence_lines.append(line)
    upcoming = list(ctx.session.exec(
        select(Meeting, Body).join(Body, Body.id == Meeting.body_id)  # type: ignore[arg-type]
        .where(Meeting.council_id == ctx.council_id, Meeting.status == "scheduled",
               col(Meeting.starts_at) > ctx.now)
        .order_by(col(Meeting.starts_at)).limit(5)))
    meeting_lines = [f"*M{m.id}* {slack_date(m.starts_at, ctx.tz)}: {escape(m.title)} ({b.name})"
                     for m, b in upcoming] or ["_None scheduled._"]
    sections = ["*Cadence this period*\n" + "\n".join(cadence_lines),
                "*Next meetings*\n" + "\n".join(meeting_lines)]
    requests = _open_requests(ctx.session, ctx.council_id)
    if requests:
        sections.append("*Extraordinary meetings requested, not yet scheduled*\n" + "\n".join(
            f"E{r.id}. {requester_name(ctx.session, ctx.council, r)}, "
            f"{slack_date(r.created_at, ctx.tz)}: {escape(r.reason[:200])}" for r in requests))
    polls = ctx.session.exec(select(func.count()).select_from(Proposal).where(
        Proposal.council_id == ctx.council_id, Proposal.status == "open")).one()
    issues = ctx.session.exec(select(func.count()).select_from(ImplementationIssue).where(
        ImplementationIssue.council_id == ctx.council_id,
        ImplementationIssue.status == "open")).one()
    at_risk = sum("at risk" in line for line in cadence_lines)
    summary = ("every body is on its cadence" if not at_risk
               else f"{at_risk} {'body is' if at_risk == 1 else 'bodies are'} at risk")
    return Message(
        text=f"{ctx.council.name} as of {slack_date(ctx.now, ctx.tz)}: {summary}.",
        header="Status",
        sections=sections,
        context=[f"Open consensus polls: {polls}. Open implementation issues: {issues}."],
    )


@dataclass(frozen=True)
class FeedLink:
    name: str
    path: str


def feed_links(session: Session, council: Council) -> list[FeedLink]:
    """The calendar feeds: all meetings, then one per body. The token makes them unguessable."""
    base = f"/calendar/{council.ics_token}"
    links = [FeedLink("All meetings", f"{base}/all.ics")]
    assert council.id is not None
    links += [FeedLink(b.name, f"{base}/{b.key}.ics") for b in bodies_of(session, council.id)]
    return links


def public_url() -> str:
    """Where ``nrc-bot serve`` is reachable from outside (``NRC_PUBLIC_URL``), if known."""
    return os.environ.get("NRC_PUBLIC_URL", "").strip().rstrip("/")


@command("calendar", "calendar")
def calendar_(ctx: Context, args: str) -> Message:
    """Show the addresses of the iCalendar feeds (secretariat): all meetings and each body."""
    base = public_url()
    lines = [f"• {name}: `{base}{path}`" for name, path in
             ((f.name, f.path) for f in feed_links(ctx.session, ctx.council))]
    context = ["Anyone with an address can read the calendar: share it with the delegations "
               "only."]
    if not base:
        context.append("The addresses are relative to where `nrc-bot serve` answers; set "
                       "NRC_PUBLIC_URL to show them in full.")
    return Message(text="Subscribe to these in any calendar application.",
                   header="Calendar feeds", sections=["\n".join(lines)], context=context)
