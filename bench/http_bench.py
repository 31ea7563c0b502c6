"""The HTTP part: the bot and the bare Bolt baseline under the same load.

Each server is a gunicorn process tree started as production starts it. The fake
Slack Web API runs in this process; the load comes from another process
(:func:`bench.load.drive` in a spawned worker). Setup (seating the council,
opening polls, posting their messages) goes through :class:`bot.runtime.Runtime`
on the same database, before each phase, so that a phase measures only its load.

A click on *Concur* may record the position at once (then its effect is the poll
message's ``chat.update``) or open a modal (its effect is ``views.open``; the
modal's submission then records the position and updates the message). The
harness looks at what reached the fake Slack and follows either flow: after a
click phase that opened modals comes a ``submit`` phase submitting them.
"""

from __future__ import annotations

import json
import math
import os
import re
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_sdk import WebClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from bench.cpu import CpuMeter
from bench.load import SLACK_DEADLINE, Sample, drive
from bench.report import Phase, ServerRun, Spread
from bench.servers import Server
from tests import fakeslack
from tests.council import ADMIN, CHAIR, CHANNEL, CHARTER, CODES, delegate, seat_council
from tests.fakeslack import Call, FakeSlack
from tests.slackreq import block_actions, slash_command, view_submission

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"
#: Members as the poll message names them, by code.
MEMBER_NAMES = {m.alpha2: m.name for m in CHARTER.members}
#: A poll never gets more positions than this, so none is adopted (all 20 concur) mid-run.
PER_POLL = 19
#: How long to wait, after a phase, for the Slack-side effects to reach the fake Slack;
#: and how long to wait for a first one before concluding there are none.
EFFECT_WAIT = 20.0
EFFECT_IDLE = 3.0
REQUEST_ORDER = ("members", "polls", "concur", "click", "submit")

Log = Callable[[str], None]


def start_fake_slack() -> FakeSlack:
    """The fake Slack Web API, able to take a burst of connections.

    Its server keeps socketserver's default listen backlog of 5: under 50 concurrent
    clients Linux then drops connection attempts, and each costs the client a 1 s SYN
    retransmission, which Slack itself never charges. The harness raises the backlog
    of the fake's server class, in this process only.
    """
    fakeslack._Server.request_queue_size = 512
    return FakeSlack().start()


def polls_available() -> bool:
    """Whether the consensus polls are built: ``polls`` is a registered command."""
    import bot.runtime  # noqa: F401  (imports the feature modules, which register commands)
    from bot.registry import REGISTRY

    return all(name in REGISTRY for name in ("polls", "propose", "concur"))


def requests_for(polls: bool) -> list[str]:
    return ["members", "polls", "concur", "click"] if polls else ["members"]


def polls_for(count: int, concurrency: int) -> int:
    """Enough polls that no member is asked twice, and no poll twice within 2× concurrency."""
    return max(1, min(count, max(math.ceil(count / PER_POLL), 2 * concurrency)))


def assignment(k: int, polls: int) -> tuple[int, str]:
    """Request k goes to poll ``k % polls``, from a member not yet heard on it."""
    poll, nth = k % polls, k // polls
    return poll, CODES[(nth + poll) % len(CODES)]


@dataclass(frozen=True)
class PollRef:
    id: int
    channel: str
    ts: str


def server_env(api_url: str, database_url: str | None) -> dict[str, str]:
    """The environment of a ``web`` process: the machine's, with the bot's settings."""
    keep = ("NRC_THREADS", "NRC_LOG_LEVEL")
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SLACK_", "NRC_", "DATABASE_URL")) or k in keep}
    env.update({"SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": api_url, "NRC_ADMIN_USERS": ADMIN,
                "PYTHONUNBUFFERED": "1"})
    if database_url is not None:
        env["DATABASE_URL"] = database_url
    return env


def make_server(name: str, app: str, api_url: str, database_url: str | None,
                workdir: Path) -> Server:
    return Server(name=name, app=app, env=server_env(api_url, database_url),
                  log_path=workdir / f"{name}.log")


# -- the council side (setup through the runtime) ------------------------------


