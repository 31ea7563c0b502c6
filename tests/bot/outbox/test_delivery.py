"""Delivery from the outbox: order, threads, updates, retries and failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from freezegun import freeze_time
from sqlalchemy import event, update
from sqlmodel import Session, col, select

from bot import outbox
from bot.messages import Message
from bot.outbox import PermanentError, TransientError, Waiting
from bot.runtime import Runtime
from storage.engine import transaction
from storage.models import Council, Outbox
from tests.council import CHAIR, CHANNEL, delegate, run

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


class RecordingPort:
    def __init__(self) -> None:
        self.calls: list[tuple[str, str | None, str, str | None]] = []
        self.failures: list[Exception] = []
        self.keys: dict[str, tuple[str, str]] = {}
        self._n = 0

    def _maybe_fail(self) -> None:
        if self.failures:
            raise self.failures.pop(0)

    def post(self, channel: str | None, message: Message, thread_ts: str | None,
             key: str) -> tuple[str, str]:
        self._maybe_fail()
        if channel is None:
            raise Waiting("no channel")
        self._n += 1
        self.calls.append(("post", channel, message.text, thread_ts))
        self.keys[key] = (channel, f"{self._n}.0")
        return channel, f"{self._n}.0"

    def dm(self, user_id: str, message: Message, key: str) -> tuple[str, str]:
        self._maybe_fail()
        self._n += 1
        self.calls.append(("dm", user_id, message.text, None))
        self.keys[key] = ("D" + user_id, f"{self._n}.0")
        return "D" + user_id, f"{self._n}.0"

    def find(self, channel: str, key: str, thread_ts: str | None,
             since: datetime) -> tuple[str, str] | None:
        self.calls.append(("find", channel, key, thread_ts))
        return self.keys.get(key)

    def update(self, channel: str, ts: str, message: Message) -> None:
        self._maybe_fail()
        self.calls.append(("update", channel, message.text, ts))

    def publish_home(self, user_id: str, message: Message) -> None:
        self.calls.append(("home", user_id, message.text, None))


def _council_id(runtime: Runtime) -> int:
    with Session(runtime.engine) as s:
        return s.exec(select(Council.id)).one()  # type: ignore[return-value]


def _bind(runtime: Runtime) -> int:
    with transaction(runtime.engine) as s:
        council = s.exec(select(Council)).one()
        council.channel_id = CHANNEL
        s.add(council)
    return _council_id(runtime)


def _statuses(runtime: Runtime) -> dict[str, str]:
    with Session(runtime.engine) as s:
        return {o.key: o.status for o in s.exec(select(Outbox).order_by(col(Outbox.id)))}


def test_posts_threads_updates_and_dms_in_order(runtime: Runtime) -> None:
    cid = _bind(runtime)
    with transaction(runtime.engine) as s:
        outbox.post(s, cid, "poll:P1", Message(text="poll"), T0)
        outbox.post(s, cid, "poll:P1:reply", Message(text="reply"), T0, thread_key="poll:P1")
        outbox.update_message(s, cid, "poll:P1", Message(text="poll v2"), T0)
        outbox.update_message(s, cid, "poll:P1", Message(text="poll v3"), T0)
        outbox.dm(s, cid, "dm:chair", "UCHAIRSG", Message(text="psst"), T0)
    port = RecordingPort()
    report = outbox.deliver(runtime.engine, port, T0)
    assert report.sent == 4
    assert port.calls == [
        ("post", CHANNEL, "poll", None),
        ("post", CHANNEL, "reply", "1.0"),
        ("update", CHANNEL, "poll v3", "1.0"),  # updates coalesce: only the latest is sent
        ("dm", "UCHAIRSG", "psst", None),
    ]
    assert set(_statuses(runtime).values()) == {"sent"}
    assert outbox.deliver(runtime.engine, port, T0 + timedelta(hours=1)).sent == 0


def test_nothing_goes_before_the_channel_is_bound(runtime: Runtime) -> None:
    cid = _council_id(runtime)
    with transaction(runtime.engine) as s:
        outbox.post(s, cid, "a", Message(text="a"), T0)
    port = RecordingPort()
    assert outbox.deliver(runtime.engine, port, T0).deferred == 1
    assert _statuses(runtime) == {"a": "pending"}
    _bind(runtime)
    assert outbox.deliver(runtime.engine, port, T0 + timedelta(seconds=1)).sent == 0  # waits
    assert outbox.deliver(runtime.engine, port, T0 + outbox.WAIT).sent == 1


def test_transient_errors_back_off_then_fail_and_can_be_retried(runtime: Runtime) -> None:
    cid = _bind(runtime)
    with transaction(runtime.engine) as s:
        outbox.post(s, cid, "a", Message(text="a"), T0)
    port = RecordingPort()
    port.failures = [TransientError("HTTP 429", retry_after=30)]
    assert outbox.deliver(runtime.engine, port, T0).retried == 1
    assert outbox.deliver(runtime.engine, port, T0 + timedelta(seconds=29)).sent == 0
    assert outbox.deliver(runtime.engine, port, T0 + timedelta(seconds=30)).sent == 1
    # The retry looked first: a failed attempt may still have reached Slack.
    assert port.calls == [("find", CHANNEL, "a", None), ("post", CHANNEL, "a", None)]

    with transaction(runtime.engine) as s:
        outbox.post(s, cid, "b", Message(text="b"), T0)
    port.failures = [TransientError("HTTP 500")] * outbox.MAX_ATTEMPTS
    moment = T0 + timedelta(minutes=1)
    for _ in range(outbox.MAX_ATTEMPTS):
        outbox.deliver(runtime.engine, port, moment)
        moment += timedelta(minutes=10)
    assert _statuses(runtime)["b"] == "failed"
    assert outbox.retry_failed(runtime.engine, moment) == 1
    assert outbox.deliver(runtime.engine, port, moment).sent == 1
    assert [c[2] for c in port.calls if c[0] == "post"] == ["a", "b"]


def test_permanent_errors_fail_at_once(runtime: Runtime) -> None:
    cid = _bind(runtime)
    with transaction(runtime.engine) as s:
        outbox.post(s, cid, "a", Message(text="a"), T0)
    port = RecordingPort()
    port.failures = [PermanentError("chat.postMessage: channel_not_found")]
    assert outbox.deliver(runtime.engine, port, T0).failed == 1
    with Session(runtime.engine) as s:
        row = s.exec(select(Outbox)).one()
    assert row.status == "failed" and row.last_error == "chat.postMessage: channel_not_found"


def test_a_crashed_sender_is_taken_over_after_its_lease(runtime: Runtime) -> None:
    cid = _bind(runtime)
    with transaction(runtime.engine) as s:
        outbox.post(s, cid, "a", Message(text="a"), T0)
    with freeze_time(T0) as wall:  # leases run on the wall clock
        claimed = outbox._claim(runtime.engine, T0, None)  # a worker claims, then dies
        assert [(c.row.key, c.recovering) for c in claimed] == [("a", False)]
        port = RecordingPort()
        wall.tick(timedelta(seconds=30))
        assert outbox.deliver(runtime.engine, port, T0 + timedelta(seconds=30)).sent == 0
        wall.tick(outbox.LEASE)
        assert outbox.deliver(runtime.engine, port, T0 + outbox.LEASE).sent == 1
    # It looked first (the message might have gone out before the crash), then posted.
    assert port.calls == [("find", CHANNEL, "a", None), ("post", CHANNEL, "a", None)]


def test_a_message_posted_just_before_a_crash_is_not_posted_again(runtime: Runtime) -> None:
    cid = _bind(runtime)
    with transaction(runtime.engine) as s:
        outbox.post(s, cid, "a", Message(text="a"), T0)
    port = RecordingPort()
    with freeze_time(T0) as wall:
        rows = outbox._claim(runtime.engine, T0, None)
        port.post(CHANNEL, Message.from_dict(rows[0].row.payload), None, "a")  # Slack took it...
        # ...and the worker died before recording it. Another worker takes over.
        wall.tick(outbox.LEASE + timedelta(seconds=1))
        report = outbox.deliver(runtime.engine, port, T0 + outbox.LEASE + timedelta(seconds=1))
    assert report.sent == 1
    assert [c[0] for c in port.calls] == ["post", "find"]
    with Session(runtime.engine) as s:
        row = s.exec(select(Outbox)).one()
    assert (row.status, row.ts) == ("sent", "1.0")


def test_a_pass_as_of_a_later_moment_does_not_take_over_a_live_send(runtime: Runtime) -> None:
    cid = _bind(runtime)
    with transaction(runtime.engine) as s:
        outbox.post(s, cid, "a", Message(text="a"), T0)
    with freeze_time(T0):
        outbox._claim(runtime.engine, T0, None)  # a worker is sending it right now
        port = RecordingPort()
        # `nrc-bot tick --at` a day ahead delivers as of then; the lease is still live.
        assert outbox.deliver(runtime.engine, port, T0 + timedelta(days=1)).sent == 0
    assert port.calls == []


def test_a_rewritten_update_waits_for_the_older_send(runtime: Runtime) -> None:
    cid = _bind(runtime)
    with transaction(runtime.engine) as s:
        outbox.post(s, cid, "poll:1", Message(text="v0"), T0)
    port = RecordingPort()
    outbox.deliver(runtime.engine, port, T0)
    with transaction(runtime.engine) as s:
        outbox.update_message(s, cid, "poll:1", Message(text="v1"), T0)
    with freeze_time(T0):
        [claim] = outbox._claim(runtime.engine, T0, None)  # worker A sends v1...
        older = claim.row
        with transaction(runtime.engine) as s:  # ...while the poll changes again
            outbox.update_message(s, cid, "poll:1", Message(text="v2"), T0)
        # Worker B may not send v2 while A's v1 is in flight: Slack would keep the older.
        assert outbox.deliver(runtime.engine, port, T0).sent == 0
        outbox._settle(runtime.engine, older, status="sent", claimed_until=None)  # A finishes
        assert outbox.deliver(runtime.engine, port, T0).sent == 1
    assert [c[2] for c in port.calls if c[0] == "update"] == ["v2"]


def test_home_refreshes_settle_and_become_one_publish(runtime: Runtime) -> None:
    """A burst of changes publishes each Home once, at the first change plus the settle."""
    cid = _bind(runtime)
    for offset in (0, 1, 1.5):  # three changes in a second and a half
        with transaction(runtime.engine) as s:
            outbox.publish_homes(s, cid, ["UCHAIRSG", "UDEL0RU1"],
                                 T0 + timedelta(seconds=offset))
    due = T0 + outbox.HOME_SETTLE
    with Session(runtime.engine) as s:
        rows = s.exec(select(Outbox).where(Outbox.kind == "home")).all()
    assert sorted(r.key for r in rows) == ["home:UCHAIRSG", "home:UDEL0RU1"]
    assert {r.next_attempt_at for r in rows} == {due}  # the earliest moment is kept
    port = RecordingPort()
    renderers = {"home": lambda _s, _c, user, _now: Message(text=f"Home of {user}")}
    assert outbox.deliver(runtime.engine, port, due - timedelta(seconds=1),
                          renderers=renderers).sent == 0
    assert outbox.deliver(runtime.engine, port, due, renderers=renderers).sent == 2
    assert sorted(c[2] for c in port.calls) == ["Home of UCHAIRSG", "Home of UDEL0RU1"]
    # A change after the publish starts a new settle from that change.
    with transaction(runtime.engine) as s:
        outbox.publish_homes(s, cid, ["UCHAIRSG"], due + timedelta(seconds=5))
    assert outbox.deliver(runtime.engine, port, due + timedelta(seconds=6),
                          renderers=renderers).sent == 0
    assert outbox.deliver(runtime.engine, port, due + timedelta(seconds=5) + outbox.HOME_SETTLE,
                          renderers=renderers).sent == 1


def test_app_homes_go_after_posts_and_updates(runtime: Runtime) -> None:
    cid = _bind(runtime)
    with transaction(runtime.engine) as s:
        outbox.publish_homes(s, cid, ["UCHAIRSG"], T0, settle=timedelta(0))
        outbox.post(s, cid, "poll:1", Message(text="poll"), T0)
        outbox.update_message(s, cid, "poll:1", Message(text="poll v2"), T0)
    port = RecordingPort()
    outbox.deliver(runtime.engine, port, T0,
                   renderers={"home": lambda *_: Message(text="home")})
    assert [c[0] for c in port.calls] == ["post", "update", "home"]


def test_a_view_is_rendered_when_delivered_from_the_records_then(runtime: Runtime) -> None:
    """Only the request is recorded; two changes before delivery become one update."""
    cid = _bind(runtime)
    state = {"text": "one position"}
    with transaction(runtime.engine) as s:
        outbox.post(s, cid, "poll:1", Message(text="poll"), T0)
        outbox.refresh_view(s, cid, "poll:1", "poll", 1, T0)
    with transaction(runtime.engine) as s:
        outbox.refresh_view(s, cid, "poll:1", "poll", 1, T0)
    with Session(runtime.engine) as s:
        row = s.exec(select(Outbox).where(Outbox.key == "poll:1#update")).one()
    assert row.payload == {"view": "poll", "ref": 1} and row.revision == 2
    state["text"] = "two positions"  # the records change before delivery
    port = RecordingPort()
    seen: list[object] = []

    def render(_s: Session, council_id: int, ref: object, now: datetime) -> Message:
        seen.append((council_id, ref, now))
        return Message(text=state["text"])

    assert outbox.deliver(runtime.engine, port, T0, renderers={"poll": render}).sent == 2
    assert port.calls == [("post", CHANNEL, "poll", None), ("update", CHANNEL, "two positions", "1.0")]
    assert seen == [(cid, 1, T0)]


def test_a_row_rewritten_while_its_sender_sends_is_sent_again_by_that_sender(
        runtime: Runtime) -> None:
    """The rewriter finds the row leased and leaves it; the sender, told by its settlement
    that the row changed, sends the newest content itself."""
    cid = _bind(runtime)
    with transaction(runtime.engine) as s:
        outbox.post(s, cid, "poll:1", Message(text="v0"), T0)
    outbox.deliver(runtime.engine, RecordingPort(), T0)
    with transaction(runtime.engine) as s:
        outbox.update_message(s, cid, "poll:1", Message(text="v1"), T0)
        [row_id] = [due.row_id for due in outbox.due_in(s)]

    class Rewriting(RecordingPort):
        """Slack is slow: meanwhile the poll changes, and another worker tries to send it."""

        def update(self, channel: str, ts: str, message: Message) -> None:
            super().update(channel, ts, message)
            if message.text == "v1":
                with transaction(runtime.engine) as s:
                    outbox.update_message(s, cid, "poll:1", Message(text="v2"), T0)
                other = RecordingPort()
                assert outbox.deliver(runtime.engine, other, T0, rows=[row_id]).sent == 0
                assert other.calls == []

    port = Rewriting()
    report = outbox.deliver(runtime.engine, port, T0, rows=[row_id])
    assert [c[2] for c in port.calls if c[0] == "update"] == ["v1", "v2"]
    assert report.sent == 2 and _statuses(runtime)["poll:1#update"] == "sent"


def test_each_recorded_row_is_noted_with_its_own_moment(runtime: Runtime) -> None:
    """A change records its poll's update and some App Homes in one statement, some rows
    new and some rewritten (RETURNING promises no order then): each is noted by its own
    id, due when it is due."""
    cid = _bind(runtime)
    users = [f"U{n:07d}" for n in range(12)]
    for step in range(40):
        moment = T0 + timedelta(seconds=step)
        homes = [users[(step * 5 + k * 7) % len(users)] for k in range(4)]
        with transaction(runtime.engine) as s:
            outbox.refresh_view(s, cid, f"poll:{step % 3}", "poll", step % 3, moment, homes=homes)
            noted = outbox.due_in(s)
        with Session(runtime.engine) as s:
            kinds = {o.id: o.kind for o in s.exec(select(Outbox))}
        assert [due.home for due in sorted(noted, key=lambda d: d.row_id)] == [
            kinds[due.row_id] == "home" for due in sorted(noted, key=lambda d: d.row_id)]
        assert {due.at for due in noted if due.home} <= {moment + outbox.HOME_SETTLE}
        if step % 2:  # some are sent before the next change, some are still waiting
            with transaction(runtime.engine) as s:
                s.execute(update(Outbox).where(col(Outbox.id) % 3 == step % 3)
                          .values(status="sent"))


def test_a_row_rewritten_while_it_waits_is_looked_for_once(runtime: Runtime) -> None:
    """Every position on a poll rewrites the App Homes it shows on: the courier queues
    each row once, and looks again only for the latest moment noted while it waited."""
    now = runtime.clock()
    for n in range(50):
        runtime._recorded({outbox.Due(now + timedelta(seconds=n), 7, home=True)})
    assert len(runtime._dues) == 1
    assert runtime._take_due() == [(outbox.Due(now, 7, home=True), 0)]
    assert [(due.at, due.row_id) for _, due, _ in runtime._dues] == [
        (now + timedelta(seconds=49), 7)]
    assert runtime._take_due() == []  # that moment has not come
    runtime._recorded({outbox.Due(now + timedelta(seconds=60), 7, home=True)})
    assert len(runtime._dues) == 1


def test_sending_a_polls_new_standing_takes_three_statements(council: Runtime) -> None:
    """Claim (leasing in the same statement), the poll with its positions, settle:
    on PostgreSQL each statement commits alone, with no BEGIN and COMMIT around it."""
    assert run(council, CHAIR, "propose 30d That the Council take note.").startswith("Opened")
    port = RecordingPort()
    council.deliver(port)
    assert run(council, delegate("FR"), "concur P1").startswith("Recorded")
    statements: list[str] = []
    in_transaction: list[bool] = []  # on PostgreSQL: whether psycopg wrapped it in BEGIN

    def count(conn: Any, _cursor: object, statement: str, *_args: object) -> None:
        if statement.split()[0] != "BEGIN":  # SQLite's own
            statements.append(statement)
            in_transaction.append(not getattr(conn.connection.dbapi_connection,
                                              "autocommit", False))

    event.listen(council.engine, "before_cursor_execute", count)
    try:
        report = council.deliver(port)
    finally:
        event.remove(council.engine, "before_cursor_execute", count)
    assert report.sent == 1 and [c[0] for c in port.calls][-1] == "update"
    sqlite = council.engine.dialect.name == "sqlite"
    assert len(statements) == (4 if sqlite else 3), statements  # SQLite leases in a second
    if not sqlite:
        assert not any(in_transaction)


def test_a_row_wanted_sooner_than_it_waits_for_is_queued_for_the_sooner_moment(
        runtime: Runtime) -> None:
    """A delegate opens their App Home while its refresh waits out the settle: the open
    asks for it now, and the courier takes it now, once."""
    now = runtime.clock()
    runtime._recorded({outbox.Due(now + outbox.HOME_SETTLE, 7, home=True)})
    assert runtime._take_due() == []
    runtime._recorded({outbox.Due(now, 7, home=True)})
    assert runtime._take_due() == [(outbox.Due(now, 7, home=True), 0)]
    # It waits again for the later moment noted before, and then goes out once, though
    # the heap still holds the entry that the sooner one replaced.
    assert runtime._queued == {7: [now + outbox.HOME_SETTLE, now + outbox.HOME_SETTLE]}
    runtime._dues = [(0.0, due, tries) for _, due, tries in runtime._dues]  # time passes
    assert runtime._take_due() == [(outbox.Due(now + outbox.HOME_SETTLE, 7, home=True), 0)]
    assert runtime._dues == [] and runtime._queued == {}


def test_a_closed_runtime_sends_nothing_more(council: Runtime) -> None:
    """A worker shutting down (or a test ending) stops its delivery thread; what it had
    recorded stays in the outbox for the clock process."""
    council.deliver_soon(RecordingPort())  # the seating recorded rows: the thread starts
    courier = council._courier
    council.close()
    assert courier is not None and not courier.is_alive()
    port = RecordingPort()
    assert run(council, CHAIR, "propose 30d That the Council take note.").startswith("Opened")
    council.deliver_soon(port)
    assert council._courier is courier and port.calls == []
    assert _statuses(council)["poll:1"] == "pending"
    assert council.deliver(port).sent >= 1  # the clock process's sweep still sends it
