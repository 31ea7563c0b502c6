"""Attendance and the record of a meeting, from the record's plain document to a
``Message`` (Slack, the console) or Markdown (the meeting's canvas, the report).

The document is what ``service_record.document`` builds and a finalised revision
keeps: plain dicts, so that a revision reads the same whenever it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.messages import Button, Message, count, escape
from bot.times import local_text
from storage.statuses import AgendaState, AttendanceStatus, StatementType

#: The button under ``attendance <M>`` that opens the attendance form.
ATTENDANCE_ACTION = "meeting_attendance"

_ROLE = {"head": "head of delegation", "deputy": "deputy head", "milrep": "military "
         "representative", "expert": "expert"}
_STATE = {AgendaState.DRAFT: "draft, never circulated", AgendaState.CIRCULATED: "circulated",
          AgendaState.ADOPTED: "adopted"}
_POLL = {"open": "under silence", "adopted": "adopted", "blocked": "blocked",
         "failed": "failed", "withdrawn": "withdrawn", "silence_broken": "silence broken"}


def _at(value: str, tz: ZoneInfo) -> str:
    return local_text(datetime.fromisoformat(value), tz)


def _who(delegate: dict[str, Any], mention: str) -> str:
    role = _ROLE.get(delegate.get("role") or "")
    return mention.format(delegate["user"]) + (f" ({role})" if role else "")


def attendance_line(entry: dict[str, Any], mention: str = "<@{}>",
                    esc: Callable[[str], str] = escape) -> str:
    """``France: <@U1> (head of delegation), <@U2>``; absent; by another member; or not
    recorded. ``mention`` writes a user (Slack's ``<@U1>``, a canvas's ``![](@U1)``),
    ``esc`` a name."""
    name, status = esc(entry["member"]), entry.get("status")
    if status == AttendanceStatus.ABSENT:
        return f"{name}: absent"
    if status == AttendanceStatus.BY_MEMBER:
        return f"{name}: represented by the delegation of {esc(entry.get('by') or '')}"
    if status == AttendanceStatus.PRESENT:
        return f"{name}: " + ", ".join(_who(d, mention) for d in entry["delegates"])
    return f"{name}: _not recorded_"


def tally(attendance: Sequence[dict[str, Any]]) -> str:
    represented = sum(a.get("status") in (AttendanceStatus.PRESENT, AttendanceStatus.BY_MEMBER)
                      for a in attendance)
    absent = sum(a.get("status") == AttendanceStatus.ABSENT for a in attendance)
    missing = sum(not a.get("status") for a in attendance)
    text = f"{represented} of {len(attendance)} members represented, {absent} absent"
    return text + (f", {missing} not recorded" if missing else "")


def _item_line(item: dict[str, Any]) -> tuple[str, str]:
    who = f" ({item['who']})" if item.get("who") else ""
    issue = f"Implementation issue I{item['issue']}: " if item.get("issue") else ""
    resolved = " (resolved)" if item.get("resolved") else ""
    return f"{item['n']}. {issue}{item['text']}{who}{resolved}", item.get("outcome") or ""


def outputs_of(content: dict[str, Any]) -> list[str]:
    """The polls opened, decisions adopted and statements issued in the window."""
    lines = [f"P{p['id']}: {p['text']} ({_POLL.get(p['status'], p['status'])})"
             for p in content.get("polls", [])]
    lines += [f"D{d['id']} adopted (from P{d['proposal']}): {d['text']}"
              for d in content.get("decisions", [])]
    lines += [f"S{s['id']}, " + ("joint statement" if s["kind"] == StatementType.JOINT
                                 else "Chair's statement") + f": {s['text']}"
              for s in content.get("statements", [])]
    return lines


def _issues(content: dict[str, Any]) -> list[str]:
    return [f"I{i['id']} ({i['member']}, on D{i['decision']}, {i['status']}): {i['text']}"
            for i in content.get("issues", [])]


def _heading(content: dict[str, Any], facts: dict[str, Any] | None, tz: ZoneInfo) -> str:
    meeting = content["meeting"]
    title = f"Record of M{meeting['id']}: {meeting['body']}"
    if facts is None:
        return title + " (draft)"
    return title + (f", revision {facts['revision']}" if facts["revision"] > 1 else "")


def _lead(content: dict[str, Any], facts: dict[str, Any] | None, tz: ZoneInfo) -> list[str]:
    meeting = content["meeting"]
    lines = [f"{meeting['title'] or meeting['body']}, {_at(meeting['starts_at'], tz)}"
             + (f", {meeting['venue']}" if meeting.get("venue") else "")]
    if facts is None:
        lines.append("Draft: final once the Chair or the secretariat finalises it.")
    else:
        lines.append(f"Final, finalised {_at(facts['at'], tz)} by {{by}}"
                     + (f"; corrects the previous revision ({facts['note']})"
                        if facts.get("note") else ""))
    return lines


def record_message(content: dict[str, Any], facts: dict[str, Any] | None, tz: ZoneInfo,
                   slash: str) -> Message:
    """The record as Slack and the console show it (``facts``: the revision's, or None for
    the draft)."""
    meeting = content["meeting"]
    lead = _lead(content, facts, tz)
    if facts is not None:
        lead[-1] = lead[-1].replace("{by}", f"<@{facts['by']}>")
    sections = ["*Attendance* (" + tally(content["attendance"]) + ")\n"
                + "\n".join(attendance_line(a) for a in content["attendance"])]
    agenda = content["agenda"]
    items = [_item_line(item) for item in agenda["items"]]
    sections.append(f"*Agenda* ({_STATE.get(agenda['state'], agenda['state'])})\n" + (
        "\n".join(f"{escape(line)}\n>{escape(outcome)}" if outcome
                  else f"{escape(line)}\n>_no outcome recorded_" for line, outcome in items)
        if items else "_No items._"))
    outputs = outputs_of(content)
    sections.append("*Polls, decisions and statements in the meeting*\n"
                    + ("\n".join(f"• {escape(line)}" for line in outputs) if outputs
                       else "_None in the meeting's window._"))
    issues = _issues(content)
    sections.append("*Implementation issues discussed*\n"
                    + ("\n".join(f"• {escape(line)}" for line in issues) if issues
                       else "_None._"))
    context = [lead[1]]
    if facts is None:
        context.append(f"Outcomes: `{slash} record M{meeting['id']} item <n> <text>`; "
                       f"then `{slash} record M{meeting['id']} final`.")
    return Message(text=escape(lead[0]), header=_heading(content, facts, tz),
                   sections=sections, context=context)


def record_markdown(content: dict[str, Any], facts: dict[str, Any] | None,
                    tz: ZoneInfo) -> str:
    """The record in Markdown, for the meeting's canvas and the report."""
    lead = _lead(content, facts, tz)
    if facts is not None:
        lead[-1] = lead[-1].replace("{by}", f"![](@{facts['by']})")
    out = [f"## {_heading(content, facts, tz)}", "", *lead, "",
           f"### Attendance ({tally(content['attendance'])})", ""]
    out += [f"- {attendance_line(a, '![](@{})', str).replace('_not recorded_', '*not recorded*')}"
            for a in content["attendance"]]
    agenda = content["agenda"]
    out += ["", f"### Agenda ({_STATE.get(agenda['state'], agenda['state'])})", ""]
    for line, outcome in (_item_line(item) for item in agenda["items"]):
        out.append(line)
        out.append(f"   Outcome: {outcome}" if outcome else "   *No outcome recorded.*")
    out += ["", "### Polls, decisions and statements in the meeting", ""]
    out += [f"- {line}" for line in outputs_of(content)] or ["None in the meeting's window."]
    out += ["", "### Implementation issues discussed", ""]
    out += [f"- {line}" for line in _issues(content)] or ["None."]
    return "\n".join(out) + "\n"


