"""Slack misbehaving: 429s, 5xx, ``ok: false``, timeouts, dropped connections.

Whatever Slack does, each message the council must see arrives once: none
lost, none doubled (a timed-out post that Slack did take is found, not resent).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from bot import outbox
from bot.messages import Message
from bot.runtime import Runtime
from bot.settings import Settings
from bot.transports.bolt_app import slack_client
from handlers.slackport import SlackPort
from storage.engine import transaction
from storage.models import Council, Outbox
from tests.council import CHANNEL
from tests.fakeslack import FakeSlack

T0 = datetime.now(UTC)  # Slack stamps messages with real time; so does the outbox


def _delivered_keys(fake: FakeSlack) -> Counter[str]:
    keys: Counter[str] = Counter()
    for call in fake.calls_to("chat.postMessage"):
        if call.failed:
            continue
        keys[call.params["metadata"]["event_payload"]["key"]] += 1
    return keys


def test_every_message_arrives_once_whatever_slack_does(council: Runtime,
                                                        fake_slack: FakeSlack) -> None:
    with Session(council.engine) as s:
        council_id = s.exec(select(Council.id)).one()
    assert council_id is not None
    expected: list[str] = []
    with transaction(council.engine) as s:
        for i in range(12):
            outbox.post(s, council_id, f"poll:{i}", Message(text=f"poll {i}"), T0)
            outbox.post(s, council_id, f"poll:{i}:reply", Message(text=f"reply {i}"), T0,
                        thread_key=f"poll:{i}")
            outbox.dm(s, council_id, f"dm:{i}", "UCHAIRSG", Message(text=f"dm {i}"), T0)
            outbox.update_message(s, council_id, f"poll:{i}", Message(text=f"poll {i} v2"), T0)
            expected += [f"poll:{i}", f"poll:{i}:reply", f"dm:{i}"]
    faults = [
        dict(status=429, retry_after=0, times=3),  # beyond slack-sdk's own two retries
        dict(status=500),
        dict(status=503, times=2),
        dict(ok_false_error="ratelimited"),
        dict(ok_false_error="internal_error"),
        dict(delay=1.5),  # Slack takes the post, the client has given up
        dict(disconnect=True),
        dict(delay=1.5),
    ]
    for fault in faults:
        fake_slack.fail_next("chat.postMessage", **fault)  # type: ignore[arg-type]
    fake_slack.fail_next("chat.update", status=502)
    fake_slack.fail_next("conversations.open", disconnect=True)
    port = SlackPort(slack_client(Settings(bot_token="xoxb-test", api_url=fake_slack.api_url),
                                  timeout=0.5))
    moment = T0
    for _ in range(40):
        outbox.deliver(council.engine, port, moment)
        # The outbox's backoff (2 s and more) outlasts Slack finishing a slow request;
        # the test moves its clock faster than that, so let slow requests finish first.
        fake_slack.wait_idle()
        moment += timedelta(minutes=10)
        with Session(council.engine) as s:
            if not s.exec(select(Outbox).where(Outbox.status != "sent")).first():
                break
    with Session(council.engine) as s:
        statuses = Counter(o.status for o in s.exec(select(Outbox))
                           if o.key.startswith(("poll:", "dm:")))
    assert statuses == {"sent": len(expected) + 12}  # posts, replies, DMs and 12 updates
    delivered = _delivered_keys(fake_slack)
    assert sorted(delivered) == sorted(expected)
    assert set(delivered.values()) == {1}, delivered  # nothing doubled
    failed = sum(1 for c in fake_slack.calls if c.failed)
    assert failed >= 10  # the faults really happened
    replies = [c.params for c in fake_slack.calls_to("chat.postMessage")
               if not c.failed and "thread_ts" in c.params]
    assert len(replies) == 12 and all(p["channel"] == CHANNEL for p in replies)
    updated = {c.params["text"] for c in fake_slack.calls_to("chat.update") if not c.failed}
    assert updated == {f"poll {i} v2" for i in range(12)}
