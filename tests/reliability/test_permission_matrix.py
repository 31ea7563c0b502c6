"""The permission matrix: every command x every role, checked against PRODUCT.md section 2.

The expected outcome of each cell is written out below from the spec's "who"
column (not read from ``bot/permissions.py``: the point is to check that table
against the spec). For each cell the council is restored to one prepared state,
a valid invocation of the command is run as the role, and:

- **allow**: the reply is neither an error nor a refusal, and a mutating
  command changed the exported state (a read-only one did not);
- **refuse**: the reply starts with "Only ", names who may, and the exported
  state is byte-identical before and after.

The prepared state is built once per database, through the commands themselves:
a seated council of 20 (tests.council), P1 proposed by Russia's delegate, P2
adopted by all 20 as D1, P3 and P4 open (proposed by Russia), P5 blocked by France, M1 an Ambassadors'
meeting, I1 and I2 raised on D1 by France's delegate.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import select

from bot.exchange import export_state, import_state
from bot.registry import REGISTRY
from bot.runtime import ErrorReply, Runtime
from bot.settings import Settings
from storage.engine import make_engine, transaction, upgrade
from storage.models import AgendaItem, Body, Council, Meeting
from storage.tables import TABLES
from tests.council import (
    ADMIN,
    CHAIR,
    CHANNEL,
    CHARTER,
    CODES,
    OUTSIDER,
    Clock,
    delegate,
    make_runtime,
    run,
    seat_council,
)

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # the clock of tests.council.make_runtime

# -- the roles -----------------------------------------------------------------------

ANYONE = "anyone"  # in Slack, in no delegation, neither Chair nor secretariat
OTHER = "delegate of another member"  # of a member not involved in the subject at hand
DELEGATE = "delegate"  # of the member involved (the proposer's, the raiser's) where it matters
CHAIR_ROLE = "chair"
ADMIN_ROLE = "admin"  # the secretariat
ROLES = (ANYONE, OTHER, DELEGATE, CHAIR_ROLE, ADMIN_ROLE)

PROPOSER = "RU"  # Russia's delegate proposed P1..P4
RAISER = "FR"  # France's delegate raised I1 and I2
BYSTANDER = "US"  # the delegation of another member


@dataclass(frozen=True)
class Row:
    """One row of PRODUCT.md section 2: a valid invocation, and who may run it."""

    name: str  # the REGISTRY command it exercises
    line: str  # a valid invocation against the prepared state
    allowed: frozenset[str]  # the roles the spec lets do it
    who: tuple[str, ...]  # words a refusal must contain ("says who may")
    mutates: bool
    channel: str = CHANNEL
    own: str = PROPOSER  # the member whose delegate plays DELEGATE
    source: str = "PRODUCT.md section 2"


EVERYONE = frozenset(ROLES)
DELEGATES = frozenset({OTHER, DELEGATE})  # "delegates": any member's delegation
SECRETARIAT = frozenset({ADMIN_ROLE})


def _r(name: str, line: str, allowed: frozenset[str], who: tuple[str, ...] = (),
       *, mutates: bool = False, **kw: str) -> Row:
    return Row(name, line, allowed, who, mutates, **kw)


# The spec's "who" column, written out. "anyone" -> every role; "admin" -> the secretariat;
# "delegates" -> any member's delegate; "proposer" -> the delegation that opened the poll.
MATRIX: tuple[Row, ...] = (
    _r("help", "help", EVERYONE),
    _r("help", "help propose", EVERYONE),
    _r("setup", "setup", SECRETARIAT, ("secretariat",), mutates=True, channel="CNEWROOM1"),
    _r("members", "members", EVERYONE),
    _r("delegate add", "delegate add Germany UNEWDEL01 expert", SECRETARIAT,
       ("secretariat",), mutates=True),
    _r("delegate remove", f"delegate remove {delegate('DE')}", SECRETARIAT, ("secretariat",),
       mutates=True),
    _r("chair", "chair UNEWCHAIR1", SECRETARIAT, ("secretariat",), mutates=True),
    # Issue 13: each delegate says or sets their own choice; nobody else has one.
    _r("notify", "notify", DELEGATES, ("delegations",), source="issue 13"),
    _r("notify", "notify dm", DELEGATES, ("delegations",), mutates=True, source="issue 13"),
    # Issue 15: each person says or chooses their own language, whoever they are.
    _r("language", "language", EVERYONE, source="issue 15"),
    _r("language", "language fr", EVERYONE, mutates=True, source="issue 15"),
    _r("bodies", "bodies", EVERYONE),
    _r("body add", "body add wg-matrix Working group on the matrix --cadence 1/month",
       SECRETARIAT, ("secretariat",), mutates=True),
    _r("schedule", "schedule council-amb 2026-12-20 10:00 Matrix meeting",
       frozenset({CHAIR_ROLE, ADMIN_ROLE}), ("Chair", "secretariat"), mutates=True),
    _r("meetings", "meetings", EVERYONE),
    _r("meetings", "meetings council-amb", EVERYONE),
    # Issue 14: moving a meeting is the Chair's and the secretariat's, as scheduling it.
    _r("reschedule", "reschedule M1 2026-12-21 11:00", frozenset({CHAIR_ROLE, ADMIN_ROLE}),
       ("Chair", "secretariat"), mutates=True, source="issue 14"),
    _r("cancel", "cancel M1 The matrix says so", frozenset({CHAIR_ROLE, ADMIN_ROLE}),
       ("Chair", "secretariat"), mutates=True),
    _r("agenda", "agenda M1", EVERYONE),  # show: anyone
    _r("agenda", "agenda M1 add An item from the matrix",  # add: delegates, chair, admin
       DELEGATES | {CHAIR_ROLE, ADMIN_ROLE}, ("delegations", "Chair", "secretariat"),
       mutates=True),
    # Issue 14: the Chair and the secretariat circulate and move; a delegation edits its own.
    _r("agenda", "agenda M1 circulate", frozenset({CHAIR_ROLE, ADMIN_ROLE}),
       ("Chair", "secretariat"), mutates=True, source="issue 14"),
    _r("agenda", "agenda M1 move 2 1", frozenset({CHAIR_ROLE, ADMIN_ROLE}),
       ("Chair", "secretariat"), mutates=True, source="issue 14"),
    _r("agenda", "agenda M1 edit 1 France's issue, as the matrix words it",
       frozenset({DELEGATE, CHAIR_ROLE, ADMIN_ROLE}), ("Chair", "secretariat"), mutates=True,
       own=RAISER, source="issue 14"),
    # Issue 14: attendance and the record are the Chair's and the secretariat's to write
    # ("the secretariat records attendance"; "The Chair or secretariat finalises it"), and
    # anyone's to read; M2 is a meeting held an hour ago.
    _r("attendance", "attendance M2", EVERYONE, source="issue 14"),
    _r("attendance", "attendance M2 Iceland absent", frozenset({CHAIR_ROLE, ADMIN_ROLE}),
       ("Chair", "secretariat"), mutates=True, source="issue 14"),
    _r("record", "record M2", EVERYONE, source="issue 14"),
    _r("record", "record M2 item 1 The Council took note.", frozenset({CHAIR_ROLE, ADMIN_ROLE}),
       ("Chair", "secretariat"), mutates=True, source="issue 14"),
    _r("record", "record M2 final", frozenset({CHAIR_ROLE, ADMIN_ROLE}),
       ("Chair", "secretariat"), mutates=True, source="issue 14"),
    _r("records", "records", EVERYONE, source="issue 14"),
    _r("extraordinary", "extraordinary Consultations asked for by the matrix",
       DELEGATES | {CHAIR_ROLE}, ("delegations", "Chair"), mutates=True),
    _r("propose", "propose 48h A proposal from the matrix", DELEGATES | {CHAIR_ROLE},
       ("delegations", "Chair"), mutates=True),
    # Issue 14: a joint statement is proposed as a decision is; the Chair's statement is
    # the Chair's alone; the statements are read by anyone, as the decisions are.
    _r("statement joint", "statement joint 48h A joint statement from the matrix",
       DELEGATES | {CHAIR_ROLE}, ("delegations", "Chair"), mutates=True, source="issue 14"),
    _r("statement chair", "statement chair The Chair's words in the matrix",
       frozenset({CHAIR_ROLE}), ("Chair",), mutates=True, source="issue 14"),
    _r("statements", "statements", EVERYONE, source="issue 14"),
    _r("concur", "concur P3 With an interpretative statement", DELEGATES, ("delegations",),
       mutates=True),
    _r("concur", "concur P3", DELEGATES, ("delegations",), mutates=True),
    _r("object", "object P4 The matrix objects", DELEGATES, ("delegations",), mutates=True),
    _r("more-time", "more-time P3 The matrix needs a week", DELEGATES, ("delegations",),
       mutates=True),
    _r("extend", "extend P3 72h", frozenset({CHAIR_ROLE}), ("Chair",), mutates=True),
    _r("amend", "amend P3 An amended text from the matrix", frozenset({CHAIR_ROLE}),
       ("Chair",), mutates=True),
    # Issue 13: breaking silence by amendment (the break_silence roles: the matrix's
    # delegates are heads); the Chair revises a blocked text; the objecting member withdraws.
    _r("amendment", "amendment P3 An amended text --reason The matrix amends", DELEGATES,
       ("delegations",), mutates=True, source="issue 13"),
    _r("revise", "revise P5 48h A revised text from the matrix", frozenset({CHAIR_ROLE}),
       ("Chair",), mutates=True, source="issue 13"),
    _r("withdraw-objection", "withdraw-objection P5", frozenset({DELEGATE}),
       ("delegation",), mutates=True, own=RAISER, source="issue 13"),
    _r("polls", "polls", EVERYONE),
    # "proposer, chair": DELEGATE is Russia's delegate, who proposed P1; OTHER is the US's.
    _r("withdraw", "withdraw P1", frozenset({DELEGATE, CHAIR_ROLE}), ("proposer", "Chair"),
       mutates=True),
    _r("decisions", "decisions", EVERYONE),
    _r("decisions", "decisions D1", EVERYONE),
    _r("raise", "raise D1 The matrix finds D1 unimplemented", DELEGATES, ("delegations",),
       mutates=True),
    _r("issues", "issues", EVERYONE),
    _r("resolve", "resolve I2 Resolved by the matrix", frozenset({CHAIR_ROLE, ADMIN_ROLE}),
       ("Chair", "secretariat"), mutates=True),
    _r("status", "status", EVERYONE),
    # Beyond section 2's table (the rule comes from elsewhere in the spec and the issues):
    # section 5: an issue is listed "until the Chair or secretariat resolves it", and the
    # raising member may take back what it raised, as a proposer withdraws a poll.
    _r("withdraw", "withdraw I1", frozenset({DELEGATE, CHAIR_ROLE, ADMIN_ROLE}),
       ("raising delegation", "Chair", "secretariat"), mutates=True, own=RAISER,
       source="PRODUCT.md sections 2 (withdraw) and 5"),
    # section 6: the audit log is "readable by the secretariat".
    _r("audit", "audit", SECRETARIAT, ("secretariat",), source="PRODUCT.md section 6"),
    _r("audit", "audit 5", SECRETARIAT, ("secretariat",), source="PRODUCT.md section 6"),
    # issue 6: failed deliveries are "visible to admins (`outbox` command or `status`)".
    _r("outbox", "outbox", SECRETARIAT, ("secretariat",), source="issue 6"),
    # section 3: the feeds are served by address; whoever has one reads every meeting, so
    # the addresses are the secretariat's to hand out.
    _r("calendar", "calendar", SECRETARIAT, ("secretariat",), source="PRODUCT.md section 3"),
)


def user_for(role: str, row: Row) -> str:
    return {
        ANYONE: OUTSIDER,
        OTHER: delegate(BYSTANDER),
        DELEGATE: delegate(row.own),
        CHAIR_ROLE: CHAIR,
        ADMIN_ROLE: ADMIN,
    }[role]


CELLS = [pytest.param(row, role, id=f"{row.line[:40]} | {role}")
         for row in MATRIX for role in ROLES]


def test_the_matrix_covers_every_command() -> None:
    covered = {row.name for row in MATRIX}
    assert covered == set(REGISTRY), sorted(set(REGISTRY) ^ covered)
    assert len(CELLS) == len(MATRIX) * len(ROLES)


# -- the prepared state, built once per database --------------------------------------


def _prepare(runtime: Runtime) -> None:
    seat_council(runtime)
    ru = delegate(PROPOSER)
    expect = [
        (ru, "propose 48h P1: Russia's proposal that others may not withdraw", "Opened *P1*"),
        (ru, "propose 48h P2: to be adopted as D1", "Opened *P2*"),
    ]
    for user, line, start in expect:
        assert run(runtime, user, line).startswith(start)
    for code in CODES:
        reply = run(runtime, delegate(code), "concur P2")
        assert reply.startswith("Recorded"), reply
    assert "joint decision D1" in reply
    assert run(runtime, ru, "propose 48h P3: to concur with, extend, amend").startswith(
        "Opened *P3*")
    assert run(runtime, ru, "propose 48h P4: to object to").startswith("Opened *P4*")
    assert run(runtime, ru, "propose 48h P5: blocked, to revise").startswith("Opened *P5*")
    assert run(runtime, delegate(RAISER), "object P5 France objects").startswith("Recorded")
    assert run(runtime, ADMIN, "schedule council-amb 2026-12-15 10:00 Ambassadors").startswith(
        "Scheduled M1")
    _held_meeting(runtime)
    fr = delegate(RAISER)
    assert run(runtime, fr, "raise D1 I1: France's issue").startswith("Raised *I1*")
    assert run(runtime, fr, "raise D1 I2: an issue to resolve").startswith("Raised *I2*")


def _held_meeting(runtime: Runtime) -> None:
    """M2: an Ambassadors' meeting that began an hour ago (none can be scheduled in the
    past), with one agenda item and every member's attendance recorded."""
    with transaction(runtime.engine) as session:
        council = session.exec(select(Council)).one()
        body = session.exec(select(Body).where(Body.key == "council-amb")).one()
        meeting = Meeting(council_id=council.id or 0, body_id=body.id or 0,
                          starts_at=NOW - timedelta(hours=1), title="Held an hour ago",
                          created_by=ADMIN, created_at=NOW - timedelta(days=7))
        session.add(meeting)
        session.flush()
        session.add(AgendaItem(council_id=council.id or 0, meeting_id=meeting.id or 0,
                               text="An item of the held meeting", added_by=ADMIN,
                               created_at=NOW - timedelta(days=7), position=1))
    assert meeting.id == 2
    for code in CODES:
        assert run(runtime, ADMIN, f"attendance M2 {code} {delegate(code)}").startswith(
            "Recorded the attendance")


