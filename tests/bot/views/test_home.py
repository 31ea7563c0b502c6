"""The App Home through the core, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import Session, select

from bot.context import Context
from bot.messages import Message
from bot.outbox import HOME_SETTLE
from bot.runtime import Runtime
from bot.views.home import home_message, home_opened
from handlers.blocks import home_view
from storage.models import Council, Outbox, ProcessedEvent
from tests.agenda import make_decision, make_meeting
from tests.council import ADMIN, CHAIR, OUTSIDER, delegate, run

RU, FR = delegate("RU"), delegate("FR")
DEC_17 = datetime(2026, 12, 17, 10, 0, tzinfo=UTC)


def home(runtime: Runtime, user: str) -> Message:
    with Session(runtime.engine) as s:
        council = s.exec(select(Council)).one()
        return home_message(s, council, user, runtime.admins, runtime.clock())


def _home_row(runtime: Runtime, user: str) -> Outbox | None:
    with Session(runtime.engine) as s:
        return s.exec(select(Outbox).where(Outbox.key == f"home:{user}")).first()


def test_a_delegate_sees_what_their_member_owes(council: Runtime) -> None:
    run(council, FR, "propose 48h Joint statement on search and rescue at sea.")
    run(council, FR, "propose 72h Common threat assessment.")
    run(council, RU, "concur P1")
    meeting = make_meeting(council, "council-amb", DEC_17)
    d = make_decision(council)
    run(council, RU, f"raise D{d} The exercise is late.")
    view = home(council, RU)
    assert view.header == "NATO-Russia Council"
    assert view.text.startswith("You act for *Russian Federation* as head of delegation.")
    assert view.fields[0] == ("Polls awaiting a position", "1")
    assert view.fields[1][1].startswith(f"*M{meeting}* Council, Ambassadors")
    assert view.fields[2] == ("Open issues raised by Russian Federation", "1")
    meetings, issues, cadence, polls = view.sections
    assert cadence.startswith("*Cadence this period*\n")
    assert "\u2022 *Council, Ambassadors*: on track (0 held, 1 scheduled of 1 required " \
           "(December 2026))" in cadence
    assert view.fields[3][0] == "Cadence this period"
    assert meetings.startswith("*Upcoming meetings*") and f"*M{meeting}*" in meetings
    assert "(1 agenda item)" in meetings
    assert f"*I1* on D{d} (Russian Federation): The exercise is late." in issues
    assert polls.startswith("*Awaiting Russian Federation\u2019s position*")
    assert "*P2*: Common threat assessment." in polls and "*P1*" not in polls
    assert [(b.label, b.action_id, b.value) for b in view.buttons] == [
        ("Concur: P2", "poll_concur", "2"), ("Object\u2026: P2", "poll_object", "2")]
    # France has not answered either poll: two rows of the same two buttons.
    blocks = home_view(home(council, FR))["blocks"]
    rows = [b for b in blocks if b["type"] == "actions"]
    assert [[e["action_id"] for e in r["elements"]] for r in rows] == [
        ["poll_concur", "poll_object"], ["poll_concur", "poll_object"]]
    assert [r["elements"][0]["value"] for r in rows] == ["1", "2"]


def test_the_chair_and_secretariat_see_the_whole_council(council: Runtime) -> None:
    run(council, FR, "propose 48h Joint statement.")
    run(council, RU, "concur P1")
    run(council, delegate("DE"), "object P1 Not yet.")
    run(council, FR, "propose 48h Second text.")
    run(council, RU, "concur P2")
    d = make_decision(council)
    run(council, RU, f"raise D{d} Late.")
    for user, who in ((CHAIR, "the Secretary General"), (ADMIN, "the secretariat")):
        view = home(council, user)
        assert view.text == f"The council at a glance, for {who}."
        fields = dict(view.fields)
        # 1 December: the half-years of the ministerials are running out, none scheduled.
        assert fields.pop("Cadence this period") == "3 on track, 3 at risk"
        assert ("\u2022 *Council, Foreign Ministers*: at risk (0 held, 0 scheduled of 1 "
                "required (July\u2013December 2026))") in view.sections[3]
        assert fields == {"Open polls": "1", "Meetings ahead": "0", "Open issues": "1",
                          "Overdue issues": "0"}
        assert "1 concurred, 0 objected, 19 silent" in view.sections[0]
        assert "*I1*" in view.sections[2]
        assert view.buttons == []


def test_anyone_else_sees_what_is_public_and_how_to_join(council: Runtime) -> None:
    d = make_decision(council, "Cooperation on civil emergencies.")
    view = home(council, OUTSIDER)
    assert view.text.startswith("You are not in a member\u2019s delegation")
    assert f"*D{d}* (Cooperation on civil emergencies.)" in view.sections[1]
    assert f"ask <@{ADMIN}> to add you to its delegation" in view.context[0]
    assert view.buttons == []


def test_home_opened_publishes_once_per_event(council: Runtime) -> None:
    def opened(event_id: str) -> Message:
        return council.run_action(RU, None, lambda ctx: home_opened(ctx, event_id),
                                  mutates=False, writes=True)

    assert opened("Ev1").text == "Published."
    row = _home_row(council, RU)
    assert row is not None and (row.kind, row.channel, row.revision) == ("home", RU, 1)
    assert opened("Ev1").text == "Already published for this event."  # Slack's retry
    row = _home_row(council, RU)
    assert row is not None and row.revision == 1
    assert opened("Ev2").text == "Published."
    row = _home_row(council, RU)
    assert row is not None and row.revision == 2
    with Session(council.engine) as s:
        assert sorted(e.event_id for e in s.exec(select(ProcessedEvent))) == ["Ev1", "Ev2"]


def test_changes_refresh_the_homes_they_concern(council: Runtime) -> None:
    d = make_decision(council, proposer="FR")
    run(council, RU, f"raise D{d} Late.")
    for user in (RU, FR, CHAIR, ADMIN):  # raiser, proposer of the decision, Chair, secretariat
        row = _home_row(council, user)
        assert row is not None, user
    assert _home_row(council, delegate("DE")) is None
    assert "Issues others raised on decisions France proposed" in "".join(
        delivered_home(council, FR).sections)
    run(council, CHAIR, "resolve I1 Done.")
    row = _home_row(council, RU)
    assert row is not None and row.revision == 2
    assert "_None._" in delivered_home(council, RU).sections[1]


def delivered_home(runtime: Runtime, user: str) -> Message:
    """Deliver the outbox and return the Home that went out for ``user`` (built at delivery)."""
    sent: dict[str, Message] = {}

    class Port:
        def post(self, channel: str | None, message: Message, thread_ts: str | None,
                 key: str) -> tuple[str, str]:
            return channel or "C", "1.0"

        def dm(self, user_id: str, message: Message, key: str) -> tuple[str, str]:
            return "D" + user_id, "1.0"

        def update(self, channel: str, ts: str, message: Message) -> None:
            pass

        def publish_home(self, user_id: str, message: Message) -> None:
            sent[user_id] = message

        def find(self, *args: object) -> None:
            return None

    runtime.deliver(Port(), runtime.clock() + HOME_SETTLE)  # type: ignore[arg-type]
    return sent[user]


def test_homes_are_built_when_delivered_not_when_requested(council: Runtime) -> None:
    d = make_decision(council, proposer="FR")
    run(council, RU, f"raise D{d} Late.")
    row = _home_row(council, RU)
    assert row is not None and row.payload["text"] == ""  # only the request was recorded
    run(council, CHAIR, "resolve I1 Done.")  # the state moves on before delivery
    assert "_None._" in delivered_home(council, RU).sections[1]


def test_refresh_homes_keeps_one_row_per_user(council: Runtime) -> None:
    def refresh(ctx: Context) -> Message:
        ctx.refresh_homes(users=[RU, RU, "", FR])
        return Message(text="ok")

    council.run_action(ADMIN, None, refresh)
    council.run_action(ADMIN, None, refresh)
    with Session(council.engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "home")).all()
    assert sorted((r.channel, r.revision) for r in rows) == [(FR, 2), (RU, 2)]
