"""The use-cases of attendance and of a meeting's record (the Chair, the secretariat).

The record is a draft built from the records until it is finalised; each finalised
revision keeps the whole document as posted (``RecordRevision.content``), so that
the record never changes under the council's eyes. A change to attendance or to an
item's outcome after that is a correction: it is audited and publishes the next
revision, in the thread of the first.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot import keys
from bot.context import Context
from bot.errors import CommandError
from bot.i18n import SOURCE, _, named, using
from bot.meetings import queries, queries_record, render_record, rules_record, service_canvas
from bot.meetings.queries import AgendaEntry
from bot.messages import Message
from bot.registry import find_member, members_of, parse_user, text_argument
from storage.models import Body, Meeting
from storage.models_record import RecordRevision
from storage.statuses import AttendanceStatus


def _ref(entry: AgendaEntry) -> str:
    """An agenda line's lasting name: its item, or the issue listed on its own."""
    return f"item:{entry.item_id}" if entry.item_id is not None else f"issue:{entry.issue_id}"


def _started(ctx: Context, token: str, doing: str) -> tuple[Meeting, Body]:
    meeting, body = queries.meeting_of(ctx.session, ctx.council_id, token)
    rules_record.check_started(meeting.id, meeting.status, meeting.starts_at, ctx.now, ctx.tz,
                               doing)
    return meeting, body


def document(ctx: Context, meeting: Meeting, body: Body) -> dict[str, Any]:
    """The record as the records stand now: plain data, kept whole when finalised (its
    names as the charter writes them, whoever finalises it)."""
    with using(SOURCE):
        return _document(ctx, meeting, body)


def _document(ctx: Context, meeting: Meeting, body: Body) -> dict[str, Any]:
    session, names = ctx.session, queries_record.member_names(ctx.session, ctx.council_id)
    present = queries_record.attendance_of(session, meeting.id)
    roles = {d.user_id: d.role for ds in queries_record.seated(session, ctx.council_id).values()
             for d in ds}
    attendance = []
    for member in members_of(ctx):
        row = present.get(member.id or 0)
        attendance.append({
            "member": member.name, "status": row.status if row else None,
            "delegates": [{"user": u, "role": roles.get(u)} for u in (row.delegates if row
                                                                      else [])],
            "by": names.get(row.by_member_id or 0) if row and row.by_member_id else None})
    outcomes = queries_record.outcomes_of(session, meeting.id)
    items = []
    for n, entry in enumerate(queries.agenda_entries(session, meeting,
                                                     ctx.settings.issue_overdue), start=1):
        outcome = outcomes.get(_ref(entry))
        items.append({"n": n, "text": entry.text, "who": entry.who, "resolved": entry.resolved,
                      "issue": entry.issue_id, "outcome": outcome.text if outcome else None})
    start, end = rules_record.window(meeting.starts_at, meeting.duration_minutes)
    return {
        "meeting": {"id": meeting.id, "body": body.name, "title": meeting.title,
                    "starts_at": meeting.starts_at.isoformat(),
                    "duration_minutes": meeting.duration_minutes, "venue": meeting.venue},
        "attendance": attendance,
        "agenda": {"state": meeting.agenda_state, "revision": meeting.agenda_revision,
                   "items": items},
        "polls": [{"id": p.id, "version": p.version, "text": p.text, "status": p.status}
                  for p in queries_record.polls_opened(session, ctx.council_id, start, end)],
        "decisions": [{"id": d.id, "text": d.text, "proposal": d.proposal_id}
                      for d in queries_record.decisions_adopted(session, ctx.council_id,
                                                                start, end)],
        "statements": [{"id": s.id, "kind": s.kind, "text": s.text}
                       for s in queries_record.statements_issued(session, ctx.council_id,
                                                                 start, end)],
        "issues": [{"id": i.id, "member": names.get(i.member_id, ""), "decision": i.decision_id,
                    "text": i.text, "status": i.status}
                   for i in queries_record.issues_discussed(session, meeting)],
    }


def _correct(ctx: Context, meeting: Meeting, body: Body, note: str) -> RecordRevision | None:
    """After finalisation, a change publishes the next revision (audited); None before."""
    latest = queries_record.latest_revision(ctx.session, meeting.id)
    if latest is None:
        return None
    return _publish(ctx, meeting, body, latest.revision + 1, note)


