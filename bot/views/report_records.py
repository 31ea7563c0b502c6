"""The record of a meeting in ``nrc-bot report``: its latest final revision, as posted.

Registered in :data:`bot.views.report.MEETING_RECORDS`; a meeting without a final
record adds nothing (the report shows its agenda only).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.i18n import _
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
    facts = [(_("Final"), local_text(row.finalised_at, tz)),
             (_("Revision"), str(row.revision))]
    if row.note:
        facts.append((_("Corrects"), row.note))
    rows = [attendance_line(a, "{}", str).split(": ", 1) for a in content["attendance"]]
    items = [f"{i['text']}" + (f" ({i['who']})" if i.get("who") else "")
             + " — " + _("outcome: {outcome}", outcome=i.get("outcome") or _("none recorded"))
             for i in content["agenda"]["items"]]
    blocks: list[Block] = [
        Fields(facts),
        Paragraph(_("Attendance: {tally}.", tally=tally(content["attendance"]))),
        Table([_("Member"), _("Represented by")],
              [r if len(r) == 2 else [r[0], ""] for r in rows]),
        Paragraph(_("Outcomes, item by item:")),
        Items(items, numbered=True) if items else Paragraph(_("No items.")),
    ]
    adopted = outputs_of(content)
    blocks += [Paragraph(_("Polls, decisions and statements in the meeting:")),
               Items(adopted) if adopted else Paragraph(_("None in the meeting's window."))]
    issues = [_("I{issue} ({member}, on D{decision}, {status}): {text}", issue=i["id"],
                member=i["member"], decision=i["decision"], status=_(i["status"]),
                text=i["text"])
              for i in content.get("issues", [])]
    if issues:
        blocks += [Paragraph(_("Implementation issues discussed:")), Items(issues)]
    return ReportSection(f"m{meeting.id}-record", _("Record of M{meeting}", meeting=meeting.id),
                         blocks)


