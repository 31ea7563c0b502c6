"""The tamper-evident audit log.

Each entry stores a SHA-256 over its canonical content and the previous
entry's hash, so that editing or deleting any row behind the bot's back breaks
the chain from that row on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert
from sqlmodel import Session, col, select

from bot.i18n import _
from storage.models import AuditEntry
from storage.queries import lock_council

GENESIS = "0" * 64
SYSTEM = "system"  # the actor and capacity of what the bot does by itself
SECRETARIAT = "secretariat"
CHAIR = "chair"
DELEGATE = "delegate:"  # followed by the member's name


def delegate_of(member: str) -> str:
    return DELEGATE + member


def canonical(entry: AuditEntry) -> bytes:
    content = {
        "council_id": entry.council_id,
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "member": entry.member,
        "action": entry.action,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    if entry.capacity is not None:  # entries written before capacities hash as they were
        content["capacity"] = entry.capacity
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


_TABLE = AuditEntry.__table__  # type: ignore[attr-defined]
_LAST = (select(_TABLE.c.seq, _TABLE.c.hash).where(_TABLE.c.council_id == bindparam("council_id"))
         .order_by(_TABLE.c.seq.desc()).limit(1))
_APPEND = insert(_TABLE)


def append(
    session: Session,
    council_id: int,
    at: datetime,
    actor: str,
    action: str,
    details: dict[str, Any],
    member: str | None = None,
    capacity: str | None = None,
) -> AuditEntry:
    """Append one entry, under the council's write lock so the chain never forks.

    Read and written through the table rather than the ORM: an entry is never
    changed once written, and every change the council makes writes one.
    """
    lock_council(session, council_id)
    last = session.execute(_LAST, {"council_id": council_id}).first()
    entry = AuditEntry(
        council_id=council_id,
        seq=(last.seq + 1) if last else 1,
        at=at,
        actor=actor,
        member=member,
        action=action,
        details=details,
        prev_hash=last.hash if last else GENESIS,
        hash="",
        capacity=capacity,
    )
    entry.hash = digest(entry)
    session.execute(_APPEND, entry.model_dump(exclude={"id"}))
    return entry


@dataclass(frozen=True)
class Verdict:
    entries: int
    broken_at: AuditEntry | None
    reason: str | None

    @property
    def intact(self) -> bool:
        return self.broken_at is None


def verify(session: Session, council_id: int) -> Verdict:
    """Walk the chain and name the first entry that does not match."""
    prev = GENESIS
    count = 0
    entries = session.exec(
        select(AuditEntry).where(AuditEntry.council_id == council_id).order_by(col(AuditEntry.seq))
    )
    for count, entry in enumerate(entries, start=1):
        if entry.seq != count:
            return Verdict(count, entry, _("entry {seq} follows a missing entry {missing}",
                                           seq=entry.seq, missing=count))
        if entry.prev_hash != prev:
            return Verdict(count, entry, _("entry {seq} does not follow entry {previous}",
                                           seq=entry.seq, previous=count - 1))
        if digest(entry) != entry.hash:
            return Verdict(count, entry, _("entry {seq} was altered after it was written",
                                           seq=entry.seq))
        prev = entry.hash
    return Verdict(count, None, None)
