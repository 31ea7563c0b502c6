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
from bot.i18n import NATIVE, _, named, ngettext, using
from bot.messages import Message
from bot.polls import open_polls
from storage.models import Delegate, Member, Notify


def bind_channel(ctx: Context) -> Message:
    """Bind the current channel as the council channel."""
    if not ctx.channel_id:
        raise CommandError(_("Run setup from the channel the council should use."))
    taken = queries.council_with_channel(ctx.session, ctx.channel_id, ctx.council_id)
    if taken is not None:
        raise CommandError(_("This channel already belongs to the {council}.",
                             council=named(taken)))
    previous = ctx.council.channel_id
    if previous == ctx.channel_id:
        return Message(text=_("This channel is already the council channel."))
    ctx.council.channel_id = ctx.channel_id
    ctx.session.add(ctx.council)
    ctx.audit("setup", {"channel": ctx.channel_id, "previous": previous})
    ctx.post(
        keys.channel_bound(ctx.channel_id, ctx.now),
        lambda: Message(text=_("This channel is now the channel of the *{council}*. "
                               "Announcements, polls, reminders and implementation issues "
                               "will appear here.", council=named(ctx.council))),
    )
    return Message(text=_("Bound <#{channel}> as the council channel.", channel=ctx.channel_id))


def seat_delegate(ctx: Context, member: Member, user_id: str, asked: str | None) -> Message:
    """Add ``user_id`` to ``member``'s delegation in the role ``asked`` as typed (None:
    the role they hold, or the default)."""
    if user_id == ctx.council.chair_user_id:
        raise CommandError(_("<@{user}> is the Chair, who is no member's delegate.",
                             user=user_id))
    current = queries.delegate_of(ctx.session, ctx.council_id, user_id)
    if current and current[1].id != member.id:
        raise CommandError(
            _("<@{user}> already sits in the delegation of {member}; remove them first.",
              user=user_id, member=named(current[1]))
        )
    if asked is not None:
        role = asked.casefold()
        if role not in ROLES:
            raise CommandError(_('"{word}" is not a role; use head, deputy, milrep or expert.',
                                 word=asked[:20]))
    elif current:
        role = current[0].role
    else:
        role = default_role(queries.has_head(ctx.session, member.id))
    if current and current[0].role == role:
        return Message(text=_("<@{user}> is already {role} of {member}.", user=user_id,
                              role=_(ROLES[role]), member=named(member)))
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
    changed = bool(current)

    def said() -> str:
        text = seated_text(user_id, member, role, changed, replaced)
        if headless:
            text += " " + _("{member} now has no head of delegation.", member=named(member))
        return text

    reply = said()
    if headless:
        reply = _("{said}; {command} names one.", said=reply[:-1],
                  command=name_a_head(ctx.slash, member))
    ctx.post(keys.delegate_seated(delegate.id, role, ctx.now), lambda: Message(text=said()))
    return Message(text=reply)


def unseat_delegate(ctx: Context, user_id: str) -> Message:
    """Remove ``user_id`` from their delegation; say what the member is left without."""
    current = queries.delegate_of(ctx.session, ctx.council_id, user_id)
    if current is None:
        raise CommandError(_("<@{user}> is in no delegation.", user=user_id))
    delegate, member = current
    others = queries.others_in(ctx.session, ctx.council_id, member.id, delegate.id)
    ctx.session.delete(delegate)
    details: dict[str, object] = {"user": user_id, "role": delegate.role}
    key = keys.delegate_removed(delegate.id, ctx.now)
    chair = ctx.council.chair_user_id
    waiting: list[int | None] = []
    no_head = (bool(others) and delegate.role == HEAD
               and not any(d.role == HEAD for d in others))
    if not others:
        waiting = [p.id for p in open_polls(ctx.session, ctx.council_id)
                   if member.id in p.electorate]
        details.update(last_delegate=True, open_polls=waiting, chair_told=None)
    elif no_head:
        details["no_head"] = True

    def said() -> str:
        """What the channel is told, in the language being rendered."""
        text = _("<@{user}> leaves the delegation of {member}.", user=user_id,
                 member=named(member))
        if not others:
            text += " " + _("{member} now has no delegate.", member=named(member))
        elif no_head:
            text += " " + ngettext(
                "{member} now has no head of delegation; {acting} still acts for it.",
                "{member} now has no head of delegation; {acting} still act for it.",
                len(others), member=named(member),
                acting=and_list([f"<@{d.user_id}> ({d.role})" for d in others]))
        return text

    def polls() -> str:
        return ngettext("{n} open poll", "{n} open polls", len(waiting))

    refs = and_list([f"P{n}" for n in waiting]) if waiting else ""
    reply = said()
    if waiting:
        title = _(ctx.council.chair_title)
        reply = (_("{said}: nobody can take its position on {polls}, {refs}.", said=reply[:-1],
                   polls=polls(), refs=refs) + " "
                 + (_("The {title} is told.", title=title) if chair else
                    _("No {title} is set to be told; `{slash} chair <user>` sets one.",
                      title=title, slash=ctx.slash)))
        if chair:
            details["chair_told"] = chair
            ctx.dm(keys.chair_told(key), chair, lambda: Message(text=_(
                "{member} has no delegate any more: <@{actor}> removed <@{user}>, its last. "
                "Nobody can take its position on {polls}: {refs}. {command} seats one "
                "(secretariat).", member=named(member), actor=ctx.actor.user_id, user=user_id,
                polls=polls(), refs=refs, command=name_a_head(ctx.slash, member))))
    elif no_head:
        reply = _("{said} {command} names one.", said=reply,
                  command=name_a_head(ctx.slash, member))
    ctx.audit("delegate.remove", details, member)
    ctx.post(key, lambda: Message(text=said()))
    return Message(text=reply)


def set_chair(ctx: Context, user_id: str) -> Message:
    """Make ``user_id`` the Chair; a delegate cannot be."""
    if queries.delegate_of(ctx.session, ctx.council_id, user_id):
        raise CommandError(_("<@{user}> sits in a delegation; the Chair is no member's "
                             "delegate.", user=user_id))
    if ctx.council.chair_user_id == user_id:
        return Message(text=_("<@{user}> already chairs the council.", user=user_id))
    previous = ctx.council.chair_user_id
    ctx.council.chair_user_id = user_id
    ctx.session.add(ctx.council)
    ctx.audit("chair.set", {"user": user_id, "previous": previous})

    def said() -> Message:
        return Message(text=_("<@{user}> now chairs the {council} as {title}.", user=user_id,
                              council=named(ctx.council), title=_(ctx.council.chair_title)))

    ctx.post(keys.chair_set(user_id, ctx.now), said)
    return said()


def notify(ctx: Context, choice: Notify | None) -> Message:
    """Say (``None``) or set how the actor hears about what their member owes."""
    current = queries.delegate_of(ctx.session, ctx.council_id, ctx.actor.user_id)
    if current is None:
        raise CommandError(_("You are not in a member's delegation."))
    delegate, member = current
    held = Notify(delegate.notify)
    if choice is None or choice == held:
        text = notify_text(member, held, changed=False)
        return Message(text=text if choice is None
                       else _("Nothing changed. {said}", said=text))
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
