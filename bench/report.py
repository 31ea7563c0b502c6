"""Figures, the machine's description, and ``docs/benchmarks.md``."""

from __future__ import annotations

import os
import platform
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata

#: The requests whose acknowledgement has a target (p99 <= 100 ms at concurrency 10).
ACKED = ("members", "polls", "concur", "concur-now", "click", "submit", "amend-click",
         "amend-submit")
#: The poll message's buttons: the control, its click, and the submission of the form it
#: opens (None: it records at once). Each has the click-to-updated-message target.
CLICKS: tuple[tuple[str, str, str | None], ...] = (
    ("*Concur* (one click)", "concur-now", None),
    ("*Concur with statement…*", "click", "submit"),
    ("*Propose amendment…*", "amend-click", "amend-submit"),
)

PACKAGES = ("slack-bolt", "slack-sdk", "gunicorn", "SQLAlchemy", "sqlmodel", "psycopg",
            "alembic", "APScheduler")


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100.0
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


@dataclass(frozen=True)
class Spread:
    """p50 / p95 / p99 in milliseconds."""

    p50: float
    p95: float
    p99: float

    @classmethod
    def of(cls, seconds: list[float]) -> Spread:
        ms = [s * 1000.0 for s in seconds]
        return cls(percentile(ms, 50), percentile(ms, 95), percentile(ms, 99))


@dataclass
class Phase:
    """One kind of request at one concurrency against one server."""

    target: str
    request: str
    concurrency: int
    count: int
    errors: int
    late: int  # acknowledged after Slack's 3 s
    throughput: float  # requests per second
    ack: Spread
    #: The first Slack-side effect of the request, timed from sending it: the poll
    #: message's ``chat.update`` (concur, submit) or the modal's ``views.open`` (click).
    effect: str = ""
    effect_spread: Spread | None = None
    effect_missing: int = 0  # good requests whose effect never reached the fake Slack
    note: str = ""
    setup_seconds: float = 0.0  # opening polls and delivering before the load
    total_seconds: float = 0.0  # the whole phase, setup and waiting for effects included
    #: CPU milliseconds per request, by process group (``bench.cpu.GROUPS``), from the
    #: first request sent until everything the requests caused was delivered.
    cpu: dict[str, float] = field(default_factory=dict)


@dataclass
class ServerRun:
    target: str  # "baseline", "bot (SQLite)", "bot (PostgreSQL)"
    phases: list[Phase] = field(default_factory=list)
    peak_rss_kb: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    #: ``--profile``: what py-spy saw in an extra phase (``bench.profile.Profile.lines``).
    profile: list[str] = field(default_factory=list)
    profiled: str = ""  # which phase

    def phase(self, request: str, concurrency: int) -> Phase | None:
        for p in self.phases:
            if p.request == request and p.concurrency == concurrency:
                return p
        return None


@dataclass
class TickRun:
    backend: str
    councils: int
    rows: int  # rows in the database when the pass ran
    first_seconds: float
    first_statements: int
    repeat_seconds: float
    repeat_statements: int
    recorded: int  # messages the first pass recorded
    density: int = 1  # each council's rows, as a multiple of the standard synthetic council
    by_pass: dict[str, tuple[int, float]] = field(default_factory=dict)  # repeat pass


@dataclass
class Report:
    quick: bool
    started: datetime
    machine: dict[str, str]
    servers: list[ServerRun] = field(default_factory=list)
    ticks: list[TickRun] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    passes: list[str] = field(default_factory=list)
    command: str = "make bench"
    seconds: float = 0.0


# -- the machine --------------------------------------------------------------


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory() -> str:
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def describe_machine(postgres_version: str | None) -> dict[str, str]:
    versions = []
    for name in PACKAGES:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            continue
    cores = os.cpu_count() or 0
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else cores
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    from bot.transports import gunicorn_conf

    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "CPU": _cpu_model(),
        "cores": f"{cores} ({usable} usable)",
        "memory": _memory(),
        "OS": f"{platform.system()} {platform.release()}",
        "Python": f"{platform.python_implementation()} {platform.python_version()}",
        "packages": ", ".join(versions),
        "SQLite": sqlite3.sqlite_version,
        "PostgreSQL": postgres_version or "not used",
        "gunicorn (bot/transports/gunicorn_conf.py)": f"{gunicorn_conf.worker_class}, "
        f"{gunicorn_conf.workers} workers × {gunicorn_conf.threads} threads",
        "load average at start (1, 5, 15 min)": load,
    }


