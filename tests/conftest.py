"""Fixtures: databases on SQLite and PostgreSQL, and a council of 20 in one line."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from bot.runtime import Runtime
from storage import installations
from storage.engine import make_engine, upgrade
from storage.tables import TABLES
from tests.council import Clock, make_runtime, seat_council
from tests.e2e import bot_server  # noqa: F401  (fixture)
from tests.fakeslack import fake_slack  # noqa: F401  (fixture)

PG_ENV = "NRC_TEST_POSTGRES_URL"


def _admin_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(f"{PG_ENV} is not set")
    import psycopg

    name = f"nrc_test_{uuid.uuid4().hex[:10]}"
    admin = _admin_url(base)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = make_url(base).set(drivername="postgresql+psycopg", database=name)
    yield url.render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def postgres_engine(postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(postgres_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def _truncate(engine: Engine) -> None:
    names = ", ".join([*(model.__table__.name for model in TABLES),  # type: ignore[attr-defined]
                       *installations.METADATA.tables])
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty database: each test runs once on SQLite and once on PostgreSQL."""
    if request.param == "sqlite":
        eng = make_engine(f"sqlite:///{tmp_path / 'nrc.db'}")
        upgrade(eng)
        yield eng
        eng.dispose()
        return
    eng = request.getfixturevalue("postgres_engine")
    _truncate(eng)
    yield eng
    _truncate(eng)


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    eng = make_engine(f"sqlite:///{tmp_path / 'nrc.db'}")
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2026, 12, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def runtime(engine: Engine, clock: Clock) -> Iterator[Runtime]:
    """The charter's council, prepared, with no delegates yet."""
    runtime = make_runtime(engine, clock)
    yield runtime
    runtime.close()  # no delivery thread outlives its test (the next reuses the row ids)


@pytest.fixture
def council(runtime: Runtime) -> Runtime:
    """A council of 20: a head delegate for every member, a Chair and a bound channel."""
    seat_council(runtime)
    return runtime
