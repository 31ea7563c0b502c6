"""The report laid out: its sections in the council's words, then Markdown or HTML.

One layout for both formats (``report_doc`` renders Markdown, ``report_html`` HTML),
so a printed report and the Markdown file say the same. Dates are the council's
local time with its zone, as every message of the bot gives them.
"""

from __future__ import annotations

from collections import Counter

from bot.cadence import Verdict
from bot.i18n import N_, _, current, ngettext
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

#: A poll's outcome: (the headline word, the outcome as the record gives it).
_OUTCOME = {"blocked": (N_("blocked"), N_("blocked")),
            "silence_broken": (N_("silence broken"), N_("silence broken")),
            "failed": (N_("failed"),
                       N_("failed (not every member concurred under the explicit procedure)"))}
_AGENDA = {"draft": N_("draft"), "adopted": N_("adopted at the meeting")}
_STATUS = {"held": N_("held"), "scheduled": N_("scheduled"), "cancelled": N_("cancelled")}
_ISSUE_STATUS = {"open": N_("open"), "resolved": N_("resolved"), "withdrawn": N_("withdrawn")}
_VERDICT = {Verdict.ON_TRACK: N_("on track"), Verdict.AT_RISK: N_("at risk"),
            Verdict.BREACHED: N_("breached")}


def _verdict(line: CadenceLine) -> tuple[str, str]:
    """A period's verdict, in a word (for the tally) and as the record reads it."""
    comp = line.compliance
    if comp.now < comp.period.start:
        word = _("not yet begun")
        return word, word
    if not comp.closed:
        word = _(_VERDICT.get(comp.verdict, comp.verdict.value))
        return word, _("{verdict} (period running)", verdict=word)
    if comp.verdict is Verdict.BREACHED:
        if line.counts:
            word = _("breached")
            return word, word
        return _("short"), _("short, not counted: the body was set up in the period's last days")
    word = _("met")
    return word, word


def verdict_text(line: CadenceLine) -> str:
    """A period's verdict as the record reads it, once the period has closed or while it runs."""
    return _verdict(line)[1]


def _cadence(report: Report) -> ReportSection:
    rows: list[list[str]] = []
    tally: dict[tuple[str, str], Counter[str]] = {}
    for line in report.cadence:
        comp = line.compliance
        word, verdict = _verdict(line)
        rows.append([line.body, comp.period.label, str(comp.held), str(comp.scheduled),
                     str(comp.required), verdict])
        tally.setdefault((line.body, line.mandate), Counter())[word] += 1
    summary = [f"{body}, {mandate}: " + ", ".join(
        f"{n} {word}" for word, n in counts.items()) for (body, mandate), counts in tally.items()]
    blocks: list[Block] = []
    if rows:
        blocks = [Paragraph(_("Each body's meetings, period by period, against the cadence its "
                              "mandate sets; a cancelled meeting does not count.")),
                  Items(summary),
                  Table([_("Body"), _("Period"), _("Held"), _("Scheduled"), _("Required"),
                         _("Verdict")], rows)]
    return ReportSection("cadence", _("Meetings against the mandate"), blocks,
                         empty=_("No body has a mandated cadence in the period."))


def _meeting(m: MeetingEntry, report: Report) -> ReportSection:
    status = (_("cancelled: {reason}", reason=m.cancel_reason)
              if m.status == "cancelled" and m.cancel_reason
              else _(_STATUS.get(m.status, m.status)))
    hours, minutes = divmod(m.duration_minutes, 60)
    duration = (_("{hours} h {minutes} min", hours=hours, minutes=minutes) if minutes
                else _("{hours} h", hours=hours))
    pairs = [(_("Body"), m.body), (_("When"), local_text(m.starts_at, report.tz)),
             (_("Duration"), duration), (_("Status"), status)]
    if m.venue:
        pairs.append((_("Venue"), m.venue))
    if m.extraordinary:
        pairs.append((_("Kind"), _("extraordinary meeting")))
    blocks: list[Block] = [Fields(pairs)]
    if m.status != "cancelled":
        state = (_(_AGENDA[m.agenda_state]) if m.agenda_state in _AGENDA
                 else _("circulated, revision {revision}", revision=max(1, m.agenda_revision)))
        blocks.append(Paragraph(_("Agenda ({state}):", state=state)))
        blocks.append(Items([f"{a.text}" + (f" ({a.who})" if a.who else "")
                             + (" — " + _("resolved") if a.resolved else "") for a in m.agenda],
                            numbered=True) if m.agenda else Paragraph(_("No items.")))
    return ReportSection(f"m{m.id}", f"M{m.id}: {m.title}", blocks, parts=m.record)


def _meetings(report: Report) -> ReportSection:
    held = sum(m.status == "held" for m in report.meetings)
    blocks: list[Block] = [Paragraph(ngettext("{n} meeting held in the period.",
                                              "{n} meetings held in the period.", held))] \
        if report.meetings else []
    return ReportSection("meetings", _("Meetings"), blocks,
                         parts=[_meeting(m, report) for m in report.meetings],
                         empty=_("No meeting was scheduled in the period."))