class Council:
    """The bot's database as the harness prepares it, through the core."""

    def __init__(self, database_url: str, fake: FakeSlack) -> None:
        from bot.runtime import Runtime
        from bot.settings import Settings
        from bot.transports.bolt_app import slack_client
        from handlers.slackport import SlackPort

        settings = Settings(bot_token=TOKEN, signing_secret=SECRET, api_url=fake.api_url,
                            database_url=database_url, admin_users=frozenset({ADMIN}))
        self.runtime = Runtime(settings).prepare()
        self.port = SlackPort(slack_client(settings))
        self.serial = 0

    def seat(self) -> None:
        seat_council(self.runtime)

    def close(self) -> None:
        self.runtime.engine.dispose()

    def open_polls(self, count: int, tag: str) -> list[PollRef]:
        """``propose`` by the Chair, ``count`` times; post the messages; return them."""
        from storage.models import Outbox, Proposal

        ids: list[int] = []
        for _ in range(count):
            self.serial += 1
            with Session(self.runtime.engine) as session:
                before = session.exec(select(func.max(Proposal.id))).one() or 0
            reply = self.runtime.run_command(
                CHAIR, CHANNEL, f"propose 30d Bench {tag} proposal {self.serial}: that the "
                "Council take note of the benchmark.").text
            with Session(self.runtime.engine) as session:
                after = session.exec(select(func.max(Proposal.id))).one() or 0
            if after <= before:
                raise RuntimeError(f"`propose` opened no poll: {reply[:300]}")
            ids.append(int(after))
        deadline = time.monotonic() + EFFECT_WAIT
        while True:
            # The server's own delivery thread may have claimed a row first: wait for it.
            self.settle()
            refs: list[PollRef] = []
            with Session(self.runtime.engine) as session:
                for pid in ids:
                    row = session.exec(select(Outbox).where(Outbox.key == f"poll:{pid}")).first()
                    if row is not None and row.ts and row.posted_channel:
                        refs.append(PollRef(pid, row.posted_channel, row.ts))
                    elif time.monotonic() > deadline:
                        raise RuntimeError(f"the message of poll P{pid} was not posted "
                                           f"(outbox: {row.status if row else 'no row'})")
            if len(refs) == len(ids):
                return refs
            time.sleep(0.1)

    def quiet(self, timeout: float = EFFECT_WAIT) -> None:
        """Until the outbox holds nothing due soon: every App Home the load asked for
        (they settle for ``outbox.HOME_SETTLE``) is built and published."""
        from bot.outbox import HOME_SETTLE
        from bot.times import utcnow
        from storage.models import Outbox

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with Session(self.runtime.engine) as session:
                waiting = session.exec(
                    select(func.count()).select_from(Outbox)
                    .where(col(Outbox.status).in_(("pending", "sending")),
                           col(Outbox.next_attempt_at) <= utcnow() + HOME_SETTLE)).one()
            if not waiting:
                return
            time.sleep(0.1)

    def positions_on(self, polls: list[PollRef]) -> int:
        from storage.models import Position

        with Session(self.runtime.engine) as session:
            return int(session.exec(
                select(func.count()).select_from(Position)
                .where(col(Position.proposal_id).in_([p.id for p in polls]))
            ).one())

    def settle(self) -> None:
        """Deliver what setup left in the outbox, so that no phase pays for it."""
        self.runtime.deliver(self.port)


def baseline_polls(fake: FakeSlack, count: int, tag: str) -> list[PollRef]:
    """Messages for the baseline's buttons (it has no polls of its own)."""
    client = WebClient(token=TOKEN, base_url=fake.api_url)
    refs = []
    for i in range(count):
        answer = client.chat_postMessage(channel=CHANNEL, text=f"Baseline {tag} message {i + 1}")
        refs.append(PollRef(i + 1, str(answer["channel"]), str(answer["ts"])))
    return refs


# -- requests -----------------------------------------------------------------


@dataclass
class Job:
    """One request to send, and what the harness needs to find its effects."""

    body: bytes
    user: str
    poll: PollRef | None = None
    trigger: str = ""
    member: str = ""  # whose position the request takes, as the poll message names it


def jobs_for(request: str, count: int, polls: list[PollRef], fake: FakeSlack) -> list[Job]:
    response_url = fake.response_url()  # never Slack's: every byte stays on 127.0.0.1
    run = uuid.uuid4().hex[:8]
    jobs = []
    for k in range(count):
        if request in ("members", "polls"):
            user = delegate(CODES[k % len(CODES)])
            jobs.append(Job(slash_command(request, user_id=user, channel_id=CHANNEL,
                                          response_url=response_url), user))
            continue
        index, code = assignment(k, len(polls))
        poll, user = polls[index], delegate(code)
        trigger = f"bench.{run}.{k}"
        if request == "concur":
            body = slash_command(f"concur P{poll.id}", user_id=user, channel_id=CHANNEL,
                                 response_url=response_url, trigger_id=trigger)
        else:
            body = block_actions("poll_concur", str(poll.id), user_id=user,
                                 channel_id=poll.channel, message_ts=poll.ts,
                                 response_url=response_url, trigger_id=trigger)
        jobs.append(Job(body, user, poll, trigger, MEMBER_NAMES[code]))
    return jobs