def _publish(ctx: Context, meeting: Meeting, body: Body, revision: int,
             note: str | None) -> RecordRevision:
    content = document(ctx, meeting, body)
    row = queries_record.add_revision(ctx.session, meeting, revision, content,
                                      ctx.actor.user_id, ctx.now, note)
    ctx.audit("record.final" if revision == 1 else "record.correct",
              {"meeting": meeting.id, "revision": revision, **({"note": note} if note else {})})
    facts = row_facts(row)
    ctx.post(keys.record(meeting.id, revision),
             lambda: render_record.record_message(content, facts, ctx.tz, ctx.slash),
             thread_key=keys.record(meeting.id, 1) if revision > 1 else None)
    service_canvas.refresh_canvas(ctx, meeting.id)
    return row


def canvas_section(session: Session, meeting: Meeting, tz: ZoneInfo) -> str | None:
    """The final record on the meeting's canvas (its latest revision), once finalised."""
    latest = queries_record.latest_revision(session, meeting.id)
    if latest is None:
        return None
    return render_record.record_markdown(latest.content, row_facts(latest), tz)


service_canvas.CANVAS_SECTIONS.append(canvas_section)


def row_facts(row: RecordRevision) -> dict[str, Any]:
    """A revision's own facts, beside its document: number, who, when, what it corrects."""
    return {"revision": row.revision, "by": row.finalised_by,
            "at": row.finalised_at.isoformat(), "note": row.note}


# -- attendance ----------------------------------------------------------------------------


def show_attendance(ctx: Context, token: str) -> Message:
    ctx.require("attendance")
    meeting, body = queries.meeting_of(ctx.session, ctx.council_id, token)
    content = document(ctx, meeting, body)
    return render_record.attendance_message(content, ctx.tz, ctx.slash)


def record_attendance(ctx: Context, token: str, member_query: str, rest: str) -> Message:
    """``attendance <M> <member> <user>… | absent | by <member>``."""
    ctx.require("attendance record")
    meeting, body = _started(ctx, token, "attendance")
    member = find_member(ctx, member_query)
    words = rest.split()
    by_id: int | None = None
    users: list[str] = []
    if words and words[0].casefold() == rules_record.ABSENT:
        if len(words) > 1:
            raise CommandError(_('Unexpected "{text}" after absent.',
                                 text=" ".join(words[1:])[:40]))
        status = AttendanceStatus.ABSENT
    elif words and words[0].casefold() == rules_record.BY:
        other = find_member(ctx, " ".join(words[1:]) or "?")
        rules_record.check_representation(ctx.charter.representation_by_other_member,
                                          named(member), named(other))
        status, by_id = AttendanceStatus.BY_MEMBER, other.id
    else:
        users = list(dict.fromkeys(parse_user(word) for word in words))
        seated = queries_record.seated(ctx.session, ctx.council_id).get(member.id or 0, [])
        rules_record.check_delegates(named(member), users, [d.user_id for d in seated])
        status = AttendanceStatus.PRESENT
    return _attend(ctx, meeting, body, [(member.id or 0, member.name, status, users, by_id)],
                   {member.name: named(member)})


def _attend(ctx: Context, meeting: Meeting, body: Body,
            entries: list[tuple[int, str, str, list[str], int | None]],
            shown: dict[str, str]) -> Message:
    """Record each entry (audited under the member's charter name); the reply names the
    members as the reader's language does (``shown``)."""
    changed: list[str] = []
    for member_id, name, status, users, by_id in entries:
        _row, did = queries_record.set_attendance(ctx.session, meeting, member_id, status,
                                                  users, by_id, ctx.actor.user_id, ctx.now)
        if did:
            changed.append(name)
            ctx.audit("attendance.record", {"meeting": meeting.id, "member": name,
                                            "status": status, "delegates": users,
                                            **({"by_member": by_id} if by_id else {})})
    if not changed:
        return Message(text=_("Nothing changed: the attendance of M{number} already says so.",
                              number=meeting.id))
    corrected = _correct(ctx, meeting, body, "attendance of " + ", ".join(changed))
    content = document(ctx, meeting, body)
    missing = rules_record.unrecorded([a["member"] for a in content["attendance"]],
                                      [a["member"] for a in content["attendance"]
                                       if a["status"]])
    return render_record.attendance_reply(meeting.id, [shown.get(n, n) for n in changed],
                                          missing, corrected.revision if corrected else None,
                                          ctx.slash)


