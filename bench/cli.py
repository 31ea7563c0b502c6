"""``python -m bench``: parse the options, run both parts, write ``docs/benchmarks.md``."""

from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import shlex
import shutil
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bench import http_bench, pg, tick
from bench.report import Report, describe_machine, render
from bench.servers import ROOT

DEFAULT_OUTPUT = ROOT / "docs" / "benchmarks.md"


def _ints(value: str) -> list[int]:
    try:
        numbers = [int(v.replace("_", "")) for v in value.split(",") if v.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"a comma-separated list of numbers, not {value!r}") from exc
    if not numbers or any(n < 1 for n in numbers):
        raise argparse.ArgumentTypeError("every number must be at least 1")
    return numbers


def _backends(value: str) -> list[str]:
    names = [v.strip().lower() for v in value.split(",") if v.strip()]
    aliases = {"sqlite": "sqlite", "postgres": "postgres", "postgresql": "postgres", "pg": "postgres"}
    unknown = [n for n in names if n not in aliases]
    if unknown or not names:
        raise argparse.ArgumentTypeError("backends are sqlite and postgres")
    return list(dict.fromkeys(aliases[n] for n in names))


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench",
        description="The bot's HTTP serving against a bare Bolt baseline, and one scheduler "
        "pass over synthetic councils. Writes docs/benchmarks.md and prints it.")
    p.add_argument("--requests", type=int, metavar="N",
                   help="requests per kind and concurrency (default 200; --quick: 20)")
    p.add_argument("--concurrency", type=_ints, metavar="C,C",
                   help="concurrency levels (default 1,10,50)")
    p.add_argument("--sizes", type=_ints, metavar="N,N",
                   help="council counts for the scheduler pass (default 1,10,100,1000; "
                   "--quick: 1,10)")
    p.add_argument("--backends", type=_backends, default=["sqlite", "postgres"],
                   metavar="sqlite,postgres", help="databases to run on (default both)")
    p.add_argument("--part", choices=["all", "http", "tick"], default="all",
                   help="run only the HTTP part or only the scheduler part")
    p.add_argument("--quick", action="store_true",
                   help="a tiny smoke run: 20 requests each, sizes 1,10")
    p.add_argument("--postgres-url", default=None,
                   help=f"server to create the run's databases on (default ${pg.ENV} or "
                   f"{pg.DEFAULT_URL})")
    p.add_argument("--phase-budget", type=float, default=30.0, metavar="SECONDS",
                   help="a phase sends no request after this long, so a slow server gets "
                   "fewer requests rather than an unbounded run (default 30; 0: no limit)")
    p.add_argument("--tick-budget", type=float, default=900.0, metavar="SECONDS",
                   help="time allowed for the scheduler part; a size predicted (from the "
                   "previous one) to overrun it is skipped with a note (default 900: enough "
                   "for 1,000 councils on both databases)")
    p.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                   help="where to write the report (default docs/benchmarks.md)")
    p.add_argument("--keep", action="store_true",
                   help="keep the working folder (server logs, SQLite files)")
    p.add_argument("--profile", action="store_true",
                   help="after the measured phases, sample the bot's workers on PostgreSQL "
                   "with py-spy during one more `concur` phase and report where the CPU went")
    return p