def _view_of(call: Call) -> dict[str, Any]:
    view = call.params.get("view")
    if isinstance(view, str):
        view = json.loads(view)
    return view if isinstance(view, dict) else {}


def submit_jobs(clicks: list[Job], modals: dict[int, Call], fake: FakeSlack) -> list[Job]:
    """Submit each modal a click opened, as its delegate would (optional inputs left empty)."""
    jobs = []
    for k, click in enumerate(clicks):
        call = modals.get(k)
        if call is None:
            continue
        view = _view_of(call)
        state: dict[str, Any] = {}
        for block in view.get("blocks") or []:
            element = block.get("element") or {}
            if block.get("type") == "input" and element.get("action_id"):
                state[block.get("block_id", "")] = {
                    element["action_id"]: {"type": element.get("type", "plain_text_input"),
                                           "value": None}}
        body = view_submission(str(view.get("callback_id", "")), state, user_id=click.user,
                               private_metadata=str(view.get("private_metadata", "")),
                               trigger_id=click.trigger + ".submit",
                               response_urls=[])
        jobs.append(Job(body, click.user, click.poll, click.trigger + ".submit", click.member))
    del fake
    return jobs


# -- effects on the fake Slack ------------------------------------------------


def _wait(progress: Callable[[], tuple[int, int]], timeout: float = EFFECT_WAIT) -> None:
    """Until every wanted effect is seen, or none came at all within EFFECT_IDLE, or timeout."""
    started = time.monotonic()
    while True:
        found, wanted = progress()
        elapsed = time.monotonic() - started
        if found >= wanted or elapsed >= timeout or (found == 0 and elapsed >= EFFECT_IDLE):
            return
        time.sleep(0.05)


def modals_opened(fake: FakeSlack, jobs: list[Job], samples: list[Sample]) -> dict[int, Call]:
    """The ``views.open`` each good click caused, found by its trigger_id."""
    good = {s.index for s in samples if s.ok}
    wanted = {jobs[i].trigger: i for i in good}

    def found() -> dict[int, Call]:
        calls: dict[int, Call] = {}
        for call in fake.calls_to("views.open"):
            index = wanted.get(str(call.params.get("trigger_id")))
            if index is not None and not call.failed:
                calls.setdefault(index, call)
        return calls

    _wait(lambda: (len(found()), len(good)))
    return found()


_CONCURRED = re.compile(r"\*Concurred \(\d+\):\* ([^\n]*)")


def concurred(call: Call) -> set[str] | None:
    """The members a poll message's ``chat.update`` shows as concurring, or None when the
    update shows no positions (the baseline's fixed text)."""
    blocks = call.params.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    for block in blocks if isinstance(blocks, list) else []:
        text = (block.get("text") or {}).get("text") if isinstance(block, dict) else None
        found = _CONCURRED.search(text) if isinstance(text, str) else None
        if found is not None:
            return {name.strip() for name in found.group(1).split(",")}
    return None


