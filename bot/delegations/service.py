"""The roster's use-cases: the council channel, the delegations and the Chair.

Each checks nothing itself beyond the facts (the permission is the command's, in the
one table), changes the roster, writes the audit entry and records what the council
sees, in the request's transaction.
"""

from __future__ import annotations

from bot import keys, languages
from bot.context import Context
from bot.delegations import queries
from bot.delegations.render import and_list, name_a_head, notify_text, seated_text
from bot.delegations.rules import DEPUTY, HEAD, ROLES, default_role, heads_replaced
from bot.errors import CommandError
from bot.i18n import NATIVE, _, using
from bot.messages import Message, count
from bot.polls import open_polls
from storage.models import Delegate, Member, Notify


def bind_channel(ctx: Context) -> Message:
    """Bind the current channel as the council channel."""
    if not ctx.channel_id:
        raise CommandError("Run setup from the channel the council should use.")
    taken = queries.council_with_channel(ctx.session, ctx.channel_id, ctx.council_id)
    if taken is not None:
        raise CommandError(f"This channel already belongs to the {taken.name}.")
    previous = ctx.council.channel_id
    if previous == ctx.channel_id:
        return Message(text="This channel is already the council channel.")
    ctx.council.channel_id = ctx.channel_id
    ctx.session.add(ctx.council)
    ctx.audit("setup", {"channel": ctx.channel_id, "previous": previous})
    ctx.post(
        keys.channel_bound(ctx.channel_id, ctx.now),
        Message(text=f"This channel is now the channel of the *{ctx.council.name}*. "
                "Announcements, polls, reminders and implementation issues will appear here."),
    )
    return Message(text=f"Bound <#{ctx.channel_id}> as the council channel.")


def seat_delegate(ctx: Context, member: Member, user_id: str, asked: str | None) -> Message:
    """Add ``user_id`` to ``member``'s delegation in the role ``asked`` as typed (None:
    the role they hold, or the default)."""
    if user_id == ctx.council.chair_user_id:
        raise CommandError(f"<@{user_id}> is the Chair, who is no member's delegate.")
    current = queries.delegate_of(ctx.session, ctx.council_id, user_id)
    if current and current[1].id != member.id:
        raise CommandError(
            f"<@{user_id}> already sits in the delegation of {current[1].name}; remove them first."
        )
    if asked is not None:
        role = asked.casefold()
        if role not in ROLES:
            raise CommandError(f'"{asked[:20]}" is not a role; use head, deputy, milrep or expert.')
    elif current:
        role = current[0].role
    else:
        role = default_role(queries.has_head(ctx.session, member.id))
    if current and current[0].role == role:
        return Message(text=f"<@{user_id}> is already {ROLES[role]} of {member.name}.")
    heads = queries.heads_besides(ctx.session, ctx.council_id, member.id, user_id)
    replaced = heads_replaced(role, heads)
    for previous in replaced:
        previous.role = DEPUTY
        ctx.session.add(previous)
        ctx.audit("delegate.add", {"user": previous.user_id, "role": DEPUTY, "changed": True,
                                   "succeeded_by": user_id}, member)
    headless = current is not None and current[0].role == HEAD and not heads and role != HEAD
    if current:
        delegate = current[0]
        delegate.role = role
    else:
        delegate = Delegate(council_id=ctx.council_id, member_id=member.id or 0, user_id=user_id,
                            role=role, added_at=ctx.now, added_by=ctx.actor.user_id)
    ctx.session.add(delegate)
    ctx.session.flush()
    details: dict[str, object] = {"user": user_id, "role": role, "changed": bool(current)}
    if headless:
        details["no_head"] = True
    ctx.audit("delegate.add", details, member)
    text = seated_text(user_id, member, role, bool(current), replaced)
    reply = text
    if headless:
        text += f" {member.name} now has no head of delegation."
        reply = f"{text[:-1]}; {name_a_head(ctx.slash, member)} names one."
    ctx.post(keys.delegate_seated(delegate.id, role, ctx.now), Message(text=text))
    return Message(text=reply)