def attendance_message(content: dict[str, Any], tz: ZoneInfo, slash: str) -> Message:
    """``attendance <M>``: each member in the charter's order, and the form's button."""
    meeting = content["meeting"]
    lines = [attendance_line(a) for a in content["attendance"]]
    return Message(
        text=f"Attendance at M{meeting['id']} ({escape(meeting['body'])}, "
             f"{_at(meeting['starts_at'], tz)}): {tally(content['attendance'])}.",
        sections=["\n".join(lines)],
        buttons=[Button("Record attendance…", ATTENDANCE_ACTION, str(meeting["id"]))],
        context=[f"`{slash} attendance M{meeting['id']} <member> @delegate…`, "
                 f"`… <member> absent`"])


def attendance_reply(meeting_id: int | None, changed: Sequence[str], missing: Sequence[str],
                     corrected: int | None, slash: str) -> Message:
    text = (f"Recorded the attendance of {', '.join(changed)} at M{meeting_id}."
            if len(changed) <= 5 else
            f"Recorded the attendance of {count(len(changed), 'member')} at M{meeting_id}.")
    if corrected:
        text += f" The record was final: revision {corrected} is posted in its thread."
    elif missing:
        text += f" Still to record: {count(len(missing), 'member')}."
    else:
        text += (f" Every member is recorded; `{slash} record M{meeting_id} final` "
                 "finalises the record.")
    return Message(text=text)


def outcome_reply(meeting_id: int | None, number: int, corrected: int | None,
                  slash: str) -> Message:
    text = f"Recorded the outcome of item {number} of M{meeting_id}."
    if corrected:
        text += f" The record was final: revision {corrected} is posted in its thread."
    else:
        text += f" `{slash} record M{meeting_id}` shows the draft."
    return Message(text=text)


def records_list(listed: Sequence[Any], tz: ZoneInfo, slash: str) -> Message:
    """``records``: every meeting with a final record, the latest first."""
    if not listed:
        return Message(text="No meeting has a final record yet.",
                       context=[f"`{slash} record M<n> final` finalises one."])
    lines = []
    for entry in listed:
        revision = entry.revision.revision
        lines.append(f"*M{entry.meeting.id}* {escape(entry.revision.content['meeting']['body'])}"
                     f", {local_text(entry.meeting.starts_at, tz)}: final "
                     f"{local_text(entry.first_at, tz)}"
                     + (f", revision {revision}" if revision > 1 else ""))
    return Message(text=f"Records of meetings: {len(listed)}.", sections=["\n".join(lines)],
                   context=[f"`{slash} record M<n>` shows one."])
