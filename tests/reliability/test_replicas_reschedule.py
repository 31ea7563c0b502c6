"""A moved meeting's reminders, with three ``nrc-bot tick --at`` processes racing each moment.

"``reschedule <M> <when>`` (Chair, secretariat): the announcement is updated in place
with the old time struck through and a short "moved" post in its thread; reminders for
the old time are not sent and the new ones are (exactly once, across replicas)."

The Chair schedules M1 and its announcement goes out; a pass records the old start's
24-hour reminder, which waits in the outbox (Slack was not reached yet); the Chair then
moves the meeting two days later. From there, for each moment across the old and the
new reminders, three tick processes run the scheduler as of that moment at once and
deliver to the fake Slack. Times are injected (``--at``): nothing sleeps.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from bot import cadence, keys
from bot.transports.bolt_app import slack_client
from handlers.slackport import SlackPort
from storage.engine import make_engine, upgrade
from storage.models import Body, Meeting, Outbox
from tests.conftest import _truncate
from tests.council import ADMIN, CHAIR, CHANNEL, Clock, make_runtime, run, seat_council
from tests.fakeslack import FakeSlack
from tests.processes import BotProcess, bot_env, stop_all

pytestmark = pytest.mark.multiprocess

ROOT = Path(__file__).resolve().parents[2]

REPLICAS = 3
T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
OLD = datetime(2027, 3, 10, 9, 0, tzinfo=UTC)  # 10:00 in Brussels
NEW = datetime(2027, 3, 12, 14, 0, tzinfo=UTC)  # 15:00 in Brussels


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """The URL the processes are given and the test's own engine on the same database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'nrc.db'}"
        engine = make_engine(url)
        upgrade(engine)
        yield url, engine
        engine.dispose()
        return
    url = request.getfixturevalue("postgres_url")
    engine = request.getfixturevalue("postgres_engine")
    _truncate(engine)
    yield url, engine
    _truncate(engine)


def _stamp(moment: datetime) -> str:
    """How a Slack message names a moment: ``<!date^{epoch}^…``."""
    return f"<!date^{int(moment.timestamp())}^"


def _posts(fake: FakeSlack) -> list[tuple[str, dict[str, object]]]:
    """Each successful chat.postMessage with the outbox key it carried."""
    out = []
    for call in fake.calls_to("chat.postMessage"):
        if call.failed:
            continue
        metadata = call.params.get("metadata") or {}
        out.append((str((metadata.get("event_payload") or {}).get("key", "")), call.params))
    return out


def _reminder_keys(fake: FakeSlack) -> Counter[str]:
    return Counter(key for key, _ in _posts(fake) if key.startswith("meeting:1:remind:"))


