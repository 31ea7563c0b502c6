"""The report laid out: its sections in the council's words, then Markdown or HTML.

One layout for both formats (``report_doc`` renders Markdown, ``report_html`` HTML),
so a printed report and the Markdown file say the same. Dates are the council's
local time with its zone, as every message of the bot gives them.
"""

from __future__ import annotations

from collections import Counter

from bot.cadence import Verdict
from bot.messages import count
from bot.times import local_text
from bot.views.report import (
    CadenceLine,
    DecisionEntry,
    IssueEntry,
    MeetingEntry,
    PollEntry,
    Report,
)
from bot.views.report_doc import (
    Block,
    Document,
    Fields,
    Items,
    Paragraph,
    ReportSection,
    Table,
    day_text,
    markdown,
)
from bot.views.report_html import html
from bot.views.report_statements import position_blocks

_OUTCOME = {"blocked": "blocked", "silence_broken": "silence broken",
            "failed": "failed (not every member concurred under the explicit procedure)"}
_AGENDA = {"draft": "draft", "adopted": "adopted at the meeting"}


def verdict_text(line: CadenceLine) -> str:
    """A period's verdict as the record reads it, once the period has closed or while it runs."""
    comp = line.compliance
    if comp.now < comp.period.start:
        return "not yet begun"
    if not comp.closed:
        return f"{comp.verdict.value} (period running)"
    if comp.verdict is Verdict.BREACHED:
        return ("breached" if line.counts else
                "short, not counted: the body was set up in the period's last days")
    return "met"


def _cadence(report: Report) -> ReportSection:
    rows: list[list[str]] = []
    tally: dict[tuple[str, str], Counter[str]] = {}
    for line in report.cadence:
        comp = line.compliance
        verdict = verdict_text(line)
        rows.append([line.body, comp.period.label, str(comp.held), str(comp.scheduled),
                     str(comp.required), verdict])
        word = verdict.split(" (")[0].split(",")[0]
        tally.setdefault((line.body, line.mandate), Counter())[word] += 1
    summary = [f"{body}, {mandate}: " + ", ".join(
        f"{n} {word}" for word, n in counts.items()) for (body, mandate), counts in tally.items()]
    blocks: list[Block] = []
    if rows:
        blocks = [Paragraph("Each body's meetings, period by period, against the cadence its "
                            "mandate sets; a cancelled meeting does not count."),
                  Items(summary),
                  Table(["Body", "Period", "Held", "Scheduled", "Required", "Verdict"], rows)]
    return ReportSection("cadence", "Meetings against the mandate", blocks,
                         empty="No body has a mandated cadence in the period.")


def _meeting(m: MeetingEntry, report: Report) -> ReportSection:
    status = f"cancelled: {m.cancel_reason}" if m.status == "cancelled" and m.cancel_reason \
        else m.status
    hours, minutes = divmod(m.duration_minutes, 60)
    pairs = [("Body", m.body), ("When", local_text(m.starts_at, report.tz)),
             ("Duration", f"{hours} h" + (f" {minutes} min" if minutes else "")),
             ("Status", status)]
    if m.venue:
        pairs.append(("Venue", m.venue))
    if m.extraordinary:
        pairs.append(("Kind", "extraordinary meeting"))
    blocks: list[Block] = [Fields(pairs)]
    if m.status != "cancelled":
        state = _AGENDA.get(m.agenda_state, f"circulated, revision {max(1, m.agenda_revision)}")
        blocks.append(Paragraph(f"Agenda ({state}):"))
        blocks.append(Items([f"{a.text}" + (f" ({a.who})" if a.who else "")
                             + (" — resolved" if a.resolved else "") for a in m.agenda],
                            numbered=True) if m.agenda else Paragraph("No items."))
    return ReportSection(f"m{m.id}", f"M{m.id}: {m.title}", blocks, parts=m.record)


def _meetings(report: Report) -> ReportSection:
    held = sum(m.status == "held" for m in report.meetings)
    blocks: list[Block] = [Paragraph(f"{count(held, 'meeting')} held in the period.")] \
        if report.meetings else []
    return ReportSection("meetings", "Meetings", blocks,
                         parts=[_meeting(m, report) for m in report.meetings],
                         empty="No meeting was scheduled in the period.")