def _runtime(engine: Engine) -> Runtime:
    """A runtime on a database that already holds the prepared council (no re-seeding)."""
    return Runtime(Settings(admin_users=frozenset({ADMIN})), charter=CHARTER, engine=engine,
                   clock=Clock(NOW))


@dataclass
class Prepared:
    dialect: str
    snapshot: str  # export_state of the prepared council
    template: Path | None = None  # SQLite: a file to copy
    engine: Engine | None = None  # PostgreSQL: the session's engine, restored per cell


def _truncate(engine: Engine) -> None:
    names = ", ".join(model.__table__.name for model in TABLES)  # type: ignore[attr-defined]
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="module",
                params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def prepared(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Prepared]:
    if request.param == "sqlite":
        path = tmp_path_factory.mktemp("matrix") / "template.db"
        engine = make_engine(f"sqlite:///{path}")
        upgrade(engine)
        _prepare(make_runtime(engine))
        snapshot = export_state(engine)
        engine.dispose()  # the last connection closing folds the WAL into the file
        yield Prepared("sqlite", snapshot, template=path)
        return
    engine = request.getfixturevalue("postgres_engine")
    _truncate(engine)
    _prepare(make_runtime(engine))
    snapshot = export_state(engine)
    yield Prepared("postgres", snapshot, engine=engine)
    _truncate(engine)


