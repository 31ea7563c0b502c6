"""Several replicas on one PostgreSQL: two ``serve``, two ``clock``, ticks racing each other.

Real processes, as a deployment runs them: two ``nrc-bot serve`` (gunicorn, two
workers each) behind a load balancer played by the test, two ``nrc-bot clock``,
and for each reminder moment two ``nrc-bot tick --at`` at once. A burst of
signed Slack requests (commands, button clicks and modal submissions, with
double clicks, retries and repeated commands) opens six polls and has every
delegation concur on each; in the middle a ``serve`` and a ``clock`` are
SIGKILLed and restarted. Then meetings are scheduled and their reminders run
by the ticks.

Promised (PRODUCT.md section 8): no position lost or doubled, one joint decision
per poll, every message the council must see posted exactly once, every due
reminder posted exactly once, and no HTTP 5xx.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot import cadence
from bot.runtime import SOMETHING_WENT_WRONG, TRY_AGAIN
from handlers.submissions import CONCUR_VIEW, STATEMENT
from storage.models import Body, JointDecision, Meeting, Outbox, Position, Proposal
from tests.conftest import _truncate
from tests.council import ADMIN, CHAIR, CHANNEL, CODES, Clock, delegate, make_runtime, seat_council
from tests.fakeslack import FakeSlack
from tests.processes import BotProcess, bot_env, free_port, stop_all, wait_healthy
from tests.slackreq import block_actions, post, sign, slash_command, view_submission

pytestmark = [pytest.mark.postgres, pytest.mark.multiprocess]

SECRET = "replicas-signing-secret"
HOLD = 2.0  # seconds the fake Slack holds each post and update while a kill is prepared
POLLS = 6
STATEMENT_TEXT = "We read paragraph 2 as applying to exercises only."
# (body, days and hours ahead of now): the ministerial bodies remind 7 d, 24 h and
# 1 h before, the others 24 h and 1 h before; every moment lies after scheduling.
MEETINGS = (("council-fm", 9, 2), ("council-dm", 10, 5), ("council-amb", 3, 1),
            ("prepcom", 4, 3))


# ---------------------------------------------------------------------------- the balancer


@dataclass
class Balancer:
    """Spreads signed requests over the servers; one that cannot answer gets the next."""

    urls: list[str]
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0  # logical requests (a re-send is the same request)
    attempts: int = 0  # HTTP attempts, re-sends included
    resent: int = 0  # attempts that found a server dead or dying, re-sent to the other
    statuses: Counter[int] = field(default_factory=Counter)
    served: Counter[str] = field(default_factory=Counter)
    bodies: list[tuple[str, int, bytes]] = field(default_factory=list)

    def send(self, body: bytes, prefer: int, headers: dict[str, str] | None = None,
             what: str = "") -> tuple[int, bytes]:
        with self.lock:
            self.requests += 1
        deadline = time.monotonic() + 90
        i = prefer
        while True:
            url = self.urls[i % len(self.urls)]
            signed = sign(body, SECRET)
            signed.update(headers or {})
            with self.lock:
                self.attempts += 1
            try:
                status, _, raw = post(url + "/slack/events", body, signed, timeout=20)
            except OSError:  # refused, reset, cut short or timed out: the other one takes it
                with self.lock:
                    self.resent += 1
                if time.monotonic() > deadline:
                    raise
                i += 1
                time.sleep(0.05)
                continue
            with self.lock:
                self.statuses[status] += 1
                self.served[url] += 1
                self.bodies.append((what, status, raw))
            return status, raw

    def command(self, text: str, user: str, prefer: int) -> tuple[int, str]:
        body = slash_command(text, user_id=user, channel_id=CHANNEL)
        status, raw = self.send(body, prefer, what=f"/nrc {text} by {user}")
        reply = json.loads(raw).get("text", "") if raw.startswith(b"{") else raw.decode()
        return status, str(reply)


# ---------------------------------------------------------------------------- helpers


def _posted_keys(fake: FakeSlack) -> tuple[Counter[str], int]:
    """Successful posts by outbox key, and how many posts carried no key at all."""
    keys: Counter[str] = Counter()
    keyless = 0
    for call in fake.calls_to("chat.postMessage"):
        if call.failed:
            continue
        metadata = call.params.get("metadata") or {}
        key = (metadata.get("event_payload") or {}).get("key")
        if key:
            keys[str(key)] += 1
        else:
            keyless += 1
    return keys, keyless


def _unsettled(engine: Engine, after: int) -> list[Outbox]:
    with Session(engine) as s:
        return list(s.exec(select(Outbox).where(
            col(Outbox.id) > after, col(Outbox.status).in_(("pending", "sending")))))


def _wait_until(what: str, check: Callable[[], object], timeout: float,
                explain: Callable[[], str] = lambda: "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n"
                                 f"{explain()}")
        time.sleep(0.25)


def _view_opened(fake: FakeSlack, trigger: str, timeout: float) -> dict[str, Any] | None:
    """The modal the bot opened for this click, if it opened one within ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for call in fake.calls_to("views.open"):
            if call.params.get("trigger_id") == trigger and not call.failed:
                return dict(call.params["view"])
        time.sleep(0.05)
    return None


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M+00:00")