# -- rendering ----------------------------------------------------------------


def _ms(value: float) -> str:
    if value != value:  # NaN
        return "–"
    return f"{value:.1f}" if value < 100 else f"{value:.0f}"


def _ratio(bot: float, base: float) -> str:
    if base != base or bot != bot or base <= 0:
        return ""
    return f" ({bot / base:.2f}×)"


def _cell(bot: float, base: float | None) -> str:
    return _ms(bot) + (_ratio(bot, base) if base is not None else "")


def _server_table(run: ServerRun, baseline: ServerRun | None) -> list[str]:
    lines = [
        "| request | conc. | n | errors | late (>3 s) | req/s | ack p50 ms | ack p95 ms "
        "| ack p99 ms | effect | effect p50 ms | p95 ms | p99 ms |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|---|--:|--:|--:|",
    ]
    for p in run.phases:
        base = baseline.phase(p.request, p.concurrency) if baseline is not None else None
        tput = f"{p.throughput:.1f}"
        if base is not None:
            tput += _ratio(p.throughput, base.throughput)
        effect = ["", "", ""]
        if p.effect_spread is not None:
            be = (base.effect_spread if base is not None and base.effect == p.effect
                  else None)
            effect = [_cell(p.effect_spread.p50, be.p50 if be else None),
                      _cell(p.effect_spread.p95, be.p95 if be else None),
                      _cell(p.effect_spread.p99, be.p99 if be else None)]
            if p.effect_missing:
                effect[2] += f" ({p.effect_missing} never)"
        name = f"`{p.effect}`" if p.effect else ""
        lines.append(
            f"| {p.request} | {p.concurrency} | {p.count} | {p.errors} | {p.late} | {tput} "
            f"| {_cell(p.ack.p50, base.ack.p50 if base else None)} "
            f"| {_cell(p.ack.p95, base.ack.p95 if base else None)} "
            f"| {_cell(p.ack.p99, base.ack.p99 if base else None)} "
            f"| {name} | {' | '.join(effect)} |")
    return lines


def _cpu_table(run: ServerRun, baseline: ServerRun | None) -> list[str]:
    """CPU milliseconds per request by process group, and the server's against the baseline's."""
    measured = [p for p in run.phases if p.cpu]
    if not measured:
        return []
    lines = ["CPU per request (ms), from the first request sent until all it caused was "
             "delivered (App Homes included):", "",
             "| request | conc. | server | PostgreSQL | load generator | harness (fake Slack) "
             "| all |", "|---|--:|--:|--:|--:|--:|--:|"]
    for p in measured:
        base = baseline.phase(p.request, p.concurrency) if baseline is not None else None
        b = base.cpu if base is not None and base.cpu else None
        total = sum(p.cpu.values())
        lines.append(
            f"| {p.request} | {p.concurrency} "
            f"| {_cell(p.cpu['server'], b['server'] if b else None)} "
            f"| {_ms(p.cpu['postgres'])} | {_ms(p.cpu['load'])} | {_ms(p.cpu['harness'])} "
            f"| {_cell(total, sum(b.values()) if b else None)} |")
    return lines


def _rss_line(run: ServerRun, baseline: ServerRun | None) -> str:
    if not run.peak_rss_kb:
        return f"- {run.target}: peak RSS not read"
    parts = ", ".join(f"{name} {kb / 1024:.0f} MB" for name, kb in run.peak_rss_kb.items())
    top = max(run.peak_rss_kb.values()) / 1024
    total = sum(run.peak_rss_kb.values()) / 1024
    text = f"- {run.target}: {parts}; largest process {top:.0f} MB, all {total:.0f} MB"
    if baseline is not None and baseline.peak_rss_kb and baseline is not run:
        btop = max(baseline.peak_rss_kb.values()) / 1024
        btotal = sum(baseline.peak_rss_kb.values()) / 1024
        text += f" ({top / btop:.2f}× and {total / btotal:.2f}× the baseline's)"
    return text


