"""The scheduler part: one pass (``bot.scheduler.run_passes``) over 1 to 1,000 councils.

Each size gets a fresh database with that many synthetic councils, bulk-inserted
directly (one ``INSERT`` per table and batch, explicit ids): the 2002 charter's
members and bodies, a head of delegation per member, two years of meetings at each
body's cadence, 20 open polls with a few positions, joint decisions, and 50 open
implementation issues on the next Council meeting's agenda. A pass is then run
twice at the same instant: the first records what the data makes due, the second
is the steady state. Every SQL statement is counted (``before_cursor_execute``).
"""

from __future__ import annotations

import contextlib
import secrets
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event, func, insert, select, text
from sqlalchemy.engine import Engine

from bench.pg import fresh_database
from bench.report import TickRun
from storage.models import new_stamp

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
YEAR = timedelta(days=365)
OPEN_POLLS = 20
POSITIONS_PER_POLL = 5
DECISIONS = 5
OPEN_ISSUES = 50
ADMIN = "UADMIN01"

Log = Callable[[str], None]


@dataclass
class _Ids:
    """The next free id of each table, so rows can reference each other before insertion."""

    next: dict[str, int]

    def take(self, table: str) -> int:
        value = self.next.get(table, 1)
        self.next[table] = value + 1
        return value


def _meeting_times(cadence: Any, ordinal: int, years: int) -> list[datetime]:
    if cadence is None:
        return []
    days = (365.25 / 12 if cadence.per == "month" else 365.25) / cadence.count
    step = timedelta(days=days)
    moment = (NOW - years * YEAR).replace(hour=9, minute=0) + timedelta(days=ordinal % 7,
                                                                        hours=ordinal)
    times = []
    while moment < NOW + years * YEAR:
        times.append(moment)
        moment += step
    return [t.replace(second=0, microsecond=0) for t in times]


def synthetic_rows(first: int, count: int, density: int = 1
                   ) -> dict[str, list[dict[str, object]]]:
    """Rows for councils ``first`` .. ``first + count - 1``, per table, in insertion order.

    ``density`` multiplies each council's own rows: years of meetings either side of
    now, open polls, decisions and issues."""
    open_polls, decisions_count, open_issues = (OPEN_POLLS * density, DECISIONS * density,
                                                OPEN_ISSUES * density)
    from bot.charter import load_charter

    charter = load_charter()
    ids = _Ids({})
    rows: dict[str, list[dict[str, object]]] = {name: [] for name in (
        "council", "member", "delegate", "body", "meeting", "proposal", "position",
        "jointdecision", "implementationissue", "agendaitem")}
    created = NOW - 2 * YEAR
    for n in range(first, first + count):
        cid = ids.take("council")
        rows["council"].append({
            "id": cid, "key": f"bench-{n:05d}", "name": f"{charter.name} (synthetic {n})",
            "short_name": charter.short_name, "chair_title": charter.chair_title,
            "timezone": charter.timezone, "team_id": "T1", "channel_id": f"CB{n:07d}",
            "chair_user_id": f"UCH{n:06d}", "ics_token": secrets.token_urlsafe(24),
            "created_at": created, "roster_stamp": new_stamp()})
        members: list[tuple[int, str]] = []
        for i, m in enumerate(charter.members, start=1):
            mid = ids.take("member")
            user = f"UD{n:05d}{m.alpha2}"
            members.append((mid, user))
            rows["member"].append({
                "id": mid, "council_id": cid, "ordinal": i, "name": m.name, "alpha2": m.alpha2,
                "alpha3": m.alpha3, "aliases": list(m.aliases), "active": True})
            rows["delegate"].append({
                "id": ids.take("delegate"), "council_id": cid, "member_id": mid, "user_id": user,
                "role": "head", "added_at": created, "added_by": ADMIN})
        next_council_meeting: tuple[datetime, int] | None = None
        for i, b in enumerate(charter.bodies, start=1):
            bid = ids.take("body")
            rows["body"].append({
                "id": bid, "council_id": cid, "ordinal": i, "key": b.key, "name": b.name,
                "level": b.level, "mandate": b.mandate,
                "cadence_count": b.cadence.count if b.cadence else None,
                "cadence_per": b.cadence.per if b.cadence else None,
                "reminders": [int(r.total_seconds()) for r in b.reminders],
                "at_risk_days": b.at_risk_days, "area": b.area,
                "extraordinary": b.extraordinary, "permanent": True, "active": True,
                "created_at": created})
            for moment in _meeting_times(b.cadence, i, density):
                meeting_id = ids.take("meeting")
                rows["meeting"].append({
                    "id": meeting_id, "council_id": cid, "body_id": bid, "starts_at": moment,
                    "title": f"{b.name}", "status": "scheduled", "cancel_reason": None,
                    "extraordinary": False, "request_id": None, "created_by": ADMIN,
                    "created_at": created})
                if b.key.startswith("council-") and moment > NOW and (
                        next_council_meeting is None or moment < next_council_meeting[0]):
                    next_council_meeting = (moment, meeting_id)
        electorate = [mid for mid, _ in members]
        for p in range(open_polls + decisions_count):
            pid = ids.take("proposal")
            proposer_id, proposer = members[p % len(members)]
            is_open = p < open_polls
            opened = NOW - timedelta(days=1 + p % 5) if is_open else NOW - timedelta(days=60 + p)
            rows["proposal"].append({
                "id": pid, "council_id": cid, "text": f"Synthetic proposal {p + 1}",
                "area": None, "mode": "silence", "proposer_user_id": proposer,
                "proposer_member_id": proposer_id, "electorate": electorate, "version": 1,
                "opened_at": opened, "version_opened_at": opened,
                "deadline": NOW + timedelta(hours=6 + 12 * p) if is_open else opened + timedelta(
                    days=7),
                "status": "open" if is_open else "adopted",
                "closed_at": None if is_open else opened + timedelta(days=7),
                "outcome_note": None})
            if is_open:
                for mid, user in members[:POSITIONS_PER_POLL]:
                    rows["position"].append({
                        "id": ids.take("position"), "council_id": cid, "proposal_id": pid,
                        "version": 1, "member_id": mid, "stance": "concur", "statement": None,
                        "user_id": user, "at": opened + timedelta(hours=1)})
                continue
            did = ids.take("jointdecision")
            rows["jointdecision"].append({
                "id": did, "council_id": cid, "proposal_id": pid,
                "text": f"Synthetic proposal {p + 1}", "area": None, "mode": "silence",
                "proposer_user_id": proposer, "proposer_member_id": proposer_id,
                "adopted_at": opened + timedelta(days=7), "positions": []})
        decisions = [r["id"] for r in rows["jointdecision"][-decisions_count:]]
        for i in range(open_issues):
            iid = ids.take("implementationissue")
            mid, user = members[i % len(members)]
            agenda = next_council_meeting[1] if next_council_meeting else None
            raised = NOW - timedelta(days=1 + i % 20)
            rows["implementationissue"].append({
                "id": iid, "council_id": cid, "decision_id": decisions[i % decisions_count],
                "member_id": mid, "raised_by": user, "text": f"Synthetic issue {i + 1}",
                "source_link": None, "status": "open", "meeting_id": agenda,
                "created_at": raised, "closed_at": None, "closed_by": None, "note": None})
            if agenda is not None:
                rows["agendaitem"].append({
                    "id": ids.take("agendaitem"), "council_id": cid, "meeting_id": agenda,
                    "text": f"I{iid} on D{decisions[i % decisions_count]}: Synthetic issue "
                            f"{i + 1}",
                    "added_by": user, "member_id": mid, "issue_id": iid, "created_at": raised})
    return rows


