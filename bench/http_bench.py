"""The HTTP part: the bot and the bare Bolt baseline under the same load.

Each server is a gunicorn process tree started as production starts it. The fake
Slack Web API runs in this process; the load comes from another process
(:func:`bench.load.drive` in a spawned worker). Setup (seating the council,
opening polls, posting their messages) goes through :class:`bot.runtime.Runtime`
on the same database, before each phase, so that a phase measures only its load.

The kinds of request, and the bodies of a phase, are in :mod:`bench.jobs`; how their
effects are found on the fake Slack, in :mod:`bench.effects`. A click that opens a
form (*Concur with statement…*, *Propose amendment…*) is followed by a phase that
submits the forms it opened; the one-click *Concur* records the position at once.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

from slack_sdk import WebClient
from sqlalchemy import func
from sqlmodel import Session, col, select

from bench.cpu import CpuMeter
from bench.effects import EFFECT_WAIT, modals_opened, update_times
from bench.jobs import (
    BUTTONS,
    CLOSES_POLL,
    FORMS,
    ORDER,
    Job,
    PollRef,
    jobs_for,
    on_polls,
    polls_for,
    submit_jobs,
)
from bench.load import SLACK_DEADLINE, Sample, drive
from bench.report import Phase, ServerRun, Spread
from bench.servers import Server
from tests import fakeslack
from tests.council import ADMIN, CHAIR, CHANNEL, seat_council
from tests.fakeslack import FakeSlack

SECRET = "bench-signing-secret"
TOKEN = "xoxb-bench"

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


def buttons_available() -> list[str]:
    """The poll buttons the bot has (issue 13 added the one-click Concur and the
    amendment), as kinds of request: the others are not measured."""
    from bot import polls

    have = {getattr(polls, name, None) for name in
            ("CONCUR_NOW_ACTION", "CONCUR_ACTION", "AMENDMENT_ACTION")}
    return [request for request, action in BUTTONS.items() if action in have]


def requests_for(polls: bool) -> list[str]:
    """What is measured, in order (a click that opens a form brings its submission along)."""
    if not polls:
        return ["members"]
    buttons = buttons_available()
    return [r for r in ("members", "polls", "concur", "concur-now", "click", "amend-click")
            if r not in BUTTONS or r in buttons]


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
                    proposal = session.get(Proposal, pid)
                    if row is not None and row.ts and row.posted_channel and proposal:
                        refs.append(PollRef(pid, row.posted_channel, row.ts,
                                            proposal.version))
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

    def open_count(self) -> int:
        """The polls open now (what ``polls`` lists)."""
        from storage.models import Proposal
        from storage.statuses import ProposalStatus

        with Session(self.runtime.engine) as session:
            return int(session.exec(select(func.count()).select_from(Proposal)
                                    .where(col(Proposal.status) == ProposalStatus.OPEN)).one())

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
        """One kind of request at one concurrency (a click that opens a form brings the
        phase submitting the forms along)."""
        began = time.monotonic()
        polls: list[PollRef] = []
        if on_polls(request):
            polls = self.polls(polls_for(request, count, concurrency),
                               f"{request}-c{concurrency}")
        self.settle()
        setup = time.monotonic() - began
        jobs = jobs_for(request, count, polls, self.fake)
        before = self.reading()
        samples, wall = self.send(jobs, concurrency)
        phase = _phase(self.target, request, concurrency, samples, wall, len(jobs))
        phase.setup_seconds = setup
        phases = [phase]
        modals = modals_opened(self.fake, jobs, samples) if request in FORMS else {}
        if modals:
            phase.effect = "views.open"
            phase.effect_spread = Spread.of([modals[s.index].at - s.sent_at
                                             for s in samples if s.index in modals])
            phase.effect_missing = sum(1 for s in samples if s.ok) - len(modals)
            self.metered(phase, before)
            submitting = FORMS[request]
            submits = submit_jobs(submitting, jobs, modals)
            before = self.reading()
            sub_samples, sub_wall = self.send(submits, concurrency)
            submit = _phase(self.target, submitting, concurrency, sub_samples, sub_wall,
                            len(submits))
            submit.setup_seconds = 0.0
            self._updates(submit, submits, sub_samples, by_name=request not in CLOSES_POLL)
            self.check_positions(submit, polls)
            self.metered(submit, before)
            phases.append(submit)
        elif request in BUTTONS or (request == "concur" and self.council is not None):
            self._updates(phase, jobs, samples, by_name=request not in CLOSES_POLL)
            self.check_positions(phase, polls)
            self.metered(phase, before)
        else:
            if request == "polls" and self.council is not None:
                phase.note = f"{self.council.open_count()} polls open"
            self.metered(phase, before)
        for p in phases:
            p.total_seconds = time.monotonic() - began
        return phases

    def _updates(self, phase: Phase, jobs: list[Job], samples: list[Sample],
                 by_name: bool = True) -> None:
        latencies, missing = update_times(self.fake, jobs, samples, by_name)
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
    run.phases.sort(key=lambda p: (ORDER.index(p.request), p.concurrency))
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
