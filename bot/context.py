"""Who is acting, in which council, at what moment: what every use-case is given."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot import audit, bus, outbox
from bot.permissions import Role, check, granting
from bot.scope import Scope, Scoped
from storage.models import Council, Member
from storage.queries import lock_council
from storage.roster import roster_of


@dataclass(frozen=True)
class Actor:
    """A Slack user as the council sees them."""

    user_id: str
    roles: frozenset[Role]
    member: Member | None = None
    delegate_role: str | None = None

    @property
    def is_chair(self) -> bool:
        return Role.CHAIR in self.roles

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles


def resolve_actor(session: Session, council: Council, user_id: str,
                  admins: frozenset[str]) -> Actor:
    roles = {Role.ANYONE}
    if user_id in admins:
        roles.add(Role.ADMIN)
    if council.chair_user_id == user_id:
        roles.add(Role.CHAIR)
    seat = roster_of(session, council).seat_of(user_id)
    if seat is None:
        return Actor(user_id, frozenset(roles))
    delegate, member = seat
    roles.add(Role.DELEGATE)
    return Actor(user_id, frozenset(roles), member, delegate.role)


@dataclass
class Context(Scoped, outbox.OutboxWriter):
    """One request's view of the council, inside one transaction."""

    session: Session
    council: Council
    actor: Actor
    now: datetime
    #: The deployment's charter, settings, zone and slash command.
    scope: Scope
    admins: frozenset[str]
    channel_id: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)
    #: The roles by which the checks of this request allowed it (None: nothing checked).
    granted: frozenset[Role] | None = None

    def require(self, action: str, *also: Role) -> None:
        """Check the permission table; ``also`` are roles held on the subject at hand."""
        held = self.actor.roles | frozenset(also)
        check(action, held)
        self.granted = (self.granted or frozenset()) | granting(action, held)

    def lock(self) -> None:
        """Serialise writers of this council (SQLite: BEGIN IMMEDIATE already does)."""
        lock_council(self.session, self.council_id)

    def capacity(self, member: Member | None) -> str | None:
        """In which capacity the actor acts on a change concerning ``member``.

        As a delegate when the permission was theirs as a delegation (or proposer,
        or raiser) and the change concerns their own member or none; else as the
        Chair, else as the secretariat, by whichever role allowed the request.
        """
        roles = self.actor.roles if self.granted is None else self.granted
        own = self.actor.member
        as_delegate = roles & {Role.DELEGATE, Role.PROPOSER, Role.RAISER}
        if own is not None and as_delegate and (member is None or member.id == own.id):
            return audit.delegate_of(own.name)
        if Role.CHAIR in roles:
            return audit.CHAIR
        if Role.ADMIN in roles:
            return audit.SECRETARIAT
        return audit.delegate_of(own.name) if own is not None and as_delegate else None

    def audit(self, action: str, details: dict[str, Any], member: Member | None = None) -> None:
        """One audit entry: who acted, in which capacity, and the member it concerns.

        A delegate's change concerns their own member unless told otherwise.
        """
        capacity = self.capacity(member)
        if member is None and capacity is not None and capacity.startswith(audit.DELEGATE):
            member = self.actor.member
        audit.append(self.session, self.council_id, self.now, self.actor.user_id, action,
                     details, member.name if member else None, capacity)

    def publish(self, event: object) -> None:
        """Tell the features that follow this change (``bot.bus``), in this transaction."""
        bus.publish(self, event)

    def homes_of(self, member_ids: Iterable[int | None]) -> list[str]:
        """The users whose App Home shows these members' business: their delegates (the
        roster copy knows them), the Chair and the secretariat."""
        users = roster_of(self.session, self.council).delegates_of(member_ids)
        if self.council.chair_user_id:
            users.append(self.council.chair_user_id)
        return users + sorted(self.admins)

    def refresh_homes(self, *, members: Iterable[int | None] | None = None,
                      users: Iterable[str] = (),
                      settle: timedelta = outbox.HOME_SETTLE) -> None:
        """Ask for App Homes to be published again: ``users``'s, and (when ``members`` is
        given) the Homes that show those members' business. Built at delivery, ``settle``
        from now, so the changes of a busy minute are published together."""
        targets = [*users, *(self.homes_of(members) if members is not None else [])]
        outbox.publish_homes(self.session, self.council_id, targets, self.now, settle)
