"""The record of a meeting in ``nrc-bot report``: its latest final revision, as posted.

Registered in :data:`bot.views.report.MEETING_RECORDS`; a meeting without a final
record adds nothing (the report shows its agenda only).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.meetings.queries_record import latest_revision
from bot.meetings.render_record import attendance_line, outputs_of, tally
from bot.times import local_text
from bot.views.report_doc import Block, Fields, Items, Paragraph, ReportSection, Table
from storage.models import Meeting


def record_section(session: Session, meeting: Meeting, tz: ZoneInfo) -> ReportSection | None:
    """Attendance, each item's outcome, what the meeting adopted, the issues discussed."""
    row = latest_revision(session, meeting.id)
    if row is None:
        return None
    content = row.content
    facts = [("Final", local_text(row.finalised_at, tz)),
             ("Revision", str(row.revision))]
    if row.note:
        facts.append(("Corrects", row.note))
    rows = [attendance_line(a, "{}", str).split(": ", 1) for a in content["attendance"]]
    items = [f"{i['text']}" + (f" ({i['who']})" if i.get("who") else "")
             + f" — outcome: {i.get('outcome') or 'none recorded'}"
             for i in content["agenda"]["items"]]
    blocks: list[Block] = [
        Fields(facts),
        Paragraph(f"Attendance: {tally(content['attendance'])}."),
        Table(["Member", "Represented by"], [r if len(r) == 2 else [r[0], ""] for r in rows]),
        Paragraph("Outcomes, item by item:"),
        Items(items, numbered=True) if items else Paragraph("No items."),
    ]
    adopted = outputs_of(content)
    blocks += [Paragraph("Polls, decisions and statements in the meeting:"),
               Items(adopted) if adopted else Paragraph("None in the meeting's window.")]
    issues = [f"I{i['id']} ({i['member']}, on D{i['decision']}, {i['status']}): {i['text']}"
              for i in content.get("issues", [])]
    if issues:
        blocks += [Paragraph("Implementation issues discussed:"), Items(issues)]
    return ReportSection(f"m{meeting.id}-record", f"Record of M{meeting.id}", blocks)