def _targets(report: Report) -> list[str]:
    """The issue's targets, checked on the PostgreSQL run (else SQLite), as measured."""
    bot = next((s for s in report.servers if "PostgreSQL" in s.target), None) or next(
        (s for s in report.servers if s.target.startswith("bot")), None)
    base = next((s for s in report.servers if s.target == "baseline"), None)
    lines: list[str] = []
    if bot is None:
        return lines
    lines.append(f"Checked on {bot.target}:")
    lines.append("")
    lines.append("| target | measured | met |")
    lines.append("|---|---|---|")

    def row(target: str, measured: str, met: bool | None) -> None:
        lines.append(f"| {target} | {measured} | {'–' if met is None else 'yes' if met else 'NO'} |")

    for request in ACKED:
        p = bot.phase(request, 10)
        if p is not None:
            row(f"`{request}` ack p99 <= 100 ms at concurrency 10", f"{_ms(p.ack.p99)} ms",
                p.ack.p99 <= 100)
    if base is not None:
        worst: tuple[float, str] | None = None
        for p in bot.phases:
            b = base.phase(p.request, p.concurrency)
            if b is not None and b.ack.p99 > 0:
                r = p.ack.p99 / b.ack.p99
                if worst is None or r > worst[0]:
                    worst = (r, f"`{p.request}` at {p.concurrency}")
        if worst is not None:
            row("ack p99 <= 2× the baseline's at every concurrency",
                f"worst {worst[0]:.2f}× ({worst[1]})", worst[0] <= 2)
    for control, clicked, submitted in CLICKS:
        _click_row(row, control, bot.phase(clicked, 10),
                   bot.phase(submitted, 10) if submitted else None)
    backend = "PostgreSQL" if "PostgreSQL" in bot.target else "SQLite"
    ticks = [t for t in report.ticks if t.backend == backend and t.density == 1]
    big = next((t for t in ticks if t.councils == 1000), None)
    if big is not None:
        row("a tick over 1,000 councils <= 2 s (repeat pass)", f"{big.repeat_seconds:.2f} s",
            big.repeat_seconds <= 2)
    dense = [t for t in report.ticks if t.backend == backend and t.density > 1]
    cases = ticks + dense
    if len(cases) >= 2:
        counts = [t.repeat_statements for t in cases]
        row("a constant number of SQL statements per pass (repeat pass), whatever the "
            "councils and rows",
            ", ".join(f"{_case(t)}: {t.repeat_statements:,}" for t in cases),
            max(counts) == min(counts))
    if bot.peak_rss_kb:
        top = max(bot.peak_rss_kb.values()) / 1024
        row("peak memory of a serve process <= 200 MB", f"{top:.0f} MB", top <= 200)
    return lines


def _click_row(row: Callable[[str, str, bool | None], None], control: str,
               click: Phase | None, submit: Phase | None) -> None:
    """Click to updated poll message p99 for one of the poll's buttons: its own effect
    when the click records at once, else the click's ``views.open`` plus the submission's
    ``chat.update`` (the delegate's own time in the form left out)."""
    if click is None:
        return
    goal = f"{control}: click to updated poll message p99 <= 250 ms at concurrency 10"
    if click.effect == "chat.update" and click.effect_spread:
        row(goal, f"{_ms(click.effect_spread.p99)} ms",
            click.effect_spread.p99 <= 250 and not click.effect_missing)
    elif (click.effect_spread and submit is not None and submit.effect == "chat.update"
          and submit.effect_spread):
        total = click.effect_spread.p99 + submit.effect_spread.p99
        row(goal + " (the click opens a form: click to `views.open` p99 + submit to "
            "`chat.update` p99, the delegate's own time in the form left out)",
            f"{_ms(click.effect_spread.p99)} + {_ms(submit.effect_spread.p99)} = "
            f"{_ms(total)} ms",
            total <= 250 and not click.effect_missing and not submit.effect_missing)
    else:
        row(goal, "no update seen", False)


def _case(t: TickRun) -> str:
    councils = f"{t.councils:,} council" + ("s" if t.councils != 1 else "")
    return councils + (f" ({t.density}× rows)" if t.density > 1 else "")


