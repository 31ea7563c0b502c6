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

from bot.i18n import N_, _, ngettext
from bot.messages import Button, Message, escape
from bot.times import local_text
from storage.statuses import AgendaState, AttendanceStatus, StatementType

#: The button under ``attendance <M>`` that opens the attendance form.
ATTENDANCE_ACTION = "meeting_attendance"

_ROLE = {"head": N_("head of delegation"), "deputy": N_("deputy head"),
         "milrep": N_("military representative"), "expert": N_("expert")}
_STATE: dict[str, str] = {AgendaState.DRAFT: N_("draft, never circulated"),
          AgendaState.CIRCULATED: N_("circulated"), AgendaState.ADOPTED: N_("adopted")}
_POLL = {"open": N_("under silence"), "adopted": N_("adopted"), "blocked": N_("blocked"),
         "failed": N_("failed"), "withdrawn": N_("withdrawn"),
         "silence_broken": N_("silence broken")}


def _word(table: dict[str, str], key: str) -> str:
    """A state's or role's word in the language being rendered; an unknown one as it is."""
    return _(table[key]) if key in table else key


def _at(value: str, tz: ZoneInfo) -> str:
    return local_text(datetime.fromisoformat(value), tz)


def _who(delegate: dict[str, Any], mention: str) -> str:
    role = delegate.get("role") or ""
    return mention.format(delegate["user"]) + (f" ({_(_ROLE[role])})" if role in _ROLE else "")


def attendance_line(entry: dict[str, Any], mention: str = "<@{}>",
                    esc: Callable[[str], str] = escape) -> str:
    """``France: <@U1> (head of delegation), <@U2>``; absent; by another member; or not
    recorded. ``mention`` writes a user (Slack's ``<@U1>``, a canvas's ``![](@U1)``),
    ``esc`` a name."""
    name, status = esc(entry["member"]), entry.get("status")
    if status == AttendanceStatus.ABSENT:
        return f"{name}: " + _("absent")
    if status == AttendanceStatus.BY_MEMBER:
        return f"{name}: " + _("represented by the delegation of {member}",
                               member=esc(entry.get("by") or ""))
    if status == AttendanceStatus.PRESENT:
        return f"{name}: " + ", ".join(_who(d, mention) for d in entry["delegates"])
    return f"{name}: " + _("_not recorded_")


def tally(attendance: Sequence[dict[str, Any]]) -> str:
    represented = sum(a.get("status") in (AttendanceStatus.PRESENT, AttendanceStatus.BY_MEMBER)
                      for a in attendance)
    absent = sum(a.get("status") == AttendanceStatus.ABSENT for a in attendance)
    missing = sum(not a.get("status") for a in attendance)
    text = ngettext("{represented} of {n} member represented, {absent} absent",
                    "{represented} of {n} members represented, {absent} absent",
                    len(attendance), represented=represented, absent=absent)
    return text + (", " + _("{missing} not recorded", missing=missing) if missing else "")


def _item_line(item: dict[str, Any]) -> tuple[str, str]:
    who = f" ({item['who']})" if item.get("who") else ""
    text = (_("Implementation issue I{number}: {text}", number=item["issue"], text=item["text"])
            if item.get("issue") else item["text"])
    resolved = " " + _("(resolved)") if item.get("resolved") else ""
    return f"{item['n']}. {text}{who}{resolved}", item.get("outcome") or ""


def outputs_of(content: dict[str, Any]) -> list[str]:
    """The polls opened, decisions adopted and statements issued in the window."""
    lines = [f"P{p['id']}: {p['text']} ({_word(_POLL, p['status'])})"
             for p in content.get("polls", [])]
    lines += [_("D{number} adopted (from P{poll}): {text}", number=d["id"], poll=d["proposal"],
                text=d["text"]) for d in content.get("decisions", [])]
    lines += [_("S{number}, joint statement: {text}", number=s["id"], text=s["text"])
              if s["kind"] == StatementType.JOINT else
              _("S{number}, Chair's statement: {text}", number=s["id"], text=s["text"])
              for s in content.get("statements", [])]
    return lines


def _issues(content: dict[str, Any]) -> list[str]:
    return [_("I{number} ({member}, on D{decision}, {status}): {text}", number=i["id"],
              member=i["member"], decision=i["decision"], status=_word(_ISSUE, i["status"]),
              text=i["text"]) for i in content.get("issues", [])]


#: An implementation issue's status, as the record names it.
_ISSUE = {"open": N_("open"), "resolved": N_("resolved"), "withdrawn": N_("withdrawn")}


def _heading(content: dict[str, Any], facts: dict[str, Any] | None, tz: ZoneInfo) -> str:
    meeting = content["meeting"]
    values = {"number": meeting["id"], "body": meeting["body"]}
    if facts is None:
        return _("Record of M{number}: {body} (draft)", **values)
    if facts["revision"] > 1:
        return _("Record of M{number}: {body}, revision {revision}", revision=facts["revision"],
                 **values)
    return _("Record of M{number}: {body}", **values)


