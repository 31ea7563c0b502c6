"""Who may do what: the one table, checked in one place."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from bot.errors import Refused
from bot.i18n import N_, _, ngettext


class Role(StrEnum):
    ANYONE = "anyone"
    DELEGATE = "delegate"
    CHAIR = "chair"
    ADMIN = "admin"
    PROPOSER = "proposer"  # the one who opened the poll in question
    RAISER = "raiser"  # a delegate of the member that raised the issue in question
    REQUESTER = "requester"  # who asked for the extraordinary meeting: its member's delegates


_ROLE_WORDS = {
    Role.ANYONE: N_("anyone"),
    Role.DELEGATE: N_("delegations"),
    Role.CHAIR: N_("the Chair"),
    Role.ADMIN: N_("the secretariat"),
    Role.PROPOSER: N_("the proposer"),
    Role.RAISER: N_("the raising delegation"),
    Role.REQUESTER: N_("the requesting delegation"),
}


@dataclass(frozen=True)
class Rule:
    roles: frozenset[Role]
    doing: str  # completes "Only … may <doing>." (marked N_, translated where said)


def _rule(doing: str, *roles: Role) -> Rule:
    return Rule(frozenset(roles), doing)


A, D, C, S, P, R = Role.ANYONE, Role.DELEGATE, Role.CHAIR, Role.ADMIN, Role.PROPOSER, Role.RAISER
Q = Role.REQUESTER

#: The permission table: action -> who may (PRODUCT.md section 2).
PERMISSIONS: dict[str, Rule] = {
    "help": _rule(N_("read the help"), A),
    "setup": _rule(N_("bind the council channel"), S),
    "members": _rule(N_("list the members"), A),
    "delegate add": _rule(N_("add delegates"), S),
    "delegate remove": _rule(N_("remove delegates"), S),
    "chair": _rule(N_("set the Chair"), S),
    "notify": _rule(N_("choose how reminders reach them"), D),
    "language": _rule(N_("choose their language"), A),
    "bodies": _rule(N_("list the bodies"), A),
    "body add": _rule(N_("add committees and working groups"), S),
    "schedule": _rule(N_("schedule meetings"), C, S),
    "meetings": _rule(N_("list meetings"), A),
    "reschedule": _rule(N_("move meetings"), C, S),
    "cancel": _rule(N_("cancel meetings"), C, S),
    "agenda": _rule(N_("read agendas"), A),
    "agenda add": _rule(N_("add agenda items"), D, C, S),
    "agenda edit": _rule(N_("edit agenda items"), D, C, S),
    "agenda remove": _rule(N_("remove agenda items"), D, C, S),
    "agenda move": _rule(N_("move agenda items"), C, S),
    "agenda circulate": _rule(N_("circulate agendas"), C, S),
    "agenda adopt": _rule(N_("record an agenda as adopted"), C, S),
    "attendance": _rule(N_("read attendance"), A),
    "attendance record": _rule(N_("record attendance"), C, S),
    "record": _rule(N_("read the record of a meeting"), A),
    "record write": _rule(N_("write the record of a meeting"), C, S),
    "record final": _rule(N_("finalise the record of a meeting"), C, S),
    "records": _rule(N_("list the records of meetings"), A),
    "extraordinary": _rule(N_("request an extraordinary meeting"), D, C),
    "propose": _rule(N_("open consensus polls"), D, C),
    "statement joint": _rule(N_("propose joint statements"), D, C),
    "statement chair": _rule(N_("issue the Chair's statements"), C),
    "concur": _rule(N_("take positions"), D),
    "object": _rule(N_("take positions"), D),
    "extend": _rule(N_("extend a poll's deadline"), C),
    "amend": _rule(N_("amend a poll's text"), C),
    "amendment": _rule(N_("propose amendments"), D),
    "revise": _rule(N_("revise a blocked poll's text"), C),
    "withdraw-objection": _rule(N_("withdraw objections"), D),
    "polls": _rule(N_("list polls"), A),
    "withdraw proposal": _rule(N_("withdraw this poll"), P, C),
    "withdraw issue": _rule(N_("withdraw this issue"), R, C, S),
    "withdraw request": _rule(N_("withdraw this extraordinary request"), Q, C),
    "decisions": _rule(N_("list joint decisions"), A),
    "statements": _rule(N_("list statements"), A),
    "raise": _rule(N_("raise implementation issues"), D),
    "issues": _rule(N_("list implementation issues"), A),
    "resolve": _rule(N_("resolve implementation issues"), C, S),
    "status": _rule(N_("see the dashboard"), A),
    "audit": _rule(N_("read the audit log"), S),
    "calendar": _rule(N_("read the calendar feed addresses"), S),
    "outbox": _rule(N_("inspect the outbox"), S),
}


def describe(roles: frozenset[Role], conjunction: str = "or") -> str:
    """The roles in words, in the current language: "the Chair or the secretariat"
    (``conjunction``: "or" or "and")."""
    ordered = [_(_ROLE_WORDS[r]) for r in Role if r in roles]
    if len(ordered) <= 1:
        return "".join(ordered)
    if conjunction == "and":
        return _("{items} and {last}", items=", ".join(ordered[:-1]), last=ordered[-1])
    return _("{items} or {last}", items=", ".join(ordered[:-1]), last=ordered[-1])


def check(action: str, held: frozenset[Role]) -> None:
    """Raise :class:`Refused`, saying who may, unless one held role is allowed."""
    rule = PERMISSIONS[action]
    if Role.ANYONE in rule.roles or rule.roles & held:
        return
    who = describe(rule.roles)
    # One role or several: the verb agrees in French and Russian ("Seul le Président peut",
    # "Seuls le Président ou le Secrétariat peuvent"); English says it the same way.
    message = ngettext("Only {who} may {doing}.", "Only {who} may {doing}.", len(rule.roles),
                       who=who, doing=_(rule.doing))
    if rule.roles == {Role.DELEGATE}:
        message = _("Only delegations may {doing}; you are not in a member's delegation.",
                    doing=_(rule.doing))
    raise Refused(message[0].upper() + message[1:])


def granting(action: str, held: frozenset[Role]) -> frozenset[Role]:
    """The held roles by which ``action`` is allowed (all of them for an action open to anyone)."""
    rule = PERMISSIONS[action]
    return held if Role.ANYONE in rule.roles else rule.roles & held


def allowed(action: str, held: frozenset[Role]) -> bool:
    rule = PERMISSIONS[action]
    return Role.ANYONE in rule.roles or bool(rule.roles & held)