def log(message: str) -> None:
    print(f"[{datetime.now(UTC).strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt  # so that servers are stopped and databases dropped on the way out


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _interrupt)
    count = args.requests or (20 if args.quick else 200)
    concurrencies = args.concurrency or [1, 10, 50]
    sizes = args.sizes or ([1, 10] if args.quick else [1, 10, 100, 1000])
    postgres_url = args.postgres_url or pg.base_url()
    backends = list(args.backends)
    started = time.monotonic()
    notes: list[str] = []

    pg_version = pg.server_version(postgres_url) if "postgres" in backends else None
    if "postgres" in backends and pg_version is None:
        shown = make_url(postgres_url).render_as_string(hide_password=True)
        notes.append(f"PostgreSQL did not answer at {shown}: its runs were skipped.")
        log(notes[-1])
        backends.remove("postgres")
    report = Report(quick=args.quick, started=datetime.now(UTC),
                    machine=describe_machine(pg_version), notes=notes,
                    command=shlex.join(["python", "-m", "bench", *(argv or sys.argv[1:])]))
    workdir = Path(tempfile.mkdtemp(prefix="nrc-bench-"))
    failed = False
    try:
        if args.part in ("all", "http"):
            failed |= not _http(report, backends, postgres_url, count, concurrencies, workdir,
                                args.phase_budget or None, args.profile)
        if args.part in ("all", "tick"):
            failed |= not _tick(report, backends, sizes, postgres_url, workdir, args.tick_budget)
    except KeyboardInterrupt:
        log(f"interrupted: {args.output} left as it was; working folder {workdir}")
        return 130
    report.seconds = time.monotonic() - started
    report.machine["load average at end (1, 5, 15 min)"] = ", ".join(
        f"{x:.2f}" for x in os.getloadavg())
    text = render(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text + "\n", encoding="utf-8")
    print(text)
    log(f"written to {args.output} in {report.seconds:.0f} s")
    if args.keep or failed:
        log(f"working folder kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


def _tick(report: Report, backends: list[str], sizes: list[int], postgres_url: str,
          workdir: Path, budget: float) -> bool:
    """The scheduler part; False when it failed."""
    import bot.runtime  # noqa: F401  (registers the passes of every feature module)
    from bot.scheduler import PASSES

    report.passes = [name for name, _ in PASSES]
    try:
        report.ticks, notes = tick.run(sorted(backends), sizes, postgres_url, workdir, budget,
                                       log)
    except Exception as exc:
        report.notes.append(f"The scheduler part failed: {type(exc).__name__}: {exc}")
        traceback.print_exc()
        return False
    report.notes += notes
    return True


def _http(report: Report, backends: list[str], postgres_url: str, count: int,
          concurrencies: list[int], workdir: Path, budget: float | None,
          profile: bool = False) -> bool:
    """The HTTP part; False when a server could not be measured."""
    polls = http_bench.polls_available()
    requests = http_bench.requests_for(polls)
    if not polls:
        report.notes.append("Consensus polls are not built yet (`polls` is not a registered "
                            "command): only `members` was measured; `polls`, `concur` and "
                            "button clicks were skipped.")
        log(report.notes[-1])
    ok = True
    spawn = multiprocessing.get_context("spawn")
    with ExitStack() as stack:
        fake = http_bench.start_fake_slack()
        stack.callback(fake.close)
        loader = stack.enter_context(ProcessPoolExecutor(max_workers=1, mp_context=spawn))
        measure = functools.partial(http_bench.run_server, fake=fake, requests=requests,
                                    count=count, concurrencies=concurrencies, loader=loader,
                                    log=log, budget=budget)
        try:
            server = http_bench.make_server("baseline", "bench.baseline:create_app()",
                                            fake.api_url, None, workdir)
            report.servers.append(measure(target="baseline", server=server, council=None))
        except Exception as exc:
            ok = False
            report.notes.append(f"The baseline could not be measured: {type(exc).__name__}: {exc}")
            traceback.print_exc()
        for backend in backends:
            label = "bot (PostgreSQL)" if backend == "postgres" else "bot (SQLite)"
            try:
                with ExitStack() as db:
                    if backend == "postgres":
                        url = db.enter_context(pg.fresh_database(postgres_url, "nrc_bench_http"))
                    else:
                        url = f"sqlite:///{workdir}/bench-http.db"
                    council = http_bench.Council(url, fake)
                    db.callback(council.close)
                    council.seat()
                    server = http_bench.make_server(f"bot-{backend}", "bot.transports.web:create_app()",
                                                    fake.api_url, url, workdir)
                    report.servers.append(measure(
                        target=label, server=server, council=council,
                        profile_dir=workdir if profile and backend == "postgres" else None))
            except Exception as exc:
                ok = False
                report.notes.append(f"{label} could not be measured: {type(exc).__name__}: {exc}")
                traceback.print_exc()
    return ok
