"""Fair delivery at scale: one council's burst of 200 posts does not hold up another
council's reminder, each channel goes at about one post a second after a short burst,
in order, and a 429 on one workspace pauses only that workspace. Through the Slack
port and the fake Web API, on an injected clock (the moment each delivery is as of)."""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise

from sqlmodel import Session, col, select

from bot import outbox
from bot.messages import Message
from bot.outbox import pacing
from bot.runtime import Runtime
from bot.settings import Settings
from bot.transports.bolt_app import slack_client
from handlers.slackport import SlackPort
from storage.engine import transaction
from storage.models import Council, Outbox
from tests.council import CHANNEL
from tests.fakeslack import FakeSlack

OTHER = "COTHER01"
BURST = pacing.CHANNEL.burst
SECOND = timedelta(seconds=1)


def _now() -> datetime:
    """Slack stamps messages with real time; the outbox's moments start from it."""
    return datetime.now(UTC).replace(microsecond=0)


def _two_councils(runtime: Runtime) -> tuple[int, int]:
    """The charter's council in workspace T1 and a second council in workspace T2; the
    runtime paced as a deployed one is (a test's runtime is not, unless asked)."""
    runtime.pacer = outbox.Pacer()
    with transaction(runtime.engine) as s:
        first = s.exec(select(Council)).one()
        first.channel_id, first.team_id = CHANNEL, "T1"
        s.add(first)
        s.add(Council(key="other", name="Other Council", short_name="OC", chair_title="Chair",
                      timezone="UTC", team_id="T2", channel_id=OTHER,
                      ics_token=secrets.token_urlsafe(24), created_at=datetime.now(UTC)))
    with Session(runtime.engine) as s:
        ids = s.exec(select(Council.id).order_by(col(Council.id))).all()
    return int(ids[0] or 0), int(ids[1] or 0)


def _port(fake: FakeSlack) -> SlackPort:
    settings = Settings(bot_token="xoxb-test", api_url=fake.api_url)
    return SlackPort(slack_client(settings, wait_out_rate_limits=False))


def _seen(fake: FakeSlack, channel: str) -> list[str]:
    """What the channel shows, in the order Slack took it."""
    return [c.params["text"] for c in fake.calls_to("chat.postMessage")
            if not c.failed and c.params["channel"] == channel]


def _sent_at(runtime: Runtime, key: str) -> datetime:
    with Session(runtime.engine) as s:
        row = s.exec(select(Outbox).where(Outbox.key == key)).one()
    assert row.status == "sent" and row.sent_at is not None, (key, row.status)
    return row.sent_at if row.sent_at.tzinfo else row.sent_at.replace(tzinfo=UTC)


def _deliver_until_sent(runtime: Runtime, port: SlackPort, start: datetime,
                        step: timedelta, limit: int) -> datetime:
    moment = start
    for _ in range(limit):
        runtime.deliver(port, moment)
        with Session(runtime.engine) as s:
            if s.exec(select(Outbox).where(Outbox.status != "sent")).first() is None:
                return moment
        moment += step
    raise AssertionError("the outbox did not empty")


def test_a_burst_in_one_council_does_not_delay_another_councils_reminder(
        runtime: Runtime, fake_slack: FakeSlack) -> None:
    a, b = _two_councils(runtime)
    t0 = _now()
    with transaction(runtime.engine) as s:
        for n in range(1, 201):
            outbox.post(s, a, f"statement:{n}", Message(text=f"Statement {n}"), t0)
    with transaction(runtime.engine) as s:
        outbox.post(s, b, "reminder:1", Message(text="Reminder: the meeting is at 10:00."),
                    t0 + timedelta(milliseconds=5))
    port = _port(fake_slack)
    done = _deliver_until_sent(runtime, port, t0 + timedelta(milliseconds=5),
                               SECOND / 2, 600)

    # The other council's reminder went out in the first delivery, after A's burst.
    assert _seen(fake_slack, OTHER) == ["Reminder: the meeting is at 10:00."]
    assert _sent_at(runtime, "reminder:1") - t0 <= SECOND
    texts = [c.params["text"] for c in fake_slack.calls_to("chat.postMessage")]
    assert texts.index("Reminder: the meeting is at 10:00.") == BURST

    # A's channel shows all 200, in order, each once.
    assert _seen(fake_slack, CHANNEL) == [f"Statement {n}" for n in range(1, 201)]
    # A short burst at t0, then about one a second.
    moments = [_sent_at(runtime, f"statement:{n}") for n in range(1, 201)]
    assert all(m - t0 < SECOND / 10 for m in moments[:BURST])
    gaps = [later - earlier for earlier, later in pairwise(moments[BURST - 1:])]
    assert min(gaps) >= SECOND - timedelta(milliseconds=1)
    assert max(gaps) <= SECOND + SECOND / 2  # delivered every half second, never later
    assert done - t0 <= timedelta(seconds=200 - BURST + 1)
    with Session(runtime.engine) as s:  # pacing used no attempt
        assert {o.attempts for o in s.exec(select(Outbox))} == {1}