def update_times(fake: FakeSlack, jobs: list[Job], samples: list[Sample]
                 ) -> tuple[list[float], int]:
    """Seconds from each good request to the ``chat.update`` of its poll's message.

    The bot's poll message names the members who concurred: a request's effect is
    the first update, sent after it, that names its member, however many positions
    that update brought at once. An update that names none (the baseline's fixed
    text) is matched to the requests of its message in order instead."""
    good = [s for s in samples if s.ok and jobs[s.index].poll is not None]

    def key(s: Sample) -> tuple[str, str]:
        poll = jobs[s.index].poll
        assert poll is not None
        return poll.channel, poll.ts

    wanted = {key(s) for s in good}

    def updates() -> dict[tuple[str, str], list[tuple[float, set[str] | None]]]:
        seen: dict[tuple[str, str], list[tuple[float, set[str] | None]]] = {}
        for call in fake.calls_to("chat.update"):
            k = (str(call.params.get("channel")), str(call.params.get("ts")))
            if k in wanted and not call.failed:
                seen.setdefault(k, []).append((call.at, concurred(call)))
        for shown in seen.values():
            shown.sort(key=lambda u: u[0])
        return seen

    def effects() -> tuple[list[float], int]:
        seen = updates()
        latencies: list[float] = []
        missing = 0
        by_message: dict[tuple[str, str], list[Sample]] = {}
        for s in good:
            by_message.setdefault(key(s), []).append(s)
        for k, requests in by_message.items():
            shown = seen.get(k, [])
            used: set[int] = set()
            for request in sorted(requests, key=lambda s: s.sent_at):
                member = jobs[request.index].member
                after = [i for i, (at, names) in enumerate(shown) if at >= request.sent_at
                         and (names is None or member in names)]
                if not after:
                    missing += 1
                    continue
                if shown[after[0]][1] is None:  # no names to go by: one update each
                    free = [i for i in after if i not in used]
                    chosen = free[0] if free else after[0]
                    used.add(chosen)
                else:
                    chosen = after[0]
                latencies.append(shown[chosen][0] - request.sent_at)
        return latencies, missing

    _wait(lambda: (len(good) - effects()[1], len(good)))
    time.sleep(0.2)  # a last merged update
    return effects()


def _phase(target: str, request: str, concurrency: int, samples: list[Sample],
           wall: float, planned: int) -> Phase:
    bad = [s for s in samples if not s.ok]
    notes = []
    if len(samples) < planned:
        notes.append(f"stopped by the time budget after {len(samples)} of {planned} requests")
    if bad:
        details = sorted({s.detail for s in bad})
        notes.append(f"{len(bad)} bad answers, e.g. {details[0][:200]}")
        if any("unhandled request" in d for d in details):
            notes.append("(Bolt answers 404 `unhandled request` when a listener has not "
                         "acknowledged within 3 s)")
    note = "; ".join(notes)
    return Phase(target=target, request=request, concurrency=concurrency, count=len(samples),
                 errors=len(bad), late=sum(1 for s in samples if s.seconds > SLACK_DEADLINE),
                 throughput=len(samples) / wall if wall > 0 else float("nan"),
                 ack=Spread.of([s.seconds for s in samples]), note=note)


# -- one server ---------------------------------------------------------------


@dataclass
class Bench:
    """What every phase of one server needs."""

    target: str
    url: str
    council: Council | None
    fake: FakeSlack
    loader: Executor
    log: Log
    budget: float | None = None  # seconds a phase may send for
    meter: CpuMeter | None = None

    def metered(self, phase: Phase, before: dict[int, tuple[str, float]]) -> None:
        """Charge the CPU spent since ``before`` to the phase's requests."""
        if self.meter is None or not phase.count:
            return
        if self.council is not None:
            self.council.quiet()
        spent = CpuMeter.spent(before, self.meter.read())
        phase.cpu = {group: seconds * 1000.0 / phase.count for group, seconds in spent.items()}

    def reading(self) -> dict[int, tuple[str, float]]:
        return self.meter.read() if self.meter is not None else {}

    def send(self, jobs: list[Job], concurrency: int) -> tuple[list[Sample], float]:
        bodies = [j.body for j in jobs]
        return self.loader.submit(drive, self.url, SECRET, bodies, concurrency, 30.0,
                                  self.budget).result()

    def polls(self, count: int, tag: str) -> list[PollRef]:
        if self.council is not None:
            return self.council.open_polls(count, tag)
        return baseline_polls(self.fake, count, tag)

    def settle(self) -> None:
        if self.council is not None:
            self.council.settle()

    def check_positions(self, phase: Phase, polls: list[PollRef]) -> None:
        if self.council is None:
            return
        recorded = self.council.positions_on(polls)
        good = phase.count - phase.errors
        if recorded != good:
            phase.note = (phase.note + "; " if phase.note else "") + (
                f"{recorded} positions recorded for {good} good answers")

    def run(self, request: str, count: int, concurrency: int) -> list[Phase]:
        """One kind of request at one concurrency (a click brings its submit phase along)."""
        began = time.monotonic()
        polls: list[PollRef] = []
        if request in ("concur", "click"):
            polls = self.polls(polls_for(count, concurrency), f"{request}-c{concurrency}")
        self.settle()
        setup = time.monotonic() - began
        jobs = jobs_for(request, count, polls, self.fake)
        before = self.reading()
        samples, wall = self.send(jobs, concurrency)
        phase = _phase(self.target, request, concurrency, samples, wall, len(jobs))
        phase.setup_seconds = setup
        phases = [phase]
        if request == "concur" and self.council is not None:
            self._updates(phase, jobs, samples)
            self.check_positions(phase, polls)
            self.metered(phase, before)
        elif request == "click":
            modals = modals_opened(self.fake, jobs, samples)
            if modals:
                phase.effect = "views.open"
                phase.effect_spread = Spread.of([modals[s.index].at - s.sent_at
                                                 for s in samples if s.index in modals])
                phase.effect_missing = sum(1 for s in samples if s.ok) - len(modals)
                self.metered(phase, before)
                submits = submit_jobs(jobs, modals, self.fake)
                before = self.reading()
                sub_samples, sub_wall = self.send(submits, concurrency)
                submit = _phase(self.target, "submit", concurrency, sub_samples, sub_wall,
                                len(submits))
                submit.setup_seconds = 0.0
                self._updates(submit, submits, sub_samples)
                self.check_positions(submit, polls)
                self.metered(submit, before)
                phases.append(submit)
            else:
                self._updates(phase, jobs, samples)
                self.check_positions(phase, polls)
                self.metered(phase, before)
        else:
            self.metered(phase, before)
        for p in phases:
            p.total_seconds = time.monotonic() - began
        return phases

    def _updates(self, phase: Phase, jobs: list[Job], samples: list[Sample]) -> None:
        latencies, missing = update_times(self.fake, jobs, samples)
        if latencies or missing:
            phase.effect = "chat.update"
            phase.effect_spread = Spread.of(latencies)
            phase.effect_missing = missing


