"""The whole state as JSON, and back (``nrc-bot export`` / ``nrc-bot import``).

Export → import → export is byte-identical: rows in id order, keys sorted,
instants in ISO 8601 UTC.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from storage.columns import UTCDateTime
from storage.engine import transaction
from storage.tables import TABLES

FORMAT = "nrc-bot/1"


class ImportRefused(Exception):
    pass


def _encode(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def export_state(engine: Engine) -> str:
    data: dict[str, Any] = {"format": FORMAT, "tables": {}}
    with Session(engine) as session:
        for model in TABLES:
            table = model.__table__  # type: ignore[attr-defined]
            rows = session.execute(select(table).order_by(table.c.id)).mappings()
            data["tables"][table.name] = [
                {key: _encode(value) for key, value in row.items()} for row in rows
            ]
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def import_state(engine: Engine, document: str) -> dict[str, int]:
    """Restore an export into an empty database; refuse a database that has data."""
    try:
        data = json.loads(document)
    except json.JSONDecodeError as exc:
        raise ImportRefused(f"the file is not JSON ({exc.msg} at line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ImportRefused(f"the file is not an nrc-bot export (format {FORMAT})")
    counts: dict[str, int] = {}
    with transaction(engine) as session:
        for model in TABLES:
            table = model.__table__  # type: ignore[attr-defined]
            if session.execute(select(func.count()).select_from(table)).scalar_one():
                raise ImportRefused(f"the database is not empty (table {table.name} has rows)")
        for model in TABLES:
            table = model.__table__  # type: ignore[attr-defined]
            rows = data["tables"].get(table.name, [])
            known = {c.name for c in table.columns}
            decoded = []
            for row in rows:
                unknown = set(row) - known
                if unknown:
                    raise ImportRefused(f"table {table.name} has unknown columns {sorted(unknown)}")
                decoded.append({
                    name: (datetime.fromisoformat(value)
                           if isinstance(table.c[name].type, UTCDateTime) and value is not None
                           else value)
                    for name, value in row.items()
                })
            if decoded:
                session.execute(insert(table), decoded)
            counts[table.name] = len(decoded)
        if session.get_bind().dialect.name == "postgresql":
            for model in TABLES:
                name = model.__table__.name  # type: ignore[attr-defined]
                session.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                ))
    return counts
