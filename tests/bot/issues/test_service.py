"""Implementation issues through the core, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from bot.context import Context
from bot.issues.queries import agenda_issues, overdue_issues
from bot.issues.service import attach_waiting_issues, withdraw_issue
from bot.runtime import Runtime
from bot.settings import Settings
from storage.models import AgendaItem, AuditEntry, ImplementationIssue, Meeting, Outbox
from tests.agenda import council_id, make_decision, make_meeting
from tests.council import ADMIN, CHAIR, OUTSIDER, Clock, delegate, run

RU, FR = delegate("RU"), delegate("FR")
DEC_5 = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
DEC_17 = datetime(2026, 12, 17, 10, 0, tzinfo=UTC)
JAN_14 = datetime(2027, 1, 14, 10, 0, tzinfo=UTC)


def _issue(runtime: Runtime, number: int) -> ImplementationIssue:
    with Session(runtime.engine) as s:
        issue = s.get(ImplementationIssue, number)
        assert issue is not None
        return issue


def _outbox(runtime: Runtime) -> dict[str, Outbox]:
    """The outbox as delivery would send it now: a row that names a view (a meeting's
    announcement rebuilt in place) carries the message that view renders."""
    with Session(runtime.engine) as s:
        rows = {o.key: o for o in s.exec(select(Outbox).order_by(col(Outbox.id)))}
        s.expunge_all()
        for row in rows.values():
            view = row.payload.get("view")
            if view:
                row.payload = runtime.renderers[view](s, row.council_id, row.payload["ref"],
                                                      runtime.clock()).to_dict()
        return rows


def _audit(runtime: Runtime, prefix: str = "issue.") -> list[AuditEntry]:
    with Session(runtime.engine) as s:
        return [e for e in s.exec(select(AuditEntry).order_by(col(AuditEntry.seq)))
                if e.action.startswith(prefix)]


def _agenda(runtime: Runtime, meeting_id: int) -> list[AgendaItem]:
    with Session(runtime.engine) as s:
        return list(s.exec(select(AgendaItem).where(AgendaItem.meeting_id == meeting_id)))


def test_raise_posts_in_the_decision_thread_notifies_and_audits(council: Runtime) -> None:
    d = make_decision(council)
    reply = run(council, RU, f"raise D{d} The joint exercise has not been <!channel> scheduled.")
    assert reply == (f"Raised *I1* for Russian Federation on joint decision *D{d}*; it is posted in "
                     f"the thread under D{d} and goes on the agenda of the next Council meeting, "
                     "once one is scheduled.")
    issue = _issue(council, 1)
    assert (issue.status, issue.decision_id, issue.raised_by, issue.meeting_id) == (
        "open", d, RU, None)
    rows = _outbox(council)
    post = rows["issue:1"]
    assert (post.kind, post.thread_key) == ("post", f"decision:{d}")
    assert "*Russian Federation* (<@UDEL0RU1>) raises an issue" in post.payload["text"]
    assert "&lt;!channel&gt;" in post.payload["text"] and "<!channel>" not in post.payload["text"]
    assert "Rome Declaration" in post.payload["context"][0]
    notice = rows["issue:1:notice"]
    assert notice.thread_key is None and "raised implementation issue *I1*" in notice.payload["text"]
    chair = rows["issue:1:chair"]
    assert (chair.kind, chair.channel) == ("dm", CHAIR)
    assert "`/nrc resolve I1 <note>`" in chair.payload["text"]
    # The Homes of those concerned are refreshed: the raising delegation, Chair, secretariat.
    assert {"home:" + RU, "home:" + CHAIR, "home:" + ADMIN} <= set(rows)
    assert "home:" + FR not in rows
    [entry] = _audit(council)
    assert (entry.action, entry.actor, entry.member) == ("issue.raise", RU, "Russian Federation")
    assert entry.details["decision"] == d and entry.details["issue"] == 1


def test_raise_goes_on_the_next_council_meeting_of_any_level(council: Runtime) -> None:
    d = make_decision(council)
    amb = make_meeting(council, "council-amb", JAN_14)
    fm = make_meeting(council, "council-fm", DEC_17)  # sooner: ministers meet first
    make_meeting(council, "prepcom", DEC_5)  # not a Council meeting
    make_meeting(council, "council-amb", DEC_5, extraordinary=True)  # convened for its request
    make_meeting(council, "council-amb", DEC_5, status="cancelled")
    reply = run(council, FR, f"raise {d} Reporting on the exercise is late.")
    assert f"goes on the agenda of *M{fm}* Council, Foreign Ministers" in reply
    assert _issue(council, 1).meeting_id == fm
    [item] = _agenda(council, fm)
    assert item.issue_id == 1 and item.text == (
        f"Implementation issue I1 on joint decision D{d}: Reporting on the exercise is late.")
    # The meeting's announcement is rebuilt in place: its agenda lists the issue.
    update = _outbox(council)[f"meeting:{fm}#update"]
    assert update.target_key == f"meeting:{fm}"
    assert (f"1. Implementation issue I1 on joint decision D{d}: Reporting on the exercise is "
            "late. _(France)_") in update.payload["sections"][0]
    assert _agenda(council, amb) == []
    assert "On the agenda of" in _outbox(council)["issue:1"].payload["fields"][0][0]


def test_a_waiting_issue_joins_the_next_council_meeting_when_scheduled(council: Runtime) -> None:
    d = make_decision(council)
    run(council, RU, f"raise D{d} Not implemented.")
    run(council, FR, f"raise D{d} Also late.")
    prepcom = make_meeting(council, "prepcom", DEC_5)
    amb = make_meeting(council, "council-amb", DEC_17)

    def attach(meeting_id: int) -> object:
        def fn(ctx: Context) -> object:
            meeting = ctx.session.get(Meeting, meeting_id)
            assert meeting is not None
            return [i.id for i in attach_waiting_issues(ctx, meeting)]
        return fn

    captured: list[object] = []
    council.run_action(ADMIN, None, lambda ctx: captured.append(attach(prepcom)(ctx)) or _ok())
    council.run_action(ADMIN, None, lambda ctx: captured.append(attach(amb)(ctx)) or _ok())
    assert captured == [[], [1, 2]]
    assert [i.issue_id for i in _agenda(council, amb)] == [1, 2]
    assert _issue(council, 2).meeting_id == amb
    agenda = _outbox(council)[f"meeting:{amb}#update"].payload["sections"][0]
    assert "1. Implementation issue I1" in agenda and "2. Implementation issue I2" in agenda
    assert [e.action for e in _audit(council)] == ["issue.raise", "issue.raise",
                                                   "issue.agenda", "issue.agenda"]


def test_an_open_issue_moves_on_when_its_meeting_is_cancelled_or_held(
        council: Runtime, clock: Clock) -> None:
    d = make_decision(council)
    first = make_meeting(council, "council-amb", DEC_5)
    second = make_meeting(council, "council-amb", DEC_17)
    run(council, RU, f"raise D{d} Not implemented.")
    assert _issue(council, 1).meeting_id == first
    report = council.tick(DEC_5 + timedelta(hours=2))
    assert report.recorded["issues"] == 0  # still on the meeting held today
    report = council.tick(DEC_5 + timedelta(days=1, hours=1))
    assert report.recorded["issues"] == 1
    assert _issue(council, 1).meeting_id == second
    assert [i.issue_id for i in _agenda(council, first)] == [1]  # the record of the held one stays
    assert council.tick(DEC_5 + timedelta(days=1, hours=2)).recorded["issues"] == 0  # idempotent
    # Cancelled: back to waiting, then on the next one.
    with Session(council.engine) as s:
        meeting = s.get(Meeting, second)
        assert meeting is not None
        meeting.status = "cancelled"
        s.add(meeting)
        s.commit()
    clock.now = DEC_5 + timedelta(days=2)
    assert (f"on the agenda of the next Council meeting, once one is scheduled (it was on "
            f"M{second}, cancelled)") in council.run_command(OUTSIDER, None, "issues").sections[0]
    third = make_meeting(council, "council-fm", JAN_14)
    council.tick(DEC_5 + timedelta(days=2))
    assert _issue(council, 1).meeting_id == third
    assert [e.details["meeting"] for e in _audit(council) if e.action == "issue.agenda"] == [
        second, third]


def _ok() -> object:
    from bot.messages import Message

    return Message(text="ok")


@pytest.mark.parametrize(("user", "line", "expected"), [
    (OUTSIDER, "raise D1 text", "Only delegations may raise implementation issues; you are not "
                                "in a member's delegation."),
    (CHAIR, "raise D1 text", "Only delegations may raise implementation issues"),
    (RU, "raise", "Name the joint decision, like D2, then the issue."),
    (RU, "raise D1", "Give the text of the issue."),
    (RU, "raise P1 text", 'Name the joint decision by its number, like D3, not "P1".'),
    (RU, "raise D99 text", "There is no joint decision D99; `decisions` lists them."),
    (RU, "raise D1 " + "x" * 2001, "The text of the issue is 2001 characters long; the limit is 2000."),
])
def test_raise_refusals_change_nothing(council: Runtime, user: str, line: str,
                                       expected: str) -> None:
    make_decision(council)
    before = _outbox(council).keys()
    reply = run(council, user, line)
    assert reply.startswith(expected), reply
    assert reply.endswith("Usage: `/nrc raise <D> <text>`")
    with Session(council.engine) as s:
        assert s.exec(select(ImplementationIssue)).all() == []
    assert _outbox(council).keys() == before


def test_issues_lists_open_issues_by_decision_and_marks_overdue(
        council: Runtime, clock: Clock) -> None:
    assert run(council, OUTSIDER, "issues") == "No implementation issues are open."
    d1 = make_decision(council, "First decision.")
    d2 = make_decision(council, "Second decision.", proposer="FR")
    amb = make_meeting(council, "council-amb", JAN_14)
    run(council, RU, f"raise D{d1} Old issue.")
    clock.now += timedelta(days=20)
    run(council, FR, f"raise D{d2} Newer issue.")
    run(council, delegate("DE"), f"raise D{d1} German issue.")
    clock.now += timedelta(days=11)  # the first is 31 days old
    reply = council.run_command(OUTSIDER, None, "issues")
    assert reply.text == "3 open implementation issues on 2 joint decisions."
    first, second = reply.sections
    assert first.startswith(f"*D{d1}* (First decision.)")
    assert "*I1* Russian Federation (<@UDEL0RU1>)" in first and "*I3* Germany" in first
    assert first.count("_overdue: open 31 days_") == 1
    assert f"on the agenda of *M{amb}* Council, Ambassadors" in first
    assert second.startswith(f"*D{d2}*") and "overdue" not in second
    assert "Overdue after 30 days open." in reply.context[1]
    # NRC_ISSUE_OVERDUE_DAYS=7, as the deployment's settings read it at start.
    seven = Settings.from_env({"NRC_ISSUE_OVERDUE_DAYS": "7"}, dotenv=False).issue_overdue_days
    council.settings = council.settings.model_copy(update={"issue_overdue_days": seven})
    assert council.run_command(OUTSIDER, None, "issues").sections[1].count("_overdue") == 1
    week = council.settings.issue_overdue
    with Session(council.engine) as s:
        assert [i.id for i in overdue_issues(s, council_id(s), clock.now, week)] == [1, 2, 3]
        assert [i.id for i in overdue_issues(s, council_id(s), clock.now)] == [1]
    assert run(council, OUTSIDER, "issues extra") == (
        'Unexpected "extra": `issues` takes nothing more.\nUsage: `/nrc issues`')


def test_resolve_by_the_chair_or_secretariat_only(council: Runtime, clock: Clock) -> None:
    d = make_decision(council)
    ahead = make_meeting(council, "council-amb", DEC_17)
    run(council, RU, f"raise D{d} Not implemented.")
    assert run(council, RU, "resolve I1 done").startswith(
        "Only the Chair or the secretariat may resolve implementation issues.")
    assert run(council, CHAIR, "resolve I1").startswith("Give the note saying how it was resolved.")
    assert run(council, CHAIR, "resolve I7 done").startswith("There is no implementation issue I7")
    assert _issue(council, 1).status == "open"
    reply = run(council, CHAIR, "resolve I1 Exercise held on 3 December; <@U1> reported.")
    assert reply == f"Resolved *I1*; the note is posted in the thread under D{d}."
    issue = _issue(council, 1)
    assert (issue.status, issue.closed_by, issue.closed_at) == ("resolved", CHAIR, clock.now)
    assert issue.note == "Exercise held on 3 December; <@U1> reported."
    post = _outbox(council)["issue:1:resolved"]
    assert post.thread_key == f"decision:{d}"
    assert ">Exercise held on 3 December; &lt;@U1&gt; reported." in post.payload["text"]
    assert _agenda(council, ahead) == []  # resolved before the meeting: off its agenda
    with Session(council.engine) as s:
        assert agenda_issues(s, ahead) == []
    assert run(council, ADMIN, "resolve I1 again").startswith("I1 is already resolved.")
    assert [e.action for e in _audit(council)] == ["issue.raise", "issue.resolve"]
    assert _audit(council)[-1].details["off_agenda"] == [ahead]


def test_withdraw_by_the_raising_delegation(council: Runtime) -> None:
    d = make_decision(council)
    run(council, RU, f"raise D{d} Not implemented.")
    refused = council.run_action(FR, None, lambda ctx: withdraw_issue(ctx, 1))
    assert refused.text == ("Only the Chair, the secretariat or the raising delegation may "
                            "withdraw this issue.")
    missing = council.run_action(RU, None, lambda ctx: withdraw_issue(ctx, 9))
    assert missing.text.startswith("There is no implementation issue I9")
    # A second delegate of the same member may withdraw it: one member, one voice.
    run(council, ADMIN, f"delegate add RU {delegate('RU', 2)} expert")
    reply = council.run_action(delegate("RU", 2), None, lambda ctx: withdraw_issue(ctx, 1))
    assert reply.text == f"Withdrew *I1* (raised by Russian Federation on D{d})."
    assert _issue(council, 1).status == "withdrawn"
    post = _outbox(council)["issue:1:withdrawn"]
    assert post.thread_key == f"decision:{d}" and "for Russian Federation" in post.payload["text"]
    again = council.run_action(RU, None, lambda ctx: withdraw_issue(ctx, 1))
    assert again.text == "I1 is already withdrawn."
    assert run(council, CHAIR, "resolve I1 x").startswith("I1 is already withdrawn.")
    assert [(e.action, e.member) for e in _audit(council)] == [
        ("issue.raise", "Russian Federation"), ("issue.withdraw", "Russian Federation")]


def test_the_chair_may_withdraw_too(council: Runtime) -> None:
    d = make_decision(council)
    run(council, RU, f"raise D{d} Not implemented.")
    reply = council.run_action(CHAIR, None, lambda ctx: withdraw_issue(ctx, 1))
    assert reply.text.startswith("Withdrew *I1*")
    assert "for Russian Federation" not in _outbox(council)["issue:1:withdrawn"].payload["text"]


def test_scheduling_a_council_meeting_takes_the_waiting_issues_and_reminds_of_overdue(
        council: Runtime, clock: Clock) -> None:
    d = make_decision(council)
    run(council, RU, f"raise D{d} Not implemented.")
    assert run(council, CHAIR, "schedule prepcom 2026-12-10 10:00").startswith("Scheduled M1")
    assert _issue(council, 1).meeting_id is None  # the Preparatory Committee is not the Council
    assert run(council, CHAIR, "schedule council-amb 2027-01-14 10:00").startswith("Scheduled M2")
    assert _issue(council, 1).meeting_id == 2
    rows = _outbox(council)
    assert "Implementation issue" not in rows["meeting:2"].payload["sections"][0]
    agenda = rows["meeting:2#update"].payload["sections"][0]
    # Open 44 days when the Council meets on 14 January: overdue at that meeting.
    assert agenda == (f"*Agenda*\n1. Implementation issue I1 on joint decision D{d}: "
                      "Not implemented. _(Russian Federation)_ _overdue: open 44 days_")
    assert [e.action for e in _audit(council, "")][-2:] == ["meeting.schedule", "issue.agenda"]
    council.tick(datetime(2027, 1, 13, 9, 0, tzinfo=UTC))  # the 24-hour reminder
    reminder = _outbox(council)["meeting:2:remind:86400"]
    assert "_overdue: open 44 days_" in reminder.payload["sections"][0]
    assert "Implementation issue I1" in council.run_command(OUTSIDER, None, "agenda M2").sections[0]
    with Session(council.engine) as s:
        assert [i.id for i in overdue_issues(s, council_id(s), datetime(2027, 1, 13, tzinfo=UTC))
                ] == [1]


def test_raise_issue_keeps_only_a_plain_link_to_the_source(council: Runtime) -> None:
    from bot.issues.service import raise_issue

    d = make_decision(council)
    link = "https://test.slack.com/archives/CCOUNCIL1/p1700000000000100"
    reply = council.run_action(RU, None, lambda ctx: raise_issue(ctx, d, "Late.", link))
    assert reply.text.startswith("Raised *I1*")
    council.run_action(RU, None, lambda ctx: raise_issue(ctx, d, "Later.", "https://x|<!channel>"))
    assert (_issue(council, 1).source_link, _issue(council, 2).source_link) == (link, None)
    rows = _outbox(council)
    assert f"From <{link}|a message in the channel>." in rows["issue:1"].payload["text"]
    assert "From <" not in rows["issue:2"].payload["text"]
    refused = council.run_action(OUTSIDER, None, lambda ctx: raise_issue(ctx, d, "x", None))
    assert refused.text == ("Only delegations may raise implementation issues; you are not in a "
                            "member's delegation.")
