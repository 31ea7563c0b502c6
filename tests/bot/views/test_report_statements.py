"""The report's section on the council's statements: joint statements with every member's
position, the Chair's statements labelled as the Chair's own, in Markdown and in HTML."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session

from bot.runtime import Runtime
from bot.views.report import Report, build_report
from bot.views.report_layout import to_html, to_markdown
from tests.council import CHAIR, CODES, Clock, delegate, run

TZ = ZoneInfo("Europe/Brussels")
FR, DE, RU = delegate("FR"), delegate("DE"), delegate("RU")


def _report(council: Runtime, start: date, end: date) -> Report:
    with Session(council.engine) as session:
        row = council.council_for(session, None)
        return build_report(session, row, council.charter, start, end, TZ, now=council.clock())


def _statements(council: Runtime, clock: Clock) -> None:
    """S1, a joint statement adopted on 1 December with two members' statements; S2, the
    Chair's, on 3 December; S3, the Chair's, on 5 January (outside December)."""
    assert "S1" not in run(council, RU, "statement joint --explicit 48h The members condemn "
                                        "all attacks on *shipping* <b>now</b>.")
    for code in CODES:
        extra = {"FR": " --reservation Subject to the consent of Parliament.",
                 "DE": " Germany reads it as covering the Black Sea."}.get(code, "")
        run(council, delegate(code), f"concur P1{extra}")
    clock.now = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
    assert "S2" in run(council, CHAIR, "statement chair The Chair welcomes the talks.")
    clock.now = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    assert "S3" in run(council, CHAIR, "statement chair A January word.")
    clock.now = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


def _section(md: str) -> str:
    return md.split("## Joint and Chair's statements\n\n", 1)[1].split("\n## ", 1)[0]


def test_the_statements_follow_the_decisions_in_the_contents(
        council: Runtime, clock: Clock) -> None:
    _statements(council, clock)
    md = to_markdown(_report(council, date(2026, 12, 1), date(2026, 12, 31)))
    assert ("3. [Joint decisions](#joint-decisions)\n"
            "4. [Joint and Chair's statements](#joint-and-chairs-statements)\n"
            "5. [Polls closed without a decision](#polls-closed-without-a-decision)\n") in md


def test_a_joint_statement_shows_every_position_in_charter_order(
        council: Runtime, clock: Clock) -> None:
    _statements(council, clock)
    section = _section(to_markdown(_report(council, date(2026, 12, 1), date(2026, 12, 31))))
    joint = section.split("### S1: joint statement, adopted 1 December 2026\n\n", 1)[1] \
        .split("### ", 1)[0]
    assert joint.startswith(r"> The members condemn all attacks on \*shipping\* "
                            r"\<b\>now\</b\>." "\n\n")
    assert ("- **Adopted:** Tue 1 Dec 2026, 10:00 CET\n- **Procedure:** explicit\n"
            "- **Proposed by:** Russian Federation\n- **From:** P1\n") in joint
    assert "Concurred: 20. Silent, not objecting: 0." in joint
    rows = [line for line in joint.splitlines() if line.startswith("| ")][1:]
    assert len(rows) == 20
    assert rows[0].startswith("| Belgium | concurred |")
    assert rows[-1].startswith("| Russian Federation | concurred |")
    assert ("| France | concurred | Reservation: Subject to the consent of Parliament. |"
            in rows)
    assert ("| Germany | concurred | Interpretative statement: Germany reads it as covering "
            "the Black Sea. |") in rows


def test_a_chairs_statement_is_labelled_as_the_chairs_own(
        council: Runtime, clock: Clock) -> None:
    _statements(council, clock)
    section = _section(to_markdown(_report(council, date(2026, 12, 1), date(2026, 12, 31))))
    chair = section.split("### S2: Chair's statement, issued 3 December 2026\n\n", 1)[1]
    assert chair == ("> The Chair welcomes the talks.\n\n"
                     "- **Issued:** Thu 3 Dec 2026, 10:00 CET\n"
                     "- **Issued by:** the Chair (Secretary General)\n\n"
                     "Chair's statement — issued on the Chair's own responsibility; "
                     "not a decision of the Council.\n")
    # S3 was issued in January: not December's record.
    assert "S3" not in section and "A January word" not in section


def test_the_html_holds_the_same_statements(council: Runtime, clock: Clock) -> None:
    _statements(council, clock)
    page = to_html(_report(council, date(2026, 12, 1), date(2026, 12, 31)))
    part = page.split('<section id="statements" class="part">', 1)[1].split(
        '<section id="polls"', 1)[0]
    assert '<section id="s1">\n<h3>' in part and '<section id="s2">\n<h3>' in part
    assert "S1: joint statement, adopted 1 December 2026" in part
    assert "The members condemn all attacks on *shipping* &lt;b&gt;now&lt;/b&gt;." in part
    assert "Reservation: Subject to the consent of Parliament." in part
    assert part.count("<td>concurred</td>") == 20
    assert "S2: Chair&#x27;s statement, issued 3 December 2026" in part
    assert ("Chair&#x27;s statement — issued on the Chair&#x27;s own responsibility; "
            "not a decision of the Council.") in part
    assert "A January word" not in page


def test_a_period_without_statements_says_so(council: Runtime, clock: Clock) -> None:
    _statements(council, clock)
    md = to_markdown(_report(council, date(2027, 2, 1), date(2027, 2, 28)))
    assert _section(md) == "_No statement was issued in the period._\n"