def attendance_form(ctx: Context, token: str) -> dict[str, Any]:
    """What the attendance modal lists: the meeting and each member with its delegates
    and what is recorded (the secretariat opens it from ``attendance <M>``)."""
    ctx.require("attendance record")
    meeting, body = _started(ctx, token, "attendance")
    seated = queries_record.seated(ctx.session, ctx.council_id)
    present = queries_record.attendance_of(ctx.session, meeting.id)
    return {"meeting": meeting.id, "title": f"M{meeting.id}: {named(body)}"[:24],
            "members": [{"id": m.id, "name": named(m),
                         "delegates": [d.user_id for d in seated.get(m.id or 0, [])],
                         "status": present[m.id or 0].status if m.id in present else None,
                         "chosen": present[m.id or 0].delegates if m.id in present else []}
                        for m in members_of(ctx)]}


def attendance_from_form(ctx: Context, meeting_id: int, chosen: dict[int, list[str]],
                         absent: set[int]) -> Message:
    """The modal's submission: each member with delegates chosen is present by them, each
    ticked absent is absent; a member left blank is left as it was."""
    ctx.require("attendance record")
    meeting, body = _started(ctx, f"M{meeting_id}", "attendance")
    seated = queries_record.seated(ctx.session, ctx.council_id)
    entries: list[tuple[int, str, str, list[str], int | None]] = []
    for member in members_of(ctx):
        users = list(dict.fromkeys(chosen.get(member.id or 0, [])))
        if member.id in absent and users:
            raise CommandError(_("{member} cannot be both absent and represented; choose one.",
                                 member=named(member)))
        if users:
            rules_record.check_delegates(named(member), users,
                                         [d.user_id for d in seated.get(member.id or 0, [])])
            entries.append((member.id or 0, member.name, AttendanceStatus.PRESENT, users, None))
        elif member.id in absent:
            entries.append((member.id or 0, member.name, AttendanceStatus.ABSENT, [], None))
    return _attend(ctx, meeting, body, entries, {m.name: named(m) for m in members_of(ctx)})


# -- the record ----------------------------------------------------------------------------


def show_record(ctx: Context, token: str) -> Message:
    """The final record's latest revision as posted, or the draft as it stands."""
    ctx.require("record")
    meeting, body = queries.meeting_of(ctx.session, ctx.council_id, token)
    latest = queries_record.latest_revision(ctx.session, meeting.id)
    if latest is not None:
        return render_record.record_message(latest.content, row_facts(latest), ctx.tz,
                                            ctx.slash)
    return render_record.record_message(document(ctx, meeting, body), None, ctx.tz, ctx.slash)


def write_outcome(ctx: Context, token: str, number_text: str, text: str) -> Message:
    """``record <M> item <n> <text>``: the outcome of one agenda line."""
    ctx.require("record write")
    meeting, body = _started(ctx, token, "record")
    entries = queries.agenda_entries(ctx.session, meeting, ctx.settings.issue_overdue)
    number = rules_record.item_number(number_text, len(entries), meeting.id)
    text = text_argument(text, f"outcome of item {number}")
    before = queries_record.set_outcome(ctx.session, meeting, _ref(entries[number - 1]), text,
                                        ctx.actor.user_id, ctx.now)
    if before == text:
        return Message(text=_("Nothing changed: item {item} of M{number} already has that "
                              "outcome.", item=number, number=meeting.id))
    ctx.audit("record.outcome", {"meeting": meeting.id, "item": number, "text": text,
                                 **({"before": before} if before is not None else {})})
    corrected = _correct(ctx, meeting, body, f"outcome of item {number}")
    return render_record.outcome_reply(meeting.id, number,
                                       corrected.revision if corrected else None, ctx.slash)


def finalise(ctx: Context, token: str) -> Message:
    """``record <M> final``: check, keep the document whole, post it in the channel."""
    ctx.require("record final")
    meeting, body = _started(ctx, token, "record")
    rules_record.check_not_final(meeting.id, len(queries_record.revisions_of(ctx.session,
                                                                             meeting.id)))
    content = document(ctx, meeting, body)
    rules_record.check_finalisable(meeting.id, rules_record.unrecorded(
        [a["member"] for a in content["attendance"]],
        [a["member"] for a in content["attendance"] if a["status"]]))
    _publish(ctx, meeting, body, 1, None)
    return Message(text=_("The record of M{number} is final and posted in the channel; "
                          "`{slash} records` lists it.", number=meeting.id, slash=ctx.slash))


def list_records(ctx: Context) -> Message:
    return render_record.records_list(queries_record.final_records(ctx.session,
                                                                   ctx.council_id),
                                      ctx.tz, ctx.slash)
