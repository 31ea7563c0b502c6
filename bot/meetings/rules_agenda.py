"""The rules of an agenda's states and edits, on plain values.

"States: *draft* (items can be added by delegations, the Chair and the
secretariat), then *circulated* when the Chair or the secretariat circulates it
(`agenda <M> circulate`; announced), then *adopted* at the meeting
(`agenda <M> adopt`)."

"`agenda <M> remove <n>`, `agenda <M> move <n> <position>`, `agenda <M> edit <n>
<text>` (Chair, secretariat; a delegation may edit or remove only its own items
while the agenda is a draft). After circulation, every change is announced as a
revision ("Agenda of M4, revision 2"), never silent."
"""

from __future__ import annotations

from bot.errors import CommandError, Refused
from bot.i18n import _
from storage.statuses import AgendaState

#: The sub-commands that change an agenda (``agenda <M> <word> …``).
CHANGES = ("add", "remove", "move", "edit", "circulate", "adopt")


def check_not_adopted(number: int | None, state: str) -> None:
    """An adopted agenda is the meeting's; it no longer changes."""
    if state == AgendaState.ADOPTED:
        raise CommandError(_("The agenda of M{number} is adopted; it can no longer change.",
                             number=number))


def check_add(number: int | None, state: str, privileged: bool) -> None:
    """"*draft* (items can be added by delegations, the Chair and the secretariat)";
    once circulated, only the Chair or the secretariat add, as a revision."""
    check_not_adopted(number, state)
    if state == AgendaState.CIRCULATED and not privileged:
        raise Refused(_("Only the Chair or the secretariat may add to the agenda of M{number} "
                        "now that it is circulated.", number=number))


def check_change(number: int | None, state: str, privileged: bool, own: bool,
                 doing: str, item: int) -> None:
    """"a delegation may edit or remove only its own items while the agenda is a draft";
    the Chair and the secretariat change any item until the agenda is adopted.

    ``doing``: "edit", "remove" or "move"; a delegation never moves items."""
    check_not_adopted(number, state)
    if privileged:
        return
    if doing == "move":
        raise Refused(_("Only the Chair or the secretariat may move agenda items."))
    editing = doing == "edit"
    if state != AgendaState.DRAFT:
        raise Refused(_("Only the Chair or the secretariat may edit items of the agenda of "
                        "M{number} now that it is circulated.", number=number) if editing else
                      _("Only the Chair or the secretariat may remove items of the agenda of "
                        "M{number} now that it is circulated.", number=number))
    if not own:
        raise Refused(_("Only the Chair or the secretariat may edit item {item}; it is not "
                        "your delegation's.", item=item) if editing else
                      _("Only the Chair or the secretariat may remove item {item}; it is not "
                        "your delegation's.", item=item))


def check_circulate(number: int | None, state: str) -> None:
    """A draft is circulated once; after that, changes are revisions."""
    check_not_adopted(number, state)
    if state == AgendaState.CIRCULATED:
        raise CommandError(_("The agenda of M{number} is already circulated; changes to it "
                             "are announced as revisions.", number=number))


def check_adopt(number: int | None, state: str) -> None:
    """"then *adopted* at the meeting": a circulated agenda is adopted."""
    check_not_adopted(number, state)
    if state == AgendaState.DRAFT:
        raise CommandError(_("The agenda of M{number} is still a draft; circulate it first: "
                             "agenda M{number} circulate.", number=number))


def is_revision(state: str) -> bool:
    """"After circulation, every change is announced as a revision ... never silent"."""
    return state == AgendaState.CIRCULATED


def item_index(text: str, total: int, what: str = "an item number") -> int:
    """The 0-based index of the agenda line numbered ``text`` (1 to ``total``)."""
    if total == 0:
        raise CommandError(_("The agenda has no items yet."))
    if not text.isdigit() or not 1 <= int(text) <= total:
        values = {"text": text[:20], "total": total}
        raise CommandError(
            _('"{text}" is not a position; give a number from 1 to {total}.', **values)
            if what == "a position" else
            _('"{text}" is not an item number; give a number from 1 to {total}.', **values))
    return int(text) - 1


def moved(order: list[int], index: int, to: int) -> list[int]:
    """The order with the entry at ``index`` moved to the 0-based position ``to``."""
    rest = order[:index] + order[index + 1:]
    return [*rest[:to], order[index], *rest[to:]]
