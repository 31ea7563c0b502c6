"""``nrc-bot report``: the council's record for a period, as the council reads and prints it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import Session

from bot.errors import CommandError
from bot.runtime import Runtime
from bot.views.report import Report, Span, build_report, report_span
from bot.views.report_doc import Items, Paragraph, ReportSection, md_text, slug
from bot.views.report_layout import layout, to_html, to_markdown
from storage.models import Council, Meeting
from tests.council import CHAIR, CODES, Clock, delegate, run

RU, FR, DE = delegate("RU"), delegate("FR"), delegate("DE")
TZ = ZoneInfo("Europe/Brussels")
STATEMENTS = {"RU": " --reservation Subject to ratification.",
              "FR": " France reads it as covering exercises only.",
              "DE": " --for-the-record Our capital notes annex B."}


def _record_a_month(council: Runtime, clock: Clock) -> None:
    """December 2026: a meeting with its agenda, a decision with statements, a blocked
    poll, a broken silence, an issue raised and resolved."""
    assert run(council, CHAIR, "schedule council-amb 2026-12-10 10:00 Monthly meeting"
               ).startswith("Scheduled M1")
    run(council, RU, "agenda M1 add Missile defence")
    run(council, CHAIR, "agenda M1 add Any other business")
    run(council, CHAIR, "agenda M1 circulate")
    run(council, RU, "propose --explicit 48h Joint exercise <script>alert(1)</script> at sea")
    for code in CODES:
        run(council, delegate(code), f"concur P1{STATEMENTS.get(code, '')}")
    run(council, RU, "propose 48h A second text")
    assert "blocked" in run(council, FR, "object P2 Not acceptable as drafted.")
    run(council, RU, "propose 48h A third text")
    run(council, DE, "amendment P3 Replace 'condemns' by 'deplores' --reason Parliament.")
    clock.now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    run(council, RU, "raise D1 The exercise has not been scheduled.")
    clock.now = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    assert run(council, CHAIR, "resolve I1 Scheduled for March.").startswith("Resolved *I1*")
    clock.now = datetime(2026, 12, 11, 9, 0, tzinfo=UTC)


def _report(council: Runtime, start: date, end: date, **hooks: object) -> Report:
    with Session(council.engine) as session:
        row = council.council_for(session, None)
        return build_report(session, row, council.charter, start, end, TZ,
                            now=council.clock(), **hooks)  # type: ignore[arg-type]


def _december(council: Runtime, clock: Clock) -> str:
    _record_a_month(council, clock)
    return to_markdown(_report(council, date(2026, 12, 1), date(2026, 12, 31)))


def test_the_report_opens_with_its_period_and_contents(council: Runtime, clock: Clock) -> None:
    md = _december(council, clock)
    assert md.startswith("# NATO-Russia Council: the record\n\n"
                         "Period: 1 December 2026 to 31 December 2026 (inclusive, "
                         "Europe/Brussels)  \nGenerated: Fri 11 Dec 2026, 10:00 CET  \n"
                         "In the period: 1 meeting held, 1 joint decision, "
                         "1 implementation issue raised.\n")
    assert ("## Contents\n\n1. [Meetings against the mandate](#meetings-against-the-mandate)\n"
            "2. [Meetings](#meetings)\n3. [Joint decisions](#joint-decisions)\n"
            "4. [Joint and Chair's statements](#joint-and-chairs-statements)\n"
            "5. [Polls closed without a decision](#polls-closed-without-a-decision)\n"
            "6. [Implementation issues](#implementation-issues)\n") in md


def test_each_meeting_shows_its_agenda_in_order_with_its_state(
        council: Runtime, clock: Clock) -> None:
    md = _december(council, clock)
    assert ("### M1: Monthly meeting\n\n- **Body:** Council, Ambassadors\n"
            "- **When:** Thu 10 Dec 2026, 10:00 CET\n- **Duration:** 2 h\n"
            "- **Status:** held\n\nAgenda (circulated, revision 2):\n\n"
            "1. Missile defence (Russian Federation)\n2. Any other business\n"
            "3. Implementation issue I1 on joint decision D1: The exercise has not been "
            "scheduled. (Russian Federation) — resolved\n") in md


def test_a_decision_shows_every_position_in_charter_order_with_statement_kinds(
        council: Runtime, clock: Clock) -> None:
    md = _december(council, clock)
    decision = md.split("### D1, adopted 1 December 2026\n\n", 1)[1].split("## ", 1)[0]
    assert decision.startswith(r"> Joint exercise \<script\>alert(1)\</script\> at sea")
    assert "- **Procedure:** explicit\n- **Proposed by:** Russian Federation\n" in decision
    assert "Concurred: 20. Silent, not objecting: 0." in decision
    rows = [line for line in decision.splitlines() if line.startswith("| ")][1:]
    assert [row.split(" | ")[0].removeprefix("| ") for row in rows] == [
        "Belgium", "Canada", "Czech Republic", "Denmark", "France", "Germany", "Greece",
        "Hungary", "Iceland", "Italy", "Luxembourg", "Netherlands", "Norway", "Poland",
        "Portugal", "Spain", "Turkey", "United Kingdom", "United States", "Russian Federation"]
    assert ("| France | concurred | Interpretative statement: France reads it as covering "
            "exercises only. |") in rows
    assert "| Germany | concurred | Statement for the record: Our capital notes annex B. |" in rows
    assert rows[-1] == "| Russian Federation | concurred | Reservation: Subject to ratification. |"


def test_polls_closed_without_a_decision_say_who_and_why(council: Runtime, clock: Clock) -> None:
    md = _december(council, clock)
    assert ("### P2: blocked\n\n> A second text\n\n- **Closed:** Tue 1 Dec 2026, 10:00 CET\n"
            "- **Outcome:** blocked\n\nWhy it closed:\n\n"
            "- France objected: Not acceptable as drafted.\n") in md
    assert ("### P3: silence broken\n\n> A third text\n") in md
    assert ("- Silence broken by Germany: amendment Replace 'condemns' by 'deplores' "
            "(reason: Parliament.)\n") in md


def test_issues_raised_and_resolved_in_the_period(council: Runtime, clock: Clock) -> None:
    md = _december(council, clock)
    row = ("| I1 | D1 | Russian Federation | Thu 3 Dec 2026, 10:00 CET | The exercise has not "
           "been scheduled. | resolved | Mon 7 Dec 2026, 10:00 CET | Scheduled for March. |")
    raised, closed = md.split("### Raised in the period")[1].split(
        "### Resolved or withdrawn in the period")
    assert row in raised and row in closed


def test_cadence_verdicts_are_the_cadence_rules_period_by_period(
        council: Runtime, clock: Clock) -> None:
    _record_a_month(council, clock)
    run(council, CHAIR, "schedule council-amb 2027-02-10 10:00 February meeting")
    clock.now = datetime(2027, 2, 12, 9, 0, tzinfo=UTC)
    md = to_markdown(_report(council, date(2026, 12, 1), date(2027, 2, 28)))
    assert "- Council, Ambassadors, at least once a month: 1 met, 1 breached, 1 on track\n" in md
    assert "| Council, Ambassadors | December 2026 | 1 | 0 | 1 | met |" in md
    assert "| Council, Ambassadors | January 2027 | 0 | 0 | 1 | breached |" in md
    assert ("| Council, Ambassadors | February 2027 | 1 | 0 | 1 | on track (period running) |"
            in md)
    assert "| Preparatory Committee | 16–28 February 2027 | 0 | 0 | 1 | not yet begun |" in md
    # Nothing before the bodies existed (the council was set up on 1 December 2026).
    assert "November 2026" not in md


def test_what_falls_outside_the_period_is_left_out(council: Runtime, clock: Clock) -> None:
    _record_a_month(council, clock)
    md = to_markdown(_report(council, date(2027, 1, 1), date(2027, 1, 31)))
    assert "### M1" not in md and "### D1" not in md and "### P2" not in md
    assert "_No meeting was scheduled in the period._" in md
    assert "_No joint decision was adopted in the period._" in md
    assert "_No poll was blocked, broken or failed in the period._" in md
    assert "_No implementation issue was raised in the period._" in md
    assert "_No statement was issued in the period._" in md


def test_a_cancelled_meeting_is_listed_with_its_reason_and_no_agenda(
        council: Runtime, clock: Clock) -> None:
    run(council, CHAIR, "schedule prepcom 2026-12-04 10:00 Preparatory meeting")
    run(council, CHAIR, "cancel M1 postponed to January")
    clock.now = datetime(2026, 12, 20, 9, 0, tzinfo=UTC)
    md = to_markdown(_report(council, date(2026, 12, 1), date(2026, 12, 31)))
    assert "- **Status:** cancelled: postponed to January\n" in md
    assert "Agenda" not in md.split("### M1")[1]
    assert "| Preparatory Committee | 1–15 December 2026 | 0 | 0 | 1 | breached |" in md


def test_extension_points_carry_the_meeting_record_and_the_statements(
        council: Runtime, clock: Clock) -> None:
    _record_a_month(council, clock)

    def attendance(session: Session, meeting: Meeting, tz: ZoneInfo) -> ReportSection:
        return ReportSection(f"m{meeting.id}-record", "Record", [Items(["Present: 20"])])

    def statements(session: Session, council_row: Council, span: Span,
                   tz: ZoneInfo) -> ReportSection:
        return ReportSection("statements", "Joint and Chair's statements",
                             [Paragraph(f"S1 from {span.first}")])

    report = _report(council, date(2026, 12, 1), date(2026, 12, 31),
                     meeting_records=(attendance,), period_sections=(statements,))
    md = to_markdown(report)
    assert "- **Status:** held" in md and "#### Record\n\n- Present: 20\n" in md
    assert "4. [Joint and Chair's statements](#joint-and-chairs-statements)\n" in md
    assert md.index("## Joint decisions") < md.index("## Joint and Chair's statements") < \
        md.index("## Polls closed without a decision")
    assert "S1 from 2026-12-01" in md
    assert '<section id="statements" class="part">' in to_html(report)


_VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})


class _Checker(HTMLParser):
    """Every element closed in order, and what a self-contained file must not hold."""

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if dict(attrs).get("id"):
            self.ids.add(dict(attrs)["id"] or "")
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, (tag, self.stack[-5:])
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_the_html_is_one_well_formed_printable_file_with_every_word_escaped(
        council: Runtime, clock: Clock) -> None:
    _record_a_month(council, clock)
    page = to_html(_report(council, date(2026, 12, 1), date(2026, 12, 31)))
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.stack == []
    assert page.startswith('<!DOCTYPE html>\n<html lang="en">')
    names = [tag for tag, _ in checker.tags]
    assert "script" not in names and "img" not in names and "link" not in names
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Joint exercise <script>alert(1)</script> at sea" in "".join(checker.text)
    assert "http://" not in page and "https://" not in page and "src=" not in page
    style = page.split("<style>")[1].split("</style>")[0]
    assert "@media print" in style
    for rule in ("break-before: page", "thead { display: table-header-group; }",
                 "background: none !important", "font-size: 11pt"):
        assert rule in style
    links = [attrs["href"] for tag, attrs in checker.tags if tag == "a"]
    assert links == ["#cadence", "#meetings", "#decisions", "#statements", "#polls", "#issues"]
    assert {link.removeprefix("#") for link in links if link} <= checker.ids
    assert names.count("thead") == 4  # cadence, positions, issues raised, issues closed
    assert "<th scope=\"col\">Member</th>" in page


def test_the_period_is_read_from_the_options() -> None:
    today = date(2026, 12, 1)
    assert report_span(None, None, today) == (date(2025, 12, 2), date(2026, 12, 1))
    assert report_span("2026-01-01", "2026-06-30", today) == (date(2026, 1, 1),
                                                              date(2026, 6, 30))
    assert report_span(None, "2028-02-29", today) == (date(2027, 3, 1), date(2028, 2, 29))
    assert report_span("2026-12-01", None, today) == (today, today)
    with pytest.raises(CommandError, match=r"^--from '1 May' is not a date; write it as "
                                           r"YYYY-MM-DD, e.g. 2026-01-31\.$"):
        report_span("1 May", None, today)
    with pytest.raises(CommandError, match=r"^The period begins \(2026-05-01\) after it ends "
                                           r"\(2026-01-01\); --from must be on or before --to\.$"):
        report_span("2026-05-01", "2026-01-01", today)


def test_the_span_covers_local_days_across_a_clock_change() -> None:
    span = Span.of(date(2026, 3, 29), date(2026, 3, 29), TZ)
    assert span.start == datetime(2026, 3, 28, 23, 0, tzinfo=UTC)
    assert span.end - span.start == timedelta(hours=23)
    assert span.holds(datetime(2026, 3, 29, 21, 59, tzinfo=UTC))
    assert not span.holds(span.end)


def test_markdown_shows_user_text_literally() -> None:
    assert md_text("a | b *c* <b>\nnext") == r"a \| b \*c\* \<b\> next"
    assert slug("Joint and Chair's statements") == "joint-and-chairs-statements"


def test_an_empty_council_gets_a_report_saying_so(council: Runtime) -> None:
    document = layout(_report(council, date(2026, 1, 1), date(2026, 6, 30)))
    assert [s.title for s in document.sections] == [
        "Meetings against the mandate", "Meetings", "Joint decisions",
        "Joint and Chair's statements", "Polls closed without a decision",
        "Implementation issues"]
    md = to_markdown(_report(council, date(2026, 1, 1), date(2026, 6, 30)))
    assert "_No body has a mandated cadence in the period._" in md