def _decision(d: DecisionEntry, report: Report) -> ReportSection:
    pairs = [("Adopted", local_text(d.adopted_at, report.tz)),
             ("Procedure", "explicit" if d.mode == "explicit" else "silence"),
             ("Proposed by", d.proposer), ("From", f"P{d.proposal_id}")]
    if d.area:
        pairs.append(("Area", d.area))
    if d.supersedes_id is not None:
        pairs.append(("Supersedes", f"D{d.supersedes_id}"))
    blocks: list[Block] = [Paragraph(d.text, quote=True), Fields(pairs), *position_blocks(
        [(p.member, p.stance, p.statement_kind, p.statement) for p in d.positions])]
    return ReportSection(f"d{d.id}", f"D{d.id}, adopted {day_text(d.adopted_at.astimezone(report.tz))}",
                         blocks)


def _decisions(report: Report) -> ReportSection:
    return ReportSection("decisions", "Joint decisions",
                         [Paragraph("Adopted by consensus; every member's position in the "
                                    "charter's order, with its statement and the statement's "
                                    "kind.")] if report.decisions else [],
                         parts=[_decision(d, report) for d in report.decisions],
                         empty="No joint decision was adopted in the period.")


def _poll(p: PollEntry, report: Report) -> ReportSection:
    lines = []
    for line in p.lines:
        if line.stance == "object":
            withdrawn = (f" (objection withdrawn {local_text(line.withdrawn_at, report.tz)})"
                         if line.withdrawn_at else "")
            lines.append(f"{line.member} objected: {line.text or ''}{withdrawn}")
        elif line.stance == "amend":
            reason = f" (reason: {line.reason})" if line.reason else ""
            lines.append(f"Silence broken by {line.member}: amendment {line.text or ''}{reason}")
        else:
            lines.append(f"{line.member} did not concur by the deadline")
    version = f", version {p.version}" if p.version > 1 else ""
    blocks: list[Block] = [Paragraph(p.text, quote=True),
                           Fields([("Closed", local_text(p.closed_at, report.tz)),
                                   ("Outcome", _OUTCOME.get(p.outcome, p.outcome))])]
    if lines:
        blocks += [Paragraph("Why it closed:"), Items(lines)]
    headline = _OUTCOME.get(p.outcome, p.outcome).split(" (")[0]
    return ReportSection(f"p{p.id}-{p.version}", f"P{p.id}{version}: {headline}", blocks)


def _polls(report: Report) -> ReportSection:
    return ReportSection("polls", "Polls closed without a decision",
                         parts=[_poll(p, report) for p in report.polls],
                         empty="No poll was blocked, broken or failed in the period.")


def _issue_rows(issues: tuple[IssueEntry, ...], report: Report) -> list[list[str]]:
    return [[f"I{i.id}", f"D{i.decision_id}", i.member, local_text(i.raised_at, report.tz),
             i.text, i.status,
             local_text(i.closed_at, report.tz) if i.closed_at else "", i.note or ""]
            for i in issues]


def _issues(report: Report) -> ReportSection:
    headers = ["Issue", "Decision", "Raised by", "Raised", "Text", "Status", "Closed", "Note"]
    parts = [ReportSection("issues-raised", "Raised in the period",
                           [Table(headers, _issue_rows(report.issues_raised, report))]
                           if report.issues_raised else [],
                           empty="No implementation issue was raised in the period."),
             ReportSection("issues-closed", "Resolved or withdrawn in the period",
                           [Table(headers, _issue_rows(report.issues_closed, report))]
                           if report.issues_closed else [],
                           empty="No implementation issue was resolved or withdrawn "
                                 "in the period.")]
    return ReportSection("issues", "Implementation issues", parts=parts)


def layout(report: Report) -> Document:
    """The report's document: the lead, then the sections in the order of the record."""
    span = report.span
    held = sum(m.status == "held" for m in report.meetings)
    lead = [f"Period: {day_text(span.first)} to {day_text(span.last)} (inclusive, "
            f"{report.tz.key})",
            f"Generated: {local_text(report.generated_at, report.tz)}",
            f"In the period: {count(held, 'meeting')} held, "
            f"{count(len(report.decisions), 'joint decision')}, "
            f"{count(len(report.issues_raised), 'implementation issue')} raised."]
    sections = [_cadence(report), _meetings(report), _decisions(report), *report.sections,
                _polls(report), _issues(report)]
    return Document(f"{report.council}: the record", lead, sections)


def to_markdown(report: Report) -> str:
    """The report as Markdown."""
    return markdown(layout(report))


def to_html(report: Report) -> str:
    """The report as one self-contained, printable HTML file."""
    return html(layout(report))