def run_server(*, target: str, server: Server, council: Council | None, fake: FakeSlack,
               requests: list[str], count: int, concurrencies: list[int], loader: Executor,
               log: Log, budget: float | None, profile_dir: Path | None = None) -> ServerRun:
    """Start the server, warm it up, run every phase, read its peak RSS, stop it."""
    run = ServerRun(target)
    log(f"{target}: starting gunicorn on {server.url}")
    server.start()
    loader_pid = loader.submit(os.getpid).result()
    meter = CpuMeter(server=server.processes, load=lambda: [loader_pid], harness=os.getpid())
    bench = Bench(target, server.url + "/slack/events", council, fake, loader, log, budget,
                  meter)
    try:
        working = []
        for request in requests:  # warm-up: every worker imports, connects, asks auth.test
            try:
                bench.run(request, 8, 4)
                working.append(request)
            except Exception as exc:
                run.notes.append(f"`{request}` was skipped: its warm-up failed with "
                                 f"{type(exc).__name__}: {exc}")
                log(run.notes[-1])
        for request in working:
            for concurrency in concurrencies:
                try:
                    phases = bench.run(request, count, concurrency)
                except Exception as exc:
                    run.notes.append(f"`{request}` at {concurrency} failed: "
                                     f"{type(exc).__name__}: {exc}")
                    log(run.notes[-1])
                    continue
                for phase in phases:
                    _record(run, phase, log)
        run.peak_rss_kb = server.peak_rss_kb()
        if profile_dir is not None and council is not None and "concur" in working:
            from bench import profile

            run.profiled = f"`concur` at concurrency 10, {count} requests"
            log(f"{target}: profiling {run.profiled}")
            found = profile.record(server.workers(), profile_dir,
                                   lambda: bench.run("concur", count, 10))
            run.profile = found.lines()
    finally:
        server.stop()
    run.phases.sort(key=lambda p: (REQUEST_ORDER.index(p.request), p.concurrency))
    return run


def _record(run: ServerRun, phase: Phase, log: Log) -> None:
    if phase.note:
        run.notes.append(f"`{phase.request}` at {phase.concurrency}: {phase.note}")
    run.phases.append(phase)
    effect = (f", to {phase.effect} p99 {phase.effect_spread.p99:6.1f} ms"
              if phase.effect_spread else "")
    log(f"{run.target}: {phase.request:8} c={phase.concurrency:<3} "
        f"{phase.throughput:7.1f} req/s p50 {phase.ack.p50:6.1f} p99 {phase.ack.p99:6.1f} ms"
        f"{effect}" + (f", {phase.errors} errors" if phase.errors else "")
        + f" [setup {phase.setup_seconds:.1f} s, phase {phase.total_seconds:.1f} s]")