def test_a_moved_meeting_reminds_for_its_new_time_once_across_replicas(
        database: tuple[str, Engine], fake_slack: FakeSlack, tmp_path: Path) -> None:
    url, engine = database
    fake = fake_slack
    clock = Clock(T0)
    council = make_runtime(engine, clock, bot_token="xoxb-reschedule", api_url=fake.api_url)
    seat_council(council)
    env = bot_env(DATABASE_URL=url, SLACK_BOT_TOKEN="xoxb-reschedule",
                  SLACK_SIGNING_SECRET="reschedule-secret", SLACK_API_URL=fake.api_url,
                  NRC_ADMIN_USERS=ADMIN, NRC_LOG_LEVEL="warning",
                  PYTHONPATH=str(ROOT))  # the tree under test, whatever is installed
    runs: list[BotProcess] = []
    recorded = 0

    def race(at: datetime) -> None:
        """Three ``tick --at`` processes at once, as three replicas' clocks would."""
        nonlocal recorded
        stamp = at.strftime("%Y-%m-%dT%H:%M+00:00")
        batch = [BotProcess(f"tick-{stamp}-{n}", ["tick", "--at", stamp], env, tmp_path,
                            tmp_path) for n in range(REPLICAS)]
        runs.extend(batch)
        for process in batch:
            process.start()
        for process in batch:
            assert process.proc is not None
            assert process.proc.wait(timeout=60) == 0, process.tail()
            process.stop()
        recorded += sum(int(m.group(1)) for p in batch
                        for m in re.finditer(r"(\d+) meeting reminders?\b", p.output()))

    try:
        assert run(council, CHAIR, "schedule council-amb 2027-03-10 10:00 Monthly meeting"
                   ).startswith("Scheduled M1")
        council.deliver(SlackPort(slack_client(council.settings)))
        announced = [params for key, params in _posts(fake) if key == keys.meeting(1)]
        assert len(announced) == 1
        with Session(engine) as s:
            row = s.exec(select(Outbox).where(Outbox.key == keys.meeting(1))).one()
            announcement_ts = row.ts
            body = s.exec(select(Body).join(Meeting, Meeting.body_id == Body.id)).first()
            assert body is not None
            offsets = body.reminders
        assert announcement_ts

        def moments(start: datetime, created: datetime) -> dict[int, datetime]:
            return dict(cadence.reminder_moments(start, offsets, created))

        old = moments(OLD, T0)
        assert sorted(old) == [3600, 86400]  # the Ambassadors: 24 h and 1 h before

        # A pass records the old start's 24-hour reminder; it waits to be delivered.
        council.tick(old[86400] + timedelta(minutes=1))
        old_key = keys.meeting_reminder(1, 86400)
        with Session(engine) as s:
            assert s.exec(select(Outbox.status).where(Outbox.key == old_key)).one() == "pending"

        clock.now = old[86400] + timedelta(minutes=5)
        assert run(council, CHAIR, "reschedule M1 2027-03-12 15:00").startswith("Moved M1")
        new = moments(NEW, T0)
        assert sorted(new) == [3600, 86400]

        # Across the old moments (the pending one, then the 1-hour one) and the new ones.
        expected: set[str] = set()
        for at in (clock.now + timedelta(minutes=5), old[3600] + timedelta(minutes=1),
                   new[86400] + timedelta(minutes=1), new[3600] + timedelta(minutes=1)):
            race(at)
            expected = {keys.meeting_reminder(1, s, 1) for s, m in new.items() if m <= at}
            assert set(_reminder_keys(fake)) == expected, (at, _reminder_keys(fake))
        assert len(expected) == 2

        # No reminder for the old time; each one for the new time exactly once.
        posted = _reminder_keys(fake)
        assert posted == Counter({keys.meeting_reminder(1, 86400, 1): 1,
                                  keys.meeting_reminder(1, 3600, 1): 1})
        reminders = [params for key, params in _posts(fake) if key in posted]
        for params in reminders:
            assert params["channel"] == CHANNEL
            text = str(params.get("text", "")) + str(params.get("blocks", ""))
            assert "M1" in text and _stamp(NEW) in text and _stamp(OLD) not in text
        assert recorded == 2  # each recorded by one of the three processes
        with Session(engine) as s:
            assert s.exec(select(Outbox.status).where(Outbox.key == old_key)).one() == "skipped"

        # The announcement: updated once in place, the old time struck through.
        updates = [c.params for c in fake.calls_to("chat.update")
                   if not c.failed and c.params.get("ts") == announcement_ts]
        assert len(updates) == 1
        shown = str(updates[0].get("text", "")) + str(updates[0].get("blocks", ""))
        assert re.search(r"moved from ~" + re.escape(_stamp(OLD)) + r"[^~]*~", shown), shown
        assert _stamp(NEW) in shown
        # One "moved" post in its thread.
        moved = [params for key, params in _posts(fake) if key == keys.meeting_moved(1, 1)]
        assert len(moved) == 1
        assert moved[0]["thread_ts"] == announcement_ts
        assert re.search(r"moved: now " + re.escape(_stamp(NEW)) + r".*, not ~"
                         + re.escape(_stamp(OLD)), str(moved[0]["text"])), moved[0]["text"]
        assert [key for key, _ in _posts(fake)].count(keys.meeting(1)) == 1
    finally:
        council.close()
        stop_all(runs)