def _decision(d: DecisionEntry, report: Report) -> ReportSection:
    pairs = [(_("Adopted"), local_text(d.adopted_at, report.tz)),
             (_("Procedure"), _("explicit") if d.mode == "explicit" else _("silence")),
             (_("Proposed by"), d.proposer), (_("From"), f"P{d.proposal_id}")]
    if d.area:
        pairs.append((_("Area"), d.area))
    if d.supersedes_id is not None:
        pairs.append((_("Supersedes"), f"D{d.supersedes_id}"))
    blocks: list[Block] = [Paragraph(d.text, quote=True), Fields(pairs), *position_blocks(
        [(p.member, p.stance, p.statement_kind, p.statement) for p in d.positions])]
    return ReportSection(f"d{d.id}", _("D{decision}, adopted {day}", decision=d.id,
                                       day=day_text(d.adopted_at.astimezone(report.tz))),
                         blocks)


def _decisions(report: Report) -> ReportSection:
    return ReportSection("decisions", _("Joint decisions"),
                         [Paragraph(_("Adopted by consensus; every member's position in the "
                                      "charter's order, with its statement and the statement's "
                                      "kind."))] if report.decisions else [],
                         parts=[_decision(d, report) for d in report.decisions],
                         empty=_("No joint decision was adopted in the period."))


def _poll(p: PollEntry, report: Report) -> ReportSection:
    lines = []
    for line in p.lines:
        if line.stance == "object":
            withdrawn = (" " + _("(objection withdrawn {when})",
                                 when=local_text(line.withdrawn_at, report.tz))
                         if line.withdrawn_at else "")
            lines.append(_("{member} objected: {text}", member=line.member,
                           text=line.text or "") + withdrawn)
        elif line.stance == "amend":
            reason = " " + _("(reason: {reason})", reason=line.reason) if line.reason else ""
            lines.append(_("Silence broken by {member}: amendment {text}", member=line.member,
                           text=line.text or "") + reason)
        else:
            lines.append(_("{member} did not concur by the deadline", member=line.member))
    headline, outcome = (_(words) for words in _OUTCOME.get(p.outcome, (p.outcome, p.outcome)))
    blocks: list[Block] = [Paragraph(p.text, quote=True),
                           Fields([(_("Closed"), local_text(p.closed_at, report.tz)),
                                   (_("Outcome"), outcome)])]
    if lines:
        blocks += [Paragraph(_("Why it closed:")), Items(lines)]
    title = (_("P{poll}, version {version}: {outcome}", poll=p.id, version=p.version,
               outcome=headline) if p.version > 1
             else _("P{poll}: {outcome}", poll=p.id, outcome=headline))
    return ReportSection(f"p{p.id}-{p.version}", title, blocks)


def _polls(report: Report) -> ReportSection:
    return ReportSection("polls", _("Polls closed without a decision"),
                         parts=[_poll(p, report) for p in report.polls],
                         empty=_("No poll was blocked, broken or failed in the period."))


def _issue_rows(issues: tuple[IssueEntry, ...], report: Report) -> list[list[str]]:
    return [[f"I{i.id}", f"D{i.decision_id}", i.member, local_text(i.raised_at, report.tz),
             i.text, _(_ISSUE_STATUS.get(i.status, i.status)),
             local_text(i.closed_at, report.tz) if i.closed_at else "", i.note or ""]
            for i in issues]


def _issues(report: Report) -> ReportSection:
    headers = [_("Issue"), _("Decision"), _("Raised by"), _("Raised"), _("Text"), _("Status"),
               _("Closed"), _("Note")]
    parts = [ReportSection("issues-raised", _("Raised in the period"),
                           [Table(headers, _issue_rows(report.issues_raised, report))]
                           if report.issues_raised else [],
                           empty=_("No implementation issue was raised in the period.")),
             ReportSection("issues-closed", _("Resolved or withdrawn in the period"),
                           [Table(headers, _issue_rows(report.issues_closed, report))]
                           if report.issues_closed else [],
                           empty=_("No implementation issue was resolved or withdrawn "
                                   "in the period."))]
    return ReportSection("issues", _("Implementation issues"), parts=parts)


def layout(report: Report) -> Document:
    """The report's document: the lead, then the sections in the order of the record."""
    span = report.span
    held = sum(m.status == "held" for m in report.meetings)
    lead = [_("Period: {first} to {last} (inclusive, {zone})", first=day_text(span.first),
              last=day_text(span.last), zone=report.tz.key),
            _("Generated: {when}", when=local_text(report.generated_at, report.tz)),
            _("In the period: {meetings} held, {decisions}, {issues} raised.",
              meetings=ngettext("{n} meeting", "{n} meetings", held),
              decisions=ngettext("{n} joint decision", "{n} joint decisions",
                                 len(report.decisions)),
              issues=ngettext("{n} implementation issue", "{n} implementation issues",
                              len(report.issues_raised)))]
    sections = [_cadence(report), _meetings(report), _decisions(report), *report.sections,
                _polls(report), _issues(report)]
    return Document(_("{council}: the record", council=report.council), lead, sections,
                    lang=current())


def to_markdown(report: Report) -> str:
    """The report as Markdown."""
    return markdown(layout(report))


def to_html(report: Report) -> str:
    """The report as one self-contained, printable HTML file."""
    return html(layout(report))
