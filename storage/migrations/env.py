"""Alembic environment: runs against the engine the bot hands it."""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import storage.tables  # noqa: F401  (registers every table)
from storage.engine import make_engine

config = context.config
target_metadata = SQLModel.metadata

#: Any number of processes may start at once; one migrates, the others wait.
MIGRATION_LOCK = 7_202_002


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = make_engine(config.get_main_option("sqlalchemy.url") or "sqlite:///nrc.db")
    with engine.connect() as connection:
        postgres = connection.dialect.name == "postgresql"
        if postgres:
            connection.execute(text(f"SELECT pg_advisory_lock({MIGRATION_LOCK})"))
            connection.commit()
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=connection.dialect.name == "sqlite",
                compare_type=True,
                on_version_apply=config.attributes.get("on_version_apply", ()),
            )
            with context.begin_transaction():
                context.run_migrations()
            connection.commit()
        finally:
            if postgres:
                connection.execute(text(f"SELECT pg_advisory_unlock({MIGRATION_LOCK})"))
                connection.commit()


run_migrations_online()