def render(report: Report) -> str:
    out: list[str] = ["# Benchmarks", ""]
    if report.quick:
        out += ["> **Quick smoke run** (`--quick`): a handful of requests and small sizes,",
                "> on a shared machine. The figures are noisy and say nothing about the",
                "> targets; `make bench` gives the real ones.", ""]
    how = ("`make bench` (`python -m bench`, the harness in `bench/`)"
           if report.command == "python -m bench"
           else f"`{report.command}` (the harness in `bench/`)")
    out += [
        f"Produced by {how} in {report.seconds:.0f} s. Issue 7 has the targets; issue 13 "
        "the poll message's buttons.",
        "",
        "## Machine",
        "",
    ]
    out += [f"- {k}: {v}" for k, v in report.machine.items()]
    out += ["", "## Running it", "",
            "```sh",
            "make bench                        # everything and --profile, 4 to 6 minutes on 2 cores",
            "python -m bench --quick           # a smoke run: 20 requests each, sizes 1,10",
            "python -m bench --part http --backends postgres --requests 500",
            "python -m bench --part tick --sizes 1,10,100,1000 --tick-budget 1200",
            "```",
            "",
            "PostgreSQL: `NRC_BENCH_POSTGRES_URL` (default "
            "`postgresql://postgres@127.0.0.1:5432/test`); each run creates its own "
            "databases there and drops them. Other options: `--concurrency 1,10,50`, "
            "`--phase-budget SECONDS`, `--output FILE`, `--keep` (keeps the server logs and the "
            "raw py-spy samples), `--profile` (py-spy on the workers in one more `concur` "
            "phase); "
            "`python -m bench --help`. `WEB_CONCURRENCY` and `NRC_THREADS` reach gunicorn "
            "as in production.",
            "", "## How it is measured", "",
            "- Each server runs as the Procfile's `web` line runs it: `gunicorn --config "
            "python:bot.transports.gunicorn_conf 'bot.transports.web:create_app()'` (gthread workers; "
            "`WEB_CONCURRENCY` and `NRC_THREADS` as in the environment), bound to 127.0.0.1, "
            "talking to the fake Slack Web API (`tests/fakeslack.py`) in the harness's "
            "process, with the 20 members seated (a head of delegation each, a Chair, the "
            "channel bound).",
            "- The baseline is a bare Bolt app (`bench/baseline.py`) under the same gunicorn "
            "settings: the slash command acknowledges with a fixed text; the one-click "
            "`poll_concur_now` button acknowledges, then makes one `chat.update` on the "
            "button's message; the `poll_concur` and `poll_amendment` buttons acknowledge, "
            "then open a fixed modal (one `views.open`), whose submission acknowledges and "
            "makes one `chat.update` on the button's message: the least any Bolt app does "
            "for the same Slack-side effects.",
            "- The requests: `members`, `polls` and `concur` are slash commands; the poll "
            "message's buttons (issue 13) are `concur-now` (*Concur*, one click: the "
            "`block_actions` Slack sends once the delegate has confirmed its `confirm` "
            "dialog; it records the position at once), `click` (*Concur with statement…*, "
            "which opens the form) and `amend-click` (*Propose amendment…*, which opens the "
            "amendment form). Each click carries the poll message's blocks, as Slack "
            "sends them.",
            "- The load comes from a separate process, one thread per concurrent client, "
            "each request signed as Slack signs it (`tests/slackreq.py`), a new connection "
            "each. Both servers get the same requests. `ack` is the time from sending to "
            "the whole HTTP answer; `req/s` is requests over the wall time of the phase.",
            "- `effect`: from sending the request to the moment the fake Slack received what "
            "the request makes the bot say (`Call.at`): the poll message's `chat.update` "
            "for `concur`, `concur-now` and a form's submission, the modal's `views.open` "
            "(found by its `trigger_id`) for a click that opens one. Each poll gets at most "
            "one request in any window of twice the concurrency; a request's update is the "
            "first after it that names its member among those who concurred (or, for the "
            "baseline's fixed text and for amendments, the updates of a message matched to "
            "its requests in order), so the update found is the one the request caused (or "
            "one that merged it with an earlier one's).",
            "- A click that opens a form is followed by a phase submitting each form it "
            "opened (`view_submission`, built from the recorded `views.open`) by its "
            "delegate, at the same concurrency: `submit` leaves the optional statement "
            "empty; `amend-submit` gives the amendment a text and a reason.",
            "- `members` and `polls` rotate over the 20 delegates; `polls` lists what is open "
            "then (the polls the warm-ups opened: the notes say how many).",
            "- `concur` and clicks come from the 20 delegates, a different member each "
            "time on each poll (never all 20, so no poll closes mid-run); an amendment "
            "breaks silence and closes its poll, so `amend-click` has one poll per "
            "request. The polls are opened with `propose` by the Chair before each phase "
            "and their messages posted to the fake Slack before the phase starts.",
            "- Peak RSS: `VmHWM` of the gunicorn master and each worker, read after the "
            "load.",
            "- Everything shares the machine's cores: the load generator, the fake Slack "
            "(in the harness's process), gunicorn and PostgreSQL; the baseline is measured "
            "the same way. A phase stops sending after `--phase-budget` seconds (30), so a "
            "slow server gets fewer requests (noted) rather than an unbounded run.",
            "- Ratios in parentheses: bot / baseline for the same request at the same "
            "concurrency (for req/s, above 1 is better; for times, below 1).",
            ""]
    if report.notes:
        out += ["## Notes", ""] + [f"- {n}" for n in report.notes] + [""]
    if report.servers:
        out += ["## Targets", "", *_targets(report), ""]
    baseline = next((s for s in report.servers if s.target == "baseline"), None)
    for run in report.servers:
        out += [f"## {run.target}", ""]
        out += _server_table(run, baseline if run is not baseline else None)
        cpu = _cpu_table(run, baseline if run is not baseline else None)
        if cpu:
            out += ["", *cpu]
        out += ["", _rss_line(run, baseline)]
        if run.profile:
            out += ["", f"### Profile: {run.profiled}", "",
                    "py-spy (`--gil`, 100 Hz) on every worker, in an extra phase after the "
                    "measured ones: where the CPU went. *answer* is the request until its "
                    "acknowledgement; *deliver* is the courier thread sending what the "
                    "requests recorded.", "", *run.profile]
        out += [f"- {n}" for n in run.notes]
        out += [""]
    if report.ticks:
        out += ["## One scheduler pass (`bot.scheduler.run_passes`)", "",
                "Synthetic councils inserted directly (bulk): each with the 2002 charter "
                "(20 members, a head of delegation each, the charter's bodies), two years of "
                "meetings at each body's mandated cadence (one year past, one ahead), 20 open "
                "polls with 5 positions each, 5 joint decisions and 50 open implementation "
                "issues on the next Council meeting's agenda; the last case is one council "
                "with ten times the rows (ten years of meetings either side, ten times the "
                "polls, decisions and issues), which tells growth with rows from growth "
                "with councils. The first pass records what "
                "the synthetic data makes due; the repeat pass, at the same instant, is the "
                "steady state the clock process runs every 30 s. Statements are counted with "
                "SQLAlchemy's `before_cursor_execute` event.",
                "",
                f"Registered passes: {', '.join(report.passes) or 'none'}.",
                "",
                "| backend | councils | rows | first pass s | statements | repeat pass s "
                "| statements | per council | recorded |",
                "|---|---|--:|--:|--:|--:|--:|--:|--:|"]
        for t in report.ticks:
            out.append(
                f"| {t.backend} | {_case(t)} | {t.rows:,} | {t.first_seconds:.3f} "
                f"| {t.first_statements:,} | {t.repeat_seconds:.3f} | {t.repeat_statements:,} "
                f"| {t.repeat_statements / t.councils:.1f} | {t.recorded:,} |")
        out.append("")
        names = list(dict.fromkeys(n for t in report.ticks for n in t.by_pass))
        if names:
            out += ["Statements (and seconds) of the repeat pass inside each registered pass; "
                    "`run_passes` is the rest (the list of councils, and each pass's "
                    "transaction with its council lock).", "",
                    "| backend | councils | " + " | ".join(f"`{n}`" for n in names)
                    + " | `run_passes` |",
                    "|---|---|" + "--:|" * (len(names) + 1)]
            for t in report.ticks:
                cells = []
                for n in names:
                    count, secs = t.by_pass.get(n, (0, 0.0))
                    cells.append(f"{count:,} ({secs:.2f} s)")
                rest = t.repeat_statements - sum(c for c, _ in t.by_pass.values())
                rest_s = t.repeat_seconds - sum(x for _, x in t.by_pass.values())
                out.append(f"| {t.backend} | {_case(t)} | " + " | ".join(cells)
                           + f" | {rest:,} ({rest_s:.2f} s) |")
            out.append("")
    return "\n".join(out)
