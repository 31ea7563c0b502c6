"""The database engine, sessions and migrations."""

from __future__ import annotations

import contextlib
import contextvars
import logging
import select
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command as alembic_command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DisconnectionError
from sqlmodel import Session, create_engine

DEFAULT_URL = "sqlite:///nrc.db"
MIGRATIONS = Path(__file__).with_name("migrations")

#: Set while a read-only unit of work runs in this thread (see :func:`reading`).
_READ_ONLY: contextvars.ContextVar[bool] = contextvars.ContextVar("nrc_read_only", default=False)
_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


class ReadOnlyViolation(RuntimeError):
    """A unit of work declared read-only tried to write: a bug, never a user's error."""


def normalise_url(url: str) -> str:
    """Let operators write ``postgresql://`` and still get psycopg 3."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str = DEFAULT_URL, **kwargs: Any) -> Engine:
    """An engine with the settings each backend needs to be safe under concurrency."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _configure_sqlite(engine)
    else:
        kwargs.setdefault("pool_size", 5)
        kwargs.setdefault("max_overflow", 10)
        engine = create_engine(url, **kwargs)
        if not kwargs.get("pool_pre_ping"):
            event.listen(engine, "checkout", _replace_closed)
    event.listen(engine, "before_cursor_execute", _refuse_writes)
    return engine


def _replace_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """On checkout, replace a connection the server has closed (restart, outage, idle kill).

    An idle connection has nothing to read unless the server hung up: one
    ``select()`` on its socket tells, without the round trip of a ping (which
    cost a quarter of a short request). ``DisconnectionError`` makes the pool
    discard it and connect anew. A connection that dies unannounced fails its
    first statement instead, which invalidates the pool for the next request.
    """
    if dbapi_connection.closed or dbapi_connection.broken:
        raise DisconnectionError("the connection is closed")
    readable, _, _ = select.select([dbapi_connection.fileno()], [], [], 0)
    if readable:
        raise DisconnectionError("the server closed the connection")


def _refuse_writes(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
    """Hold read-only units of work to their promise, on every backend alike."""
    if _READ_ONLY.get() and statement.lstrip()[:7].upper().startswith(_WRITES):
        raise ReadOnlyViolation(f"a read-only unit of work tried to write: {statement[:80]}")


def _configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, and write transactions that take the lock up front.

    ``BEGIN IMMEDIATE`` makes SQLite serialise writers at the start of a
    transaction, as ``SELECT … FOR UPDATE`` does on PostgreSQL, so a read
    followed by a write can never act on a stale snapshot. A unit of work
    declared read-only (:func:`reading`) begins deferred instead: in WAL mode
    readers then run beside the writer rather than queueing behind it. It may
    not write (a deferred transaction that writes after another has committed
    fails at once, whatever the busy timeout), and any attempt is refused.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if _READ_ONLY.get() else "BEGIN IMMEDIATE")


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


@contextlib.contextmanager
def transaction(engine: Engine, *, read_only: bool = False) -> Iterator[Session]:
    """One unit of work: committed when the block ends, rolled back on error.

    ``read_only`` promises that the block writes nothing. SQLite then lets it
    run beside a writer (see :func:`_configure_sqlite`); PostgreSQL runs it
    without BEGIN and COMMIT, which at READ COMMITTED sees exactly what a
    transaction would (each statement its own snapshot) for two round trips less.
    """
    token = _READ_ONLY.set(read_only)
    try:
        bind = _autocommit(engine) if read_only and engine.dialect.name == "postgresql" else engine
        with Session(bind, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise
    finally:
        _READ_ONLY.reset(token)


#: id(engine) -> (the engine, its autocommit face). The engine is kept beside its face to
#: tell a reused id from the same engine (an OptionEngine's ``.engine`` is itself).
_AUTOCOMMIT: dict[int, tuple[Engine, Engine]] = {}


def _autocommit(engine: Engine) -> Engine:
    """The engine's autocommit face: the same pool, connections without transactions.
    Built once per engine: building one costs more than the statement it serves."""
    found = _AUTOCOMMIT.get(id(engine))
    if found is None or found[0] is not engine:
        found = _AUTOCOMMIT[id(engine)] = (
            engine, engine.execution_options(isolation_level="AUTOCOMMIT"))
    return found[1]


@contextlib.contextmanager
def one_statement(engine: Engine) -> Iterator[Connection]:
    """A connection for a unit of work that is one statement (or statements each
    complete in itself): on PostgreSQL without BEGIN and COMMIT, as the statement
    is atomic on its own; on SQLite a transaction as usual (statements there cost no
    round trip, and writers take the lock up front)."""
    if engine.dialect.name == "postgresql":
        with _autocommit(engine).connect() as connection:
            yield connection
    else:
        with engine.begin() as connection:
            yield connection


def reading(engine: Engine) -> contextlib.AbstractContextManager[Session]:
    """A read-only unit of work (views built for delivery, listings)."""
    return transaction(engine, read_only=True)


def in_read_only() -> bool:
    """Whether the current unit of work was declared read-only."""
    return _READ_ONLY.get()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


_upgrade_lock = threading.Lock()
#: One line per revision this process applies; Alembic's own chatter stays on "alembic".
migration_log = logging.getLogger("storage.migrations")


def upgrade(engine: Engine) -> list[str]:
    """Bring the database to the newest migration (idempotent); the revisions applied.

    Each applied revision is announced on ``storage.migrations`` ("Database
    upgraded to 0001 (initial schema)."); a database already up to date says nothing.
    """
    applied: list[str] = []

    def announce(*, step: Any, **_: Any) -> None:
        if step.is_upgrade:
            revision = step.up_revision
            title = (revision.doc or "").strip().splitlines()[0] if revision.doc else ""
            applied.append(revision.revision)
            migration_log.info("Database upgraded to %s%s.", revision.revision,
                               f" ({title})" if title else "")

    config = alembic_config(engine)
    config.attributes["on_version_apply"] = [announce]
    with _upgrade_lock:
        alembic_command.upgrade(config, "heads")
    return applied


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
