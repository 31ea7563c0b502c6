"""The members and their delegations as the council reads them."""

from __future__ import annotations

from collections.abc import Iterable

from bot.delegations.rules import ROLES, role_order
from bot.i18n import N_, _, named, ngettext
from bot.messages import Message
from storage.models import Council, Delegate, Member, Notify


def and_list(items: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    if len(items) == 1:
        return items[0]
    return _("{items} and {last}", items=", ".join(items[:-1]), last=items[-1])


def name_a_head(slash: str, member: Member) -> str:
    return f"`{slash} delegate add {member.name} <user> head`"  # typed: the English name


#: The Chair's title as the charters give it, so that the catalogues translate it
#: (``_(council.chair_title)``; a title not listed is shown as the charter has it).
CHAIR_TITLES = (N_("Secretary General"),)


def members_message(council: Council, everyone: list[Member],
                    delegates: Iterable[Delegate]) -> Message:
    """Every member in charter order, with its delegates by role, and the Chair."""
    seated: dict[int, list[Delegate]] = {}
    for d in delegates:
        seated.setdefault(d.member_id, []).append(d)
    rows = []
    for m in everyone:
        ds = sorted(seated.get(m.id or 0, []), key=lambda d: role_order(d.role))
        who = (", ".join(f"<@{d.user_id}> ({d.role})" for d in ds)
               or "_" + _("no delegates yet") + "_")
        rows.append(f"*{named(m)}* ({m.alpha2}): {who}")
    chair = (f"<@{council.chair_user_id}>" if council.chair_user_id
             else "_" + _("not set") + "_")
    return Message(
        text=_("The {council} meets at {n}.", council=named(council), n=len(everyone)),
        header=_("Members"),
        sections=["\n".join(rows)],
        context=[_("Chair ({title}): {chair}", title=_(council.chair_title), chair=chair)],
    )


def seated_text(user_id: str, member: Member, role: str, changed: bool,
                replaced: list[Delegate]) -> str:
    text = (_("<@{user}> is now {role} of {member}", user=user_id, role=_(ROLES[role]),
              member=named(member)) if changed else
            _("<@{user}> joins the delegation of {member} as {role}", user=user_id,
              member=named(member), role=_(ROLES[role])))
    if replaced:
        text += "; " + ngettext("{users}, its head until now, is now {role}.",
                                "{users}, its head until now, are now {role}.", len(replaced),
                                users=and_list([f"<@{d.user_id}>" for d in replaced]),
                                role=_(ROLES["deputy"]))
    else:
        text += "."
    return text


#: What each choice means, completing "The poll reminders …".
NOTIFY_MEANS = {
    Notify.DM: N_("reach you by direct message"),
    Notify.CHANNEL: N_("mention you in the council channel"),
    Notify.OFF: N_("neither mention nor message you"),
}


def notify_text(member: Member, choice: Notify, changed: bool) -> str:
    """The delegate's choice and what it means; who the reminders address."""
    means = _(NOTIFY_MEANS[choice])
    said = (_("From now on the poll reminders {means} (`notify {choice}`) when {member} is "
              "still silent.", means=means, choice=choice.value, member=named(member))
            if changed else
            _("The poll reminders {means} (`notify {choice}`) when {member} is still silent.",
              means=means, choice=choice.value, member=named(member)))
    return said + " " + _("They address its head of delegation (without one, its deputies); "
                          "in the explicit procedure, every delegate.")
