"""The rules of the delegations, on plain values.

The Rome Declaration: the Council is a body "in which the individual NRC member
states" work as equal partners; each member is represented by its delegation.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from bot.i18n import N_
from storage.models import Notify

T = TypeVar("T")

#: The roles in a delegation, in the order a listing shows them (the words translated
#: where shown: ``_(ROLES[role])``).
ROLES = {
    "head": N_("head of delegation"),
    "deputy": N_("deputy head of delegation"),
    "milrep": N_("military representative"),
    "expert": N_("expert"),
}
HEAD, DEPUTY, EXPERT = "head", "deputy", "expert"


def default_role(has_head: bool) -> str:
    """"Without a role, the first delegate of a member is its head of delegation and later
    ones are experts." """
    return EXPERT if has_head else HEAD


def heads_replaced(role: str, heads: Sequence[T]) -> list[T]:
    """"A member has one head of delegation: naming a new head makes the previous one
    deputy." The heads (other than the one named) who become deputies."""
    return list(heads) if role == HEAD else []


def role_order(role: str) -> int:
    return list(ROLES).index(role)


def notify_choice(word: str) -> Notify | None:
    """"Each delegate chooses how they hear about what their member owes: dm, channel or
    off." The choice a word names, if any (any case)."""
    try:
        return Notify(word.casefold())
    except ValueError:
        return None