def build(engine: Engine, councils: int, density: int = 1, batch: int = 100,
          first: int = 1) -> int:
    """Insert ``councils`` synthetic councils (in batches), numbered from ``first`` (to add
    councils to a database holding some already); return the rows in the database."""
    from sqlmodel import SQLModel

    import storage.models  # noqa: F401  (the tables)

    tables = SQLModel.metadata.tables
    last = first + councils - 1
    for start in range(first, last + 1, batch):
        rows = synthetic_rows(start, min(batch, last - start + 1), density)
        # ids continue across batches: shift each batch past the previous one.
        with engine.begin() as conn:
            offsets = {name: int(conn.execute(select(func.coalesce(func.max(tables[name].c.id),
                                                                      0))).scalar_one())
                       for name in rows}
            for name, table_rows in rows.items():
                if table_rows:
                    conn.execute(insert(tables[name]), [_shift(r, name, offsets)
                                                        for r in table_rows])
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            for name in rows:
                conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{name}\"', 'id'), "
                                  f"(SELECT COALESCE(MAX(id), 1) FROM \"{name}\"))"))
        # The planner's statistics, as autovacuum keeps them on a live database: measured
        # right after a bulk load without them, PostgreSQL plans for empty tables.
        conn.execute(text("ANALYZE"))
        return sum(int(conn.execute(select(func.count()).select_from(t)).scalar_one())
                   for t in tables.values() if t.name != "alembic_version")


_REFS = {"council_id": "council", "member_id": "member", "body_id": "body",
         "meeting_id": "meeting", "proposal_id": "proposal", "decision_id": "jointdecision",
         "issue_id": "implementationissue", "proposer_member_id": "member"}


def _shift(row: dict[str, object], table: str, offsets: dict[str, int]) -> dict[str, object]:
    shifted = dict(row)
    shifted["id"] = int(row["id"]) + offsets[table]  # type: ignore[call-overload]
    for column, target in _REFS.items():
        value = shifted.get(column)
        if isinstance(value, int):
            shifted[column] = value + offsets[target]
    if table == "proposal":
        shifted["electorate"] = [m + offsets["member"] for m in row["electorate"]]  # type: ignore[attr-defined]
    return shifted