def test_a_retry_after_on_one_workspace_pauses_only_that_workspace(
        runtime: Runtime, fake_slack: FakeSlack) -> None:
    a, b = _two_councils(runtime)
    t0 = _now()
    with transaction(runtime.engine) as s:
        for n in range(1, 6):
            outbox.post(s, a, f"a:{n}", Message(text=f"A {n}"), t0)
        for n in range(1, 6):
            outbox.post(s, b, f"b:{n}", Message(text=f"B {n}"), t0)
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=30)  # A's first post
    port = _port(fake_slack)
    moment = t0
    while moment < t0 + 29 * SECOND:
        runtime.deliver(port, moment)
        moment += SECOND
    # B went on at its own pace; A's workspace waited out Slack's Retry-After.
    assert _seen(fake_slack, OTHER) == [f"B {n}" for n in range(1, 6)]
    assert _sent_at(runtime, "b:5") - t0 <= 3 * SECOND
    assert _seen(fake_slack, CHANNEL) == []
    failed = [c for c in fake_slack.calls_to("chat.postMessage") if c.failed]
    assert [c.params["channel"] for c in failed] == [CHANNEL]  # asked once, not hammered

    _deliver_until_sent(runtime, port, t0 + 30 * SECOND, SECOND, 20)
    assert _seen(fake_slack, CHANNEL) == [f"A {n}" for n in range(1, 6)]
    assert _sent_at(runtime, "a:1") == t0 + 30 * SECOND
    keys = Counter(c.params["metadata"]["event_payload"]["key"]
                   for c in fake_slack.calls_to("chat.postMessage") if not c.failed)
    assert set(keys.values()) == {1} and len(keys) == 10  # none lost, none doubled


def test_the_courier_sends_what_pacing_held_back_when_its_channel_has_a_token(
        runtime: Runtime, fake_slack: FakeSlack) -> None:
    """A process's courier sends its own rows: those pacing held back are queued again
    for the moment their channel has a token, not left for the clock's next sweep."""
    a, _ = _two_councils(runtime)
    t0 = _now()
    with transaction(runtime.engine) as s:
        for n in range(1, BURST + 3):
            outbox.post(s, a, f"a:{n}", Message(text=f"A {n}"), t0)
    with Session(runtime.engine) as s:
        ids = [o.id or 0 for o in s.exec(select(Outbox).order_by(col(Outbox.id)))]
    port = _port(fake_slack)
    runtime._send_due(port, [(outbox.Due(t0, row_id), 0) for row_id in ids])
    assert _seen(fake_slack, CHANNEL) == [f"A {n}" for n in range(1, BURST + 1)]
    # The two held back wait in the courier's queue for the next token, one second on.
    assert {row_id: moments[0] for row_id, moments in runtime._queued.items()} == {
        ids[BURST]: t0 + SECOND, ids[BURST + 1]: t0 + SECOND}
    for n in range(2):
        runtime._dues = [(0.0, due, tries) for _, due, tries in runtime._dues]  # time passes
        runtime._send_due(port, runtime._take_due())
        assert _seen(fake_slack, CHANNEL)[-1] == f"A {BURST + 1 + n}"
    assert _seen(fake_slack, CHANNEL) == [f"A {n}" for n in range(1, BURST + 3)]
    assert _sent_at(runtime, f"a:{BURST + 2}") == t0 + 2 * SECOND
    assert runtime._queued == {}
