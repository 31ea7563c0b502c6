"""The reads the delegation commands need (the roster copy serves the rest)."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.delegations.rules import HEAD
from storage.models import Council, Delegate, Member


def delegate_of(session: Session, council_id: int, user_id: str
                ) -> tuple[Delegate, Member] | None:
    """The user's seat in a delegation of this council, with its member."""
    row = session.exec(
        select(Delegate, Member)
        .join(Member, col(Member.id) == col(Delegate.member_id))
        .where(Delegate.council_id == council_id, Delegate.user_id == user_id)
    ).first()
    return (row[0], row[1]) if row else None


def has_head(session: Session, member_id: int | None) -> bool:
    return session.exec(
        select(Delegate).where(Delegate.member_id == member_id, Delegate.role == HEAD)
    ).first() is not None


def heads_besides(session: Session, council_id: int, member_id: int | None,
                  user_id: str) -> list[Delegate]:
    """The member's heads of delegation other than ``user_id``, oldest first."""
    return list(session.exec(
        select(Delegate).where(Delegate.council_id == council_id,
                               Delegate.member_id == member_id, Delegate.role == HEAD,
                               Delegate.user_id != user_id).order_by(col(Delegate.id))))


def others_in(session: Session, council_id: int, member_id: int | None,
              delegate_id: int | None) -> list[Delegate]:
    """The member's delegates other than ``delegate_id``, oldest first."""
    return list(session.exec(
        select(Delegate).where(Delegate.council_id == council_id,
                               Delegate.member_id == member_id, Delegate.id != delegate_id)
        .order_by(col(Delegate.id))))


def council_with_channel(session: Session, channel_id: str, besides: int) -> Council | None:
    """Another council already bound to ``channel_id``."""
    return session.exec(
        select(Council).where(Council.channel_id == channel_id, Council.id != besides)
    ).first()
