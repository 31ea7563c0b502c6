"""The members and their delegations as the council reads them."""

from __future__ import annotations

from collections.abc import Iterable

from bot.delegations.rules import ROLES, role_order
from bot.messages import Message
from storage.models import Council, Delegate, Member, Notify


def and_list(items: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def name_a_head(slash: str, member: Member) -> str:
    return f"`{slash} delegate add {member.name} <user> head`"


def members_message(council: Council, everyone: list[Member],
                    delegates: Iterable[Delegate]) -> Message:
    """Every member in charter order, with its delegates by role, and the Chair."""
    seated: dict[int, list[Delegate]] = {}
    for d in delegates:
        seated.setdefault(d.member_id, []).append(d)
    rows = []
    for m in everyone:
        ds = sorted(seated.get(m.id or 0, []), key=lambda d: role_order(d.role))
        who = ", ".join(f"<@{d.user_id}> ({d.role})" for d in ds) or "_no delegates yet_"
        rows.append(f"*{m.name}* ({m.alpha2}): {who}")
    chair = f"<@{council.chair_user_id}>" if council.chair_user_id else "_not set_"
    return Message(
        text=f"The {council.name} meets at {len(everyone)}.",
        header="Members",
        sections=["\n".join(rows)],
        context=[f"Chair ({council.chair_title}): {chair}"],
    )


def seated_text(user_id: str, member: Member, role: str, changed: bool,
                replaced: list[Delegate]) -> str:
    text = (f"<@{user_id}> is now {ROLES[role]} of {member.name}" if changed else
            f"<@{user_id}> joins the delegation of {member.name} as {ROLES[role]}")
    if replaced:
        text += (f"; {and_list([f'<@{d.user_id}>' for d in replaced])}, its head until now, "
                 f"{'is' if len(replaced) == 1 else 'are'} now {ROLES['deputy']}.")
    else:
        text += "."
    return text


#: What each choice means, completing "The poll reminders …".
NOTIFY_MEANS = {
    Notify.DM: "reach you by direct message",
    Notify.CHANNEL: "mention you in the council channel",
    Notify.OFF: "neither mention nor message you",
}


def notify_text(member: Member, choice: Notify, changed: bool) -> str:
    """The delegate's choice and what it means; who the reminders address."""
    said = "From now on the" if changed else "The"
    return (f"{said} poll reminders {NOTIFY_MEANS[choice]} (`notify {choice.value}`) when "
            f"{member.name} is still silent. They address its head of delegation (without "
            "one, its deputies); in the explicit procedure, every delegate.")