class StatementCounter:
    def __init__(self, engine: Engine) -> None:
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *_args: object) -> None:
        self.count += 1


@dataclass
class PassFigures:
    seconds: float
    statements: int
    recorded: int
    #: per registered pass: (statements, seconds) in its due query and inside the pass
    #: function, all councils; the rest (each transaction's BEGIN, lock and COMMIT) is
    #: run_passes'.
    by_pass: dict[str, tuple[int, float]]


def time_pass(engine: Engine, counter: StatementCounter) -> PassFigures:
    """One pass as of NOW, each registered pass function measured on its own."""
    from bot import scheduler
    from bot.settings import Settings

    settings = Settings(admin_users=frozenset({ADMIN}))
    by_pass: dict[str, tuple[int, float]] = {}

    def measured(name: str, fn: scheduler.Pass) -> scheduler.Pass:
        def wrapper(pctx: scheduler.PassContext) -> int:
            before, started = counter.count, time.perf_counter()
            try:
                return fn(pctx)
            finally:
                n, t = by_pass.get(name, (0, 0.0))
                by_pass[name] = (n + counter.count - before, t + time.perf_counter() - started)

        return wrapper

    def measured_due(name: str, fn: scheduler.Due) -> scheduler.Due:
        def wrapper(session: Any, now: datetime, settings: object) -> set[int]:
            before, started = counter.count, time.perf_counter()
            try:
                return set(fn(session, now, settings))
            finally:
                n, t = by_pass.get(name, (0, 0.0))
                by_pass[name] = (n + counter.count - before, t + time.perf_counter() - started)

        return wrapper

    original = list(scheduler.PASSES)
    original_due = dict(scheduler.DUE)
    scheduler.PASSES[:] = [(name, measured(name, fn)) for name, fn in original]
    scheduler.DUE.update({name: measured_due(name, fn) for name, fn in original_due.items()})
    try:
        before = counter.count
        started = time.perf_counter()
        report = scheduler.run_passes(engine, NOW, settings)
        seconds = time.perf_counter() - started
    finally:
        scheduler.PASSES[:] = original
        scheduler.DUE.clear()
        scheduler.DUE.update(original_due)
    return PassFigures(seconds, counter.count - before, sum(report.recorded.values()), by_pass)


@contextlib.contextmanager
def _database(backend: str, postgres_url: str, workdir: Path) -> Iterator[str]:
    if backend == "postgres":
        with fresh_database(postgres_url, "nrc_bench_tick") as url:
            yield url
        return
    with tempfile.TemporaryDirectory(dir=workdir) as folder:
        yield f"sqlite:///{folder}/tick.db"


#: The extra case that tells rows from councils: one council with this many times the rows.
DENSE = 10


def run(backends: list[str], sizes: list[int], postgres_url: str, workdir: Path,
        budget: float, log: Log) -> tuple[list[TickRun], list[str]]:
    """Every size on every backend, then one council with DENSE times the rows; a case whose
    predicted time overruns ``budget`` is skipped with a note."""
    from storage.engine import make_engine, upgrade

    results: list[TickRun] = []
    notes: list[str] = []
    deadline = time.monotonic() + budget
    for backend in backends:
        label = "PostgreSQL" if backend == "postgres" else "SQLite"
        per_council = 0.0  # seconds per council for build + two passes, from the last case
        for size, density in [(size, 1) for size in sizes] + [(1, DENSE)]:
            remaining = deadline - time.monotonic()
            weight = size * density
            if per_council and per_council * weight > remaining:
                what = f"{size:,} councils" if density == 1 else f"1 council with {density}× rows"
                notes.append(f"Scheduler pass on {label} with {what} skipped: predicted "
                             f"{per_council * weight:.0f} s, {remaining:.0f} s left of the "
                             f"{budget:.0f} s budget (`--tick-budget`).")
                log(notes[-1])
                continue
            started = time.perf_counter()
            with _database(backend, postgres_url, workdir) as url:
                engine = make_engine(url)
                try:
                    upgrade(engine)
                    loading = time.perf_counter()  # the fixed cost (database, schema) is before
                    rows = build(engine, size, density)
                    built = time.perf_counter() - started
                    counter = StatementCounter(engine)
                    first = time_pass(engine, counter)
                    repeat = time_pass(engine, counter)
                finally:
                    engine.dispose()
            if density == 1:
                per_council = (time.perf_counter() - loading) / size
            results.append(TickRun(label, size, rows, first.seconds, first.statements,
                                   repeat.seconds, repeat.statements, first.recorded, density,
                                   repeat.by_pass))
            log(f"tick {label:10} {size:5} councils ×{density} ({rows:,} rows, built in "
                f"{built:.1f} s): first {first.seconds:.3f} s / {first.statements} statements, "
                f"repeat {repeat.seconds:.3f} s / {repeat.statements} statements")
    return results, notes
