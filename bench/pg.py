"""A fresh PostgreSQL database per run, dropped afterwards (as ``tests/conftest.py`` does)."""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator

from sqlalchemy.engine import make_url

ENV = "NRC_BENCH_POSTGRES_URL"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"


def base_url() -> str:
    return os.environ.get(ENV) or DEFAULT_URL


def _admin_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def server_version(url: str) -> str | None:
    """The server's version, or None when PostgreSQL does not answer."""
    import psycopg

    try:
        with psycopg.connect(_admin_url(url), autocommit=True, connect_timeout=5) as conn:
            row = conn.execute("SHOW server_version").fetchone()
    except psycopg.Error:
        return None
    return str(row[0]) if row else None


@contextlib.contextmanager
def fresh_database(url: str, prefix: str = "nrc_bench") -> Iterator[str]:
    """Create a database named ``{prefix}_{random}``; yield its SQLAlchemy URL; drop it."""
    import psycopg

    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = _admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(url).set(drivername="postgresql+psycopg", database=name).render_as_string(
            hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