def unseat_delegate(ctx: Context, user_id: str) -> Message:
    """Remove ``user_id`` from their delegation; say what the member is left without."""
    current = queries.delegate_of(ctx.session, ctx.council_id, user_id)
    if current is None:
        raise CommandError(f"<@{user_id}> is in no delegation.")
    delegate, member = current
    others = queries.others_in(ctx.session, ctx.council_id, member.id, delegate.id)
    ctx.session.delete(delegate)
    details: dict[str, object] = {"user": user_id, "role": delegate.role}
    text = f"<@{user_id}> leaves the delegation of {member.name}."
    reply = text
    key = keys.delegate_removed(delegate.id, ctx.now)
    if not others:
        text += f" {member.name} now has no delegate."
        reply = text
        waiting = [p.id for p in open_polls(ctx.session, ctx.council_id)
                   if member.id in p.electorate]
        chair = ctx.council.chair_user_id
        details.update(last_delegate=True, open_polls=waiting, chair_told=None)
        if waiting:
            refs = and_list([f"P{n}" for n in waiting])
            polls = count(len(waiting), "open poll")
            title = ctx.council.chair_title
            reply = (f"{text[:-1]}: nobody can take its position on {polls}, {refs}. "
                     + (f"The {title} is told." if chair else
                        f"No {title} is set to be told; "
                        f"`{ctx.slash} chair <user>` sets one."))
            if chair:
                details["chair_told"] = chair
                ctx.dm(keys.chair_told(key), chair, Message(text=(
                    f"{member.name} has no delegate any more: <@{ctx.actor.user_id}> removed "
                    f"<@{user_id}>, its last. Nobody can take its position on {polls}: {refs}. "
                    f"{name_a_head(ctx.slash, member)} seats one (secretariat).")))
    elif delegate.role == HEAD and not any(d.role == HEAD for d in others):
        details["no_head"] = True
        acting = and_list([f"<@{d.user_id}> ({d.role})" for d in others])
        text += (f" {member.name} now has no head of delegation; {acting} still "
                 f"{'acts' if len(others) == 1 else 'act'} for it.")
        reply = f"{text} {name_a_head(ctx.slash, member)} names one."
    ctx.audit("delegate.remove", details, member)
    ctx.post(key, Message(text=text))
    return Message(text=reply)


def set_chair(ctx: Context, user_id: str) -> Message:
    """Make ``user_id`` the Chair; a delegate cannot be."""
    if queries.delegate_of(ctx.session, ctx.council_id, user_id):
        raise CommandError(f"<@{user_id}> sits in a delegation; the Chair is no member's delegate.")
    if ctx.council.chair_user_id == user_id:
        return Message(text=f"<@{user_id}> already chairs the council.")
    previous = ctx.council.chair_user_id
    ctx.council.chair_user_id = user_id
    ctx.session.add(ctx.council)
    ctx.audit("chair.set", {"user": user_id, "previous": previous})
    text = f"<@{user_id}> now chairs the {ctx.council.name} as {ctx.council.chair_title}."
    ctx.post(keys.chair_set(user_id, ctx.now), Message(text=text))
    return Message(text=text)


def notify(ctx: Context, choice: Notify | None) -> Message:
    """Say (``None``) or set how the actor hears about what their member owes."""
    current = queries.delegate_of(ctx.session, ctx.council_id, ctx.actor.user_id)
    if current is None:
        raise CommandError("You are not in a member's delegation.")
    delegate, member = current
    held = Notify(delegate.notify)
    if choice is None or choice == held:
        text = notify_text(member, held, changed=False)
        return Message(text=text if choice is None else f"Nothing changed. {text}")
    delegate.notify = choice.value
    ctx.session.add(delegate)
    ctx.audit("delegate.notify", {"user": delegate.user_id, "notify": choice.value,
                                  "previous": held.value}, member)
    return Message(text=notify_text(member, choice, changed=True))


def choose_language(ctx: Context, choice: str | None) -> Message:
    """``language``: say the person's language, or keep their choice (``auto``: Slack's);
    the answer is in the language they now have."""
    row = languages.row_of(ctx.session, ctx.actor.user_id)
    if choice is not None:
        languages.choose(ctx.session, ctx.actor.user_id, None if choice == "auto" else choice)
        row = languages.row_of(ctx.session, ctx.actor.user_id)
    lang = languages.pick(row, ctx.languages[0])
    with using(lang):
        name = NATIVE[lang]
        if choice is None:
            how = (_("your choice") if row is not None and row.chosen
                   else _("your Slack language"))
            return Message(text=_("The bot writes to you in {language} ({how}). Channel posts "
                                  "are in the council's official languages.",
                                  language=name, how=how))
        if choice == "auto":
            return Message(text=_("The bot now follows your Slack language: it writes to you "
                                  "in {language}.", language=name))
        return Message(text=_("The bot now writes to you in {language}: replies, direct "
                              "messages, forms and your App Home.", language=name))