@pytest.fixture
def council_state(prepared: Prepared, tmp_path: Path) -> Iterator[Runtime]:
    """The prepared council, fresh for this cell."""
    if prepared.template is not None:
        path = tmp_path / "cell.db"
        shutil.copyfile(prepared.template, path)
        wal = prepared.template.with_name(prepared.template.name + "-wal")
        if wal.exists():
            shutil.copyfile(wal, path.with_name(path.name + "-wal"))
        engine = make_engine(f"sqlite:///{path}")
        yield _runtime(engine)
        engine.dispose()
        return
    assert prepared.engine is not None
    _truncate(prepared.engine)
    import_state(prepared.engine, prepared.snapshot)
    yield _runtime(prepared.engine)


# -- the cells ------------------------------------------------------------------------


@pytest.mark.parametrize(("row", "role"), CELLS)
def test_permission_matrix(council_state: Runtime, prepared: Prepared, row: Row,
                           role: str) -> None:
    runtime = council_state
    before = export_state(runtime.engine)
    assert before == prepared.snapshot  # every cell starts from the same state
    user = user_for(role, row)
    reply = runtime.run_command(user, row.channel, row.line)
    after = export_state(runtime.engine)
    cell = f"{row.line!r} as {role} ({user}), per {row.source}"
    if role in row.allowed:
        assert not isinstance(reply, ErrorReply), f"{cell}: refused or failed: {reply.text}"
        assert not reply.text.startswith("Only "), f"{cell}: refused: {reply.text}"
        if row.mutates:
            assert after != before, f"{cell}: allowed but nothing changed: {reply.text}"
        else:
            assert after == before, f"{cell}: a read changed the state"
    else:
        assert reply.text.startswith("Only "), f"{cell}: expected a refusal, got: {reply.text}"
        first = reply.text.split("\n")[0]
        for word in row.who:
            assert word in first, f"{cell}: the refusal does not say {word!r} may: {first}"
        assert after == before, f"{cell}: refused, yet the state changed"