# ---------------------------------------------------------------------------- the test


def test_two_servers_and_two_clocks_post_everything_once(
    postgres_url: str, postgres_engine: Engine, fake_slack: FakeSlack, tmp_path: Path,
) -> None:
    started = time.monotonic()
    fake = fake_slack
    engine = postgres_engine
    _truncate(engine)
    seat_council(make_runtime(engine, Clock(datetime.now(UTC))))
    with Session(engine) as s:
        seated = int(s.exec(select(func.max(Outbox.id))).one() or 0)

    env = bot_env(DATABASE_URL=postgres_url, SLACK_BOT_TOKEN="xoxb-replicas",
                  SLACK_SIGNING_SECRET=SECRET, SLACK_API_URL=fake.api_url,
                  NRC_ADMIN_USERS=ADMIN, NRC_TICK_SECONDS="1", NRC_DELIVER_SECONDS="1",
                  NRC_LOG_LEVEL="warning")
    ports = [free_port(), free_port()]
    urls = [f"http://127.0.0.1:{p}" for p in ports]
    servers = [BotProcess(f"serve{i + 1}", ["serve", "--no-scheduler", "--workers", "2",
                                            "--host", "127.0.0.1", "--port", str(port)],
                          env, tmp_path, tmp_path) for i, port in enumerate(ports)]
    clocks = [BotProcess(f"clock{i + 1}", ["clock"], env, tmp_path, tmp_path) for i in range(2)]
    everyone = [*servers, *clocks]
    lb = Balancer(urls)
    figures: dict[str, object] = {}
    tick_runs: list[BotProcess] = []

    def logs() -> str:
        return "\n".join(p.tail() for p in [*everyone, *tick_runs[-2:]])

    try:
        for process in everyone:
            process.start()
        for url, server in zip(urls, servers, strict=True):
            wait_healthy(url, server)
        figures["start-up (s)"] = round(time.monotonic() - started, 1)

        # -- 1. six polls, opened by six delegations over both servers -----------------
        proposals: list[int] = []
        for i, code in enumerate(CODES[:POLLS]):
            status, reply = lb.command(f"propose 48h Joint statement {i + 1} on search and rescue",
                                       delegate(code), prefer=i)
            assert status == 200, reply
            match = re.match(r"Opened \*P(\d+)\*", reply)
            assert match, reply
            proposals.append(int(match.group(1)))
        assert sorted(proposals) == list(range(1, POLLS + 1))

        def poll_ts() -> dict[int, str]:
            with Session(engine) as s:
                rows = s.exec(select(Outbox).where(
                    col(Outbox.key).in_([f"poll:{p}" for p in proposals])))
                return {int(r.key.split(":")[1]): r.ts for r in rows if r.ts}

        _wait_until("the polls to be posted", lambda: len(poll_ts()) == POLLS, 30, logs)
        message_ts = poll_ts()

        # -- 2. the burst: every delegation concurs on every poll ----------------------
        on_purpose = Counter[str]()
        replies: list[str] = []
        reclicks = 0

        def by_command(pid: int, code: str, prefer: int, statement: str) -> None:
            text = f"concur P{pid}" + (f" {statement}" if statement else "")
            status, reply = lb.command(text, delegate(code), prefer)
            assert status == 200, (status, reply)
            with lb.lock:
                replies.append(reply)

        def by_button(pid: int, code: str, prefer: int, clicks: int, retry: bool,
                      statement: str) -> None:
            nonlocal reclicks
            user = delegate(code)
            views: list[dict[str, Any]] = []
            n = 0
            while len(views) < clicks:
                n += 1
                trigger = f"trig-P{pid}-{code}-{n}"
                body = block_actions("poll_concur", str(pid), user_id=user, channel_id=CHANNEL,
                                     message_ts=message_ts[pid], trigger_id=trigger)
                status, _ = lb.send(body, prefer + n, what=f"click P{pid} by {user}")
                assert status == 200
                view = _view_opened(fake, trigger, timeout=10)
                if view is None:  # the server died between its ack and views.open
                    with lb.lock:
                        reclicks += 1
                    continue
                views.append(view)
            for k, view in enumerate(views):
                body = view_submission(CONCUR_VIEW, {STATEMENT: {STATEMENT: statement}},
                                       user_id=user, private_metadata=view["private_metadata"],
                                       view_id=f"V-P{pid}-{code}-{k}")
                sends = [{}, {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}]
                for j, headers in enumerate(sends if retry else sends[:1]):
                    status, raw = lb.send(body, prefer + k + j, headers,
                                          what=f"submit P{pid} by {user}")
                    assert status == 200, raw
                    answer = json.loads(raw) if raw.strip() else {}
                    with lb.lock:
                        replies.append(json.dumps(answer))

        tasks: list[Callable[[], None]] = []
        for pi, pid in enumerate(proposals):
            for ci, code in enumerate(CODES):
                prefer = pi * 20 + ci
                statement = STATEMENT_TEXT if ci % 5 == 1 else ""
                if (pi + ci) % 3 == 0:
                    clicks = 2 if ci % 4 == 2 else 1  # a double click opens two modals
                    retry = ci % 4 == 0  # Slack sends the same submission again
                    on_purpose["double clicks"] += clicks - 1
                    on_purpose["submissions sent twice"] += int(retry)
                    tasks.append(lambda a=(pid, code, prefer, clicks, retry, statement):
                                 by_button(*a))
                else:
                    tasks.append(lambda a=(pid, code, prefer, statement): by_command(*a))
                    if prefer % 5 == 0:  # the same member concurs twice
                        on_purpose["commands sent twice"] += 1
                        tasks.append(lambda a=(pid, code, prefer + 1, statement):
                                     by_command(*a))
        random.Random(20020528).shuffle(tasks)
        done = Counter[str]()

        def run(task: Callable[[], None]) -> None:
            task()
            with lb.lock:
                done["tasks"] += 1

        # To kill a process in the middle of delivering, Slack is made slow for a
        # moment (each post and update held HOLD seconds) and the process is killed
        # while it has a request open to Slack: Slack completes it, the process never
        # learns, and its claimed rows stay leased to a dead process.
        hold = threading.Event()

        def held(builtin: Callable[[FakeSlack, dict[str, Any]], dict[str, Any]]
                 ) -> Callable[[dict[str, Any]], dict[str, Any]]:
            def answer(params: dict[str, Any]) -> dict[str, Any]:
                if hold.is_set():
                    time.sleep(HOLD)
                return builtin(fake, params)
            return answer

        fake.respond_with("chat.postMessage", held(FakeSlack._post_message))
        fake.respond_with("chat.update", held(FakeSlack._update))

        def kill_mid_send(process: BotProcess, timeout: float) -> bool:
            hold.set()
            landed = False
            try:
                deadline = time.monotonic() + timeout
                while not landed and time.monotonic() < deadline:
                    if process.talking_to(fake.port):
                        time.sleep(0.3)  # a request that lasts: one Slack is holding
                        landed = process.talking_to(fake.port)
                    time.sleep(0.02)
                process.kill()
            finally:
                hold.clear()
            return landed

        def leased() -> set[tuple[int, datetime | None]]:
            with Session(engine) as s:
                return {(o.id or 0, o.claimed_until) for o in s.exec(select(Outbox).where(
                    col(Outbox.claimed_until) > datetime.now(UTC)))}

        burst_started = time.monotonic()
        killed: dict[str, bool] = {}
        with ThreadPoolExecutor(max_workers=8) as pool:
            futures = [pool.submit(run, t) for t in tasks]
            _wait_until("a third of the burst", lambda: done["tasks"] >= len(tasks) // 3, 120,
                        logs)
            killed["serve"] = kill_mid_send(servers[0], timeout=20)
            servers[0].start()  # on the same port; until it is up the other one takes all
            time.sleep(3)  # the live processes finish what Slack held for them
            first = leased()
            time.sleep(2)
            orphaned = first & leased()  # leases no live process renews or settles
            _wait_until("half of the burst", lambda: done["tasks"] >= len(tasks) // 2, 120,
                        logs)
            killed["clock"] = kill_mid_send(clocks[0], timeout=5)
            clocks[0].start()
            wait_healthy(urls[0], servers[0])
            for future in futures:
                future.result(timeout=180)
        figures["burst (s)"] = round(time.monotonic() - burst_started, 1)
        served_after_restart = Counter(lb.served)

        # Everything the burst caused is delivered, including what the killed
        # processes had claimed (taken over once their lease runs out).
        _wait_until("the outbox to drain after the burst",
                    lambda: not _unsettled(engine, seated), 150,
                    lambda: f"{[(o.key, o.status) for o in _unsettled(engine, seated)]}\n{logs()}")
        figures["burst drained (s)"] = round(time.monotonic() - burst_started, 1)

        with Session(engine) as s:
            for pid in proposals:
                proposal = s.get(Proposal, pid)
                assert proposal is not None and proposal.status == "adopted", pid
                decisions = s.exec(select(JointDecision).where(
                    JointDecision.proposal_id == pid)).all()
                assert len(decisions) == 1, (pid, decisions)
                positions = s.exec(select(Position).where(Position.proposal_id == pid)).all()
                assert len(positions) == 20, (pid, len(positions))
                assert {p.stance for p in positions} == {"concur"}
                assert len({p.member_id for p in positions}) == 20
        for pid, ts in message_ts.items():  # what Slack shows: the final state of each poll
            shown = fake.message(CHANNEL, ts)
            assert shown is not None and f"Proposal P{pid}: adopted" in json.dumps(shown), shown

        # -- 3. meetings, then two ticks at once for each moment across their reminders -
        now = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
        for i, (body_key, days, hours) in enumerate(MEETINGS):
            when = _iso(now + timedelta(days=days, hours=hours))
            status, reply = lb.command(f"schedule {body_key} {when}", CHAIR, prefer=i)
            assert status == 200 and reply.startswith("Scheduled M"), reply
        _wait_until("the announcements", lambda: not _unsettled(engine, seated), 60, logs)
        # the restarted server serves like the other (M1 and M3 went to it first)
        assert lb.served[urls[0]] > served_after_restart[urls[0]]

        due: dict[str, datetime] = {}
        with Session(engine) as s:
            for meeting, body in s.exec(select(Meeting, Body).join(
                    Body, Body.id == Meeting.body_id)):  # type: ignore[arg-type]
                for seconds, moment in cadence.reminder_moments(
                        meeting.starts_at, body.reminders, meeting.created_at):
                    due[f"meeting:{meeting.id}:remind:{seconds}"] = moment
        assert len(due) == 10, due
        moments = sorted({m for m in due.values()})
        ticks = sorted({m - timedelta(minutes=1) for m in moments[::2]}
                       | {m + timedelta(minutes=1) for m in moments})
        recorded_by_ticks = 0
        ticks_started = time.monotonic()
        for at in ticks:
            pair = [BotProcess(f"tick-{_iso(at)}-{k}", ["tick", "--at", _iso(at)], env,
                               tmp_path, tmp_path) for k in range(2)]
            tick_runs.extend(pair)
            for process in pair:
                process.start()
            for process in pair:
                assert process.proc is not None
                assert process.proc.wait(timeout=60) == 0, process.tail()
                process.stop()
            recorded_by_ticks += sum(
                int(m.group(1)) for p in pair
                for m in re.finditer(r"(\d+) meeting reminders?\b", p.output()))
            posted, _ = _posted_keys(fake)
            expected = {k for k, m in due.items() if m <= at}
            got = {k for k in posted if k.startswith("meeting:") and ":remind:" in k}
            assert got == expected, (at, sorted(got ^ expected))
        figures["ticks (s)"] = round(time.monotonic() - ticks_started, 1)
        # Two processes ran each pass: each reminder was recorded by exactly one of them.
        assert recorded_by_ticks == len(due)

        # -- 4. what Slack received -------------------------------------------------------
        _wait_until("the outbox to drain", lambda: not _unsettled(engine, seated), 30, logs)
        posted, keyless = _posted_keys(fake)
        with Session(engine) as s:
            rows = list(s.exec(select(Outbox).where(col(Outbox.id) > seated)))
        statuses = Counter(r.status for r in rows)
        assert set(statuses) <= {"sent", "skipped"}, statuses
        to_post = {r.key for r in rows if r.kind in ("post", "dm") and r.status == "sent"}
        skipped = {r.key for r in rows if r.status == "skipped"}
        duplicates = {k: n for k, n in posted.items() if n > 1}
        lost = to_post - set(posted)
        assert duplicates == {}, duplicates
        assert lost == set(), lost
        assert set(posted) == to_post and not skipped & set(posted)
        assert keyless == 0
        for key in due:
            assert posted[key] == 1, key
        assert {f"decision:{d}" for d in range(1, POLLS + 1)} <= to_post
        assert all(r.status == "sent" for r in rows if r.key in due)

        # -- 5. no request failed ---------------------------------------------------------
        assert set(lb.statuses) == {200}, lb.statuses
        bad = [(what, raw[:200]) for what, _, raw in lb.bodies
               if SOMETHING_WENT_WRONG.encode() in raw or TRY_AGAIN.encode() in raw]
        assert bad == []
        with Session(engine) as s:
            positions_total = len(s.exec(select(Position)).all())
        kinds: Counter[str] = Counter()
        for reply in replies:
            if "already concurs" in reply:
                kinds["nothing changed"] += 1
            elif "is closed" in reply:
                kinds["refused: poll already adopted"] += 1
            elif "Recorded" in reply:
                kinds["recorded"] += 1
            elif reply == "{}":  # a modal closed: recorded, or nothing changed (the ephemeral says)
                kinds["modal accepted"] += 1
            else:
                kinds["other"] += 1

        figures.update({
            "requests sent": lb.requests,
            "HTTP attempts": lb.attempts,
            "re-sent after a server died": lb.resent,
            "duplicates sent on purpose": sum(on_purpose.values()),
            "duplicates by kind": dict(on_purpose),
            "re-clicks (modal lost with its server)": reclicks,
            "replies": dict(kinds),
            "processes killed": len(killed),
            "killed while a Slack request of theirs was open": killed,
            "rows left leased to the killed serve (taken over after the lease)":
                len(orphaned),
            "tick processes": len(tick_runs),
            "tick moments": len(ticks),
            "Slack posts": sum(posted.values()),
            "duplicate posts found": sum(n - 1 for n in posted.values()),
            "messages lost": len(lost),
            "positions recorded": positions_total,
            "positions lost": POLLS * 20 - positions_total,
            "meeting reminders posted once": sum(1 for k in due if posted[k] == 1),
            "crash look-ups (conversations.history/replies)":
                len(fake.calls_to("conversations.history"))
                + len(fake.calls_to("conversations.replies")),
            "HTTP status": {str(k): v for k, v in lb.statuses.items()},
            "total (s)": round(time.monotonic() - started, 1),
        })
        print("\nreplicas figures: " + json.dumps(figures, indent=2))
        assert kinds["other"] == 0, replies
        assert positions_total == POLLS * 20
        assert killed["serve"], "the serve process was not killed in the middle of a send"
    finally:
        stop_all([*everyone, *tick_runs])
