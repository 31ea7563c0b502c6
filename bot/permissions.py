"""Who may do what: the one table, checked in one place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.errors import Refused


class Role(StrEnum):
    ANYONE = "anyone"
    DELEGATE = "delegate"
    CHAIR = "chair"
    ADMIN = "admin"
    PROPOSER = "proposer"  # the one who opened the poll in question
    RAISER = "raiser"  # a delegate of the member that raised the issue in question
    REQUESTER = "requester"  # who asked for the extraordinary meeting: its member's delegates


_ROLE_WORDS = {
    Role.ANYONE: "anyone",
    Role.DELEGATE: "delegations",
    Role.CHAIR: "the Chair",
    Role.ADMIN: "the secretariat",
    Role.PROPOSER: "the proposer",
    Role.RAISER: "the raising delegation",
    Role.REQUESTER: "the requesting delegation",
}


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    doing: str  # completes "Only … may <doing>."


def _rule(doing: str, *roles: Role) -> Rule:
    return Rule(frozenset(roles), doing)


A, D, C, S, P, R = Role.ANYONE, Role.DELEGATE, Role.CHAIR, Role.ADMIN, Role.PROPOSER, Role.RAISER
Q = Role.REQUESTER

#: The permission table: action -> who may (PRODUCT.md section 2).
PERMISSIONS: dict[str, Rule] = {
    "help": _rule("read the help", A),
    "setup": _rule("bind the council channel", S),
    "members": _rule("list the members", A),
    "delegate add": _rule("add delegates", S),
    "delegate remove": _rule("remove delegates", S),
    "chair": _rule("set the Chair", S),
    "notify": _rule("choose how reminders reach them", D),
    "language": _rule("choose their language", A),
    "bodies": _rule("list the bodies", A),
    "body add": _rule("add committees and working groups", S),
    "schedule": _rule("schedule meetings", C, S),
    "meetings": _rule("list meetings", A),
    "reschedule": _rule("move meetings", C, S),
    "cancel": _rule("cancel meetings", C, S),
    "agenda": _rule("read agendas", A),
    "agenda add": _rule("add agenda items", D, C, S),
    "agenda edit": _rule("edit agenda items", D, C, S),
    "agenda remove": _rule("remove agenda items", D, C, S),
    "agenda move": _rule("move agenda items", C, S),
    "agenda circulate": _rule("circulate agendas", C, S),
    "agenda adopt": _rule("record an agenda as adopted", C, S),
    "attendance": _rule("read attendance", A),
    "attendance record": _rule("record attendance", C, S),
    "record": _rule("read the record of a meeting", A),
    "record write": _rule("write the record of a meeting", C, S),
    "record final": _rule("finalise the record of a meeting", C, S),
    "records": _rule("list the records of meetings", A),
    "extraordinary": _rule("request an extraordinary meeting", D, C),
    "propose": _rule("open consensus polls", D, C),
    "statement joint": _rule("propose joint statements", D, C),
    "statement chair": _rule("issue the Chair's statements", C),
    "concur": _rule("take positions", D),
    "object": _rule("take positions", D),
    "extend": _rule("extend a poll's deadline", C),
    "amend": _rule("amend a poll's text", C),
    "amendment": _rule("propose amendments", D),
    "revise": _rule("revise a blocked poll's text", C),
    "withdraw-objection": _rule("withdraw objections", D),
    "polls": _rule("list polls", A),
    "withdraw proposal": _rule("withdraw this poll", P, C),
    "withdraw issue": _rule("withdraw this issue", R, C, S),
    "withdraw request": _rule("withdraw this extraordinary request", Q, C),
    "decisions": _rule("list joint decisions", A),
    "statements": _rule("list statements", A),
    "raise": _rule("raise implementation issues", D),
    "issues": _rule("list implementation issues", A),
    "resolve": _rule("resolve implementation issues", C, S),
    "status": _rule("see the dashboard", A),
    "audit": _rule("read the audit log", S),
    "calendar": _rule("read the calendar feed addresses", S),
    "outbox": _rule("inspect the outbox", S),
}


def describe(roles: frozenset[Role], conjunction: str = "or") -> str:
    ordered = [_ROLE_WORDS[r] for r in Role if r in roles]
    if len(ordered) <= 1:
        return "".join(ordered)
    return ", ".join(ordered[:-1]) + f" {conjunction} " + ordered[-1]


def check(action: str, held: frozenset[Role]) -> None:
    """Raise :class:`Refused`, saying who may, unless one held role is allowed."""
    rule = PERMISSIONS[action]
    if Role.ANYONE in rule.roles or rule.roles & held:
        return
    who = describe(rule.roles)
    message = f"Only {who} may {rule.doing}."
    if rule.roles == {Role.DELEGATE}:
        message = f"Only delegations may {rule.doing}; you are not in a member's delegation."
    raise Refused(message[0].upper() + message[1:])


def granting(action: str, held: frozenset[Role]) -> frozenset[Role]:
    """The held roles by which ``action`` is allowed (all of them for an action open to anyone)."""
    rule = PERMISSIONS[action]
    return held if Role.ANYONE in rule.roles else rule.roles & held


def allowed(action: str, held: frozenset[Role]) -> bool:
    rule = PERMISSIONS[action]
    return Role.ANYONE in rule.roles or bool(rule.roles & held)