def _lead(content: dict[str, Any], facts: dict[str, Any] | None, tz: ZoneInfo) -> list[str]:
    meeting = content["meeting"]
    lines = [f"{meeting['title'] or meeting['body']}, {_at(meeting['starts_at'], tz)}"
             + (f", {meeting['venue']}" if meeting.get("venue") else "")]
    if facts is None:
        lines.append(_("Draft: final once the Chair or the secretariat finalises it."))
    else:
        lines.append(_("Final, finalised {at} by {by}", at=_at(facts["at"], tz), by="{by}")
                     + ("; " + _("corrects the previous revision ({note})", note=facts["note"])
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
    sections = [_("*Attendance* ({tally})", tally=tally(content["attendance"])) + "\n"
                + "\n".join(attendance_line(a) for a in content["attendance"])]
    agenda = content["agenda"]
    items = [_item_line(item) for item in agenda["items"]]
    sections.append(_("*Agenda* ({state})", state=_word(_STATE, agenda["state"])) + "\n" + (
        "\n".join(f"{escape(line)}\n>{escape(outcome)}" if outcome
                  else f"{escape(line)}\n>" + _("_no outcome recorded_")
                  for line, outcome in items)
        if items else _("_No items._")))
    outputs = outputs_of(content)
    sections.append(_("*Polls, decisions and statements in the meeting*") + "\n"
                    + ("\n".join(f"• {escape(line)}" for line in outputs) if outputs
                       else _("_None in the meeting's window._")))
    issues = _issues(content)
    sections.append(_("*Implementation issues discussed*") + "\n"
                    + ("\n".join(f"• {escape(line)}" for line in issues) if issues
                       else _("_None._")))
    context = [lead[1]]
    if facts is None:
        context.append(_("Outcomes: `{slash} record M{number} item <n> <text>`; then "
                         "`{slash} record M{number} final`.", slash=slash,
                         number=meeting["id"]))
    return Message(text=escape(lead[0]), header=_heading(content, facts, tz),
                   sections=sections, context=context)


def record_markdown(content: dict[str, Any], facts: dict[str, Any] | None,
                    tz: ZoneInfo) -> str:
    """The record in Markdown, for the meeting's canvas and the report."""
    lead = _lead(content, facts, tz)
    if facts is not None:
        lead[-1] = lead[-1].replace("{by}", f"![](@{facts['by']})")
    out = [f"## {_heading(content, facts, tz)}", "", *lead, "",
           _("### Attendance ({tally})", tally=tally(content["attendance"])), ""]
    unrecorded = _("_not recorded_")
    out += [f"- {attendance_line(a, '![](@{})', str)}".replace(
        unrecorded, "*" + unrecorded.strip("_") + "*") for a in content["attendance"]]
    agenda = content["agenda"]
    out += ["", _("### Agenda ({state})", state=_word(_STATE, agenda["state"])), ""]
    for line, outcome in (_item_line(item) for item in agenda["items"]):
        out.append(line)
        out.append("   " + (_("Outcome: {outcome}", outcome=outcome) if outcome
                            else _("*No outcome recorded.*")))
    out += ["", _("### Polls, decisions and statements in the meeting"), ""]
    out += [f"- {line}" for line in outputs_of(content)] or [_("None in the meeting's window.")]
    out += ["", _("### Implementation issues discussed"), ""]
    out += [f"- {line}" for line in _issues(content)] or [_("None.")]
    return "\n".join(out) + "\n"


def attendance_message(content: dict[str, Any], tz: ZoneInfo, slash: str) -> Message:
    """``attendance <M>``: each member in the charter's order, and the form's button."""
    meeting = content["meeting"]
    lines = [attendance_line(a) for a in content["attendance"]]
    return Message(
        text=_("Attendance at M{number} ({body}, {when}): {tally}.", number=meeting["id"],
               body=escape(meeting["body"]), when=_at(meeting["starts_at"], tz),
               tally=tally(content["attendance"])),
        sections=["\n".join(lines)],
        buttons=[Button(_("Record attendance…"), ATTENDANCE_ACTION, str(meeting["id"]))],
        context=[f"`{slash} attendance M{meeting['id']} <member> @delegate…`, "
                 f"`… <member> absent`"])


def attendance_reply(meeting_id: int | None, changed: Sequence[str], missing: Sequence[str],
                     corrected: int | None, slash: str) -> Message:
    text = (_("Recorded the attendance of {members} at M{number}.", members=", ".join(changed),
              number=meeting_id)
            if len(changed) <= 5 else
            ngettext("Recorded the attendance of {n} member at M{number}.",
                     "Recorded the attendance of {n} members at M{number}.", len(changed),
                     number=meeting_id))
    if corrected:
        text += " " + _("The record was final: revision {revision} is posted in its thread.",
                        revision=corrected)
    elif missing:
        text += " " + ngettext("Still to record: {n} member.", "Still to record: {n} members.",
                               len(missing))
    else:
        text += " " + _("Every member is recorded; `{slash} record M{number} final` finalises "
                        "the record.", slash=slash, number=meeting_id)
    return Message(text=text)


def outcome_reply(meeting_id: int | None, number: int, corrected: int | None,
                  slash: str) -> Message:
    text = _("Recorded the outcome of item {item} of M{number}.", item=number,
             number=meeting_id)
    if corrected:
        text += " " + _("The record was final: revision {revision} is posted in its thread.",
                        revision=corrected)
    else:
        text += " " + _("`{slash} record M{number}` shows the draft.", slash=slash,
                        number=meeting_id)
    return Message(text=text)


def records_list(listed: Sequence[Any], tz: ZoneInfo, slash: str) -> Message:
    """``records``: every meeting with a final record, the latest first."""
    if not listed:
        return Message(text=_("No meeting has a final record yet."),
                       context=[_("`{slash} record M<n> final` finalises one.", slash=slash)])
    lines = []
    for entry in listed:
        revision = entry.revision.revision
        lines.append(f"*M{entry.meeting.id}* {escape(entry.revision.content['meeting']['body'])}"
                     f", {local_text(entry.meeting.starts_at, tz)}: "
                     + _("final {when}", when=local_text(entry.first_at, tz))
                     + (", " + _("revision {revision}", revision=revision) if revision > 1
                        else ""))
    return Message(text=_("Records of meetings: {count}.", count=len(listed)),
                   sections=["\n".join(lines)],
                   context=[_("`{slash} record M<n>` shows one.", slash=slash)])
