"""The members and their delegates, read once per change rather than once per request.

Nearly every request needs the roster: who the user acts for, the members' names on
a poll, the delegates whose App Homes a change concerns. It changes rarely (the
secretariat seats a delegate), so each process keeps a copy per council, stamped
with the council's ``roster_stamp``. Every flush that adds, changes or removes a
member or a delegate gives the council a new stamp in the same transaction (an
``after_flush`` hook, so no code path can forget), and a request compares the stamp
on the council row it reads anyway: a copy is used only while it is the roster that
row describes, in this process or any other.

The copies are shared between requests and threads: read them, never change them
or add them to a session. A change loads its own rows.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from storage.models import Council, Delegate, Member, new_stamp

#: Councils whose roster a process keeps (most recently used first out).
KEPT = 64


@dataclass(frozen=True)
class Roster:
    """One council's members (by ordinal, active or not) and delegates (by seniority)."""

    stamp: str
    members: tuple[Member, ...]
    delegates: tuple[Delegate, ...]
    _by_id: dict[int, Member] = field(default_factory=dict, compare=False, repr=False)
    _by_user: dict[str, Delegate] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._by_id.update({m.id or 0: m for m in self.members})
        self._by_user.update({d.user_id: d for d in self.delegates})

    @property
    def by_id(self) -> dict[int, Member]:
        return dict(self._by_id)

    def member(self, member_id: int) -> Member | None:
        return self._by_id.get(member_id)

    def active(self) -> list[Member]:
        return [m for m in self.members if m.active]

    def seat_of(self, user_id: str) -> tuple[Delegate, Member] | None:
        """The delegation a user sits in, if any."""
        delegate = self._by_user.get(user_id)
        if delegate is None:
            return None
        member = self._by_id.get(delegate.member_id)
        return (delegate, member) if member is not None else None

    def delegates_of(self, member_ids: Iterable[int | None]) -> list[str]:
        """The users acting for these members, the longest-seated first."""
        wanted = {m for m in member_ids if m is not None}
        return [d.user_id for d in self.delegates if d.member_id in wanted]


_lock = threading.Lock()
_kept: OrderedDict[tuple[str, int], Roster] = OrderedDict()


def _load(session: Session, council_id: int, stamp: str) -> Roster:
    members = Member.__table__  # type: ignore[attr-defined]
    delegates = Delegate.__table__  # type: ignore[attr-defined]
    return Roster(
        stamp=stamp,
        members=tuple(Member(**row) for row in session.execute(
            select(members).where(members.c.council_id == council_id)
            .order_by(members.c.ordinal, members.c.id)).mappings()),
        delegates=tuple(Delegate(**row) for row in session.execute(
            select(delegates).where(delegates.c.council_id == council_id)
            .order_by(delegates.c.id)).mappings()),
    )


def roster_of(session: Session, council: Council) -> Roster:
    """The council's roster as of the ``council`` row read in this unit of work."""
    assert council.id is not None
    stamp = council.roster_stamp
    if not stamp:  # a row from before stamps: never trusted to a copy
        return _load(session, council.id, stamp)
    bind = session.get_bind()
    url = bind.engine.url if isinstance(bind, Connection) else bind.url
    key = (str(url), council.id)
    with _lock:
        kept = _kept.get(key)
        if kept is not None and kept.stamp == stamp:
            _kept.move_to_end(key)
            return kept
    roster = _load(session, council.id, stamp)
    with _lock:
        _kept[key] = roster
        _kept.move_to_end(key)
        while len(_kept) > KEPT:
            _kept.popitem(last=False)
    return roster


def roster_for(session: Session, council_id: int) -> Roster:
    """The roster of a council this unit of work has read (or reads now)."""
    council = session.get(Council, council_id)
    if council is None:
        return Roster(stamp="", members=(), delegates=())
    return roster_of(session, council)


@event.listens_for(OrmSession, "after_flush")
def _restamp(session: OrmSession, _context: Any) -> None:
    """A flush that touched members or delegates gives their councils a new stamp."""
    councils = {obj.council_id for obj in (*session.new, *session.dirty, *session.deleted)
                if isinstance(obj, Member | Delegate)}
    if not councils:
        return
    stamp = new_stamp()
    table = Council.__table__  # type: ignore[attr-defined]
    session.connection().execute(
        update(table).where(table.c.id.in_(sorted(councils))).values(roster_stamp=stamp))
    for obj in list(session.identity_map.values()):
        # The council rows this unit of work holds now say what the database says,
        # so the rest of it reads the changed roster, not a copy of the old one.
        if isinstance(obj, Council) and obj.id in councils:
            set_committed_value(obj, "roster_stamp", stamp)
