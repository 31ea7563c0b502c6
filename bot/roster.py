"""The roster: the council channel, the delegations and the Chair."""

from __future__ import annotations

from sqlmodel import col, select

from bot.commands import (
    CHECKED_BY_HANDLER,
    HELP_GROUPS,
    REGISTRY,
    command,
    family,
    find,
    find_member,
    is_user,
    members_of,
    parse_user,
    split_word,
)
from bot.context import Context
from bot.errors import CommandError
from bot.messages import Message, count
from bot.permissions import PERMISSIONS, Role, allowed, describe
from bot.polls import open_polls
from storage.models import Council, Delegate, Member
from storage.roster import roster_of

ROLES = {
    "head": "head of delegation",
    "deputy": "deputy head of delegation",
    "milrep": "military representative",
    "expert": "expert",
}


@command("help", "help [command]", examples=("help", "help propose"))
def help_(ctx: Context, args: str) -> Message:
    """Show every command, or one command's usage and examples."""
    kin = family(args.strip()) if len(args.split()) == 1 else []
    if kin and args.strip().casefold() not in REGISTRY:  # `help delegate`: add and remove
        slash = ctx.slash
        word = args.strip().casefold()
        return Message(text="\n".join(f"`{slash} {c.usage}`: {c.summary}" for c in kin),
                       header=f"Help: {word}",
                       context=[f"`{slash} help {kin[0].name}` explains one, with examples."])
    if args.strip():
        cmd, _ = find(args)
        lines = [f"`{ctx.slash} {cmd.usage}`", cmd.summary]
        if cmd.details:
            lines.append(cmd.details)
        if cmd.examples:
            lines.append("Examples: " + ", ".join(f"`{e}`" for e in cmd.examples))
        return Message(text="\n".join(lines), header=f"Help: {cmd.name}")
    slash = ctx.slash
    roles = ctx.actor.roles
    sections, others, whose = [], [], set()
    for title, names in HELP_GROUPS:
        mine = []
        for name in names:
            cmd = REGISTRY[name]
            actions = CHECKED_BY_HANDLER.get(name, (cmd.action or name,))
            if any(allowed(action, _may_become(roles)) for action in actions):
                mine.append(f"• `{slash} {cmd.usage}`: {cmd.summary}")
            else:
                others.append(name)
                for action in actions:
                    whose |= _may_become(PERMISSIONS[action].roles)
        if mine:
            sections.append(f"*{title}*\n" + "\n".join(mine))
    if others:
        who = describe(frozenset(whose & {Role.DELEGATE, Role.CHAIR, Role.ADMIN}), "and")
        sections.append(f"Also for {who}: {', '.join(others)} "
                        f"(`{slash} help <command>` explains one).")
    return Message(
        text=f"{ctx.council.name}: what you can ask me.",
        header="Commands",
        sections=sections,
        context=[
            "IDs: M3 meeting, P3 proposal, D3 joint decision, I3 implementation issue. "
            f"Times are {ctx.council.timezone} unless they carry an offset. "
            f"`{slash} help <command>` shows one command."
        ],
    )


def _may_become(roles: frozenset[Role]) -> frozenset[Role]:
    """The roles a person may hold for some record: a delegation proposes and raises; the
    Chair proposes."""
    extra = set()
    if Role.DELEGATE in roles:
        extra |= {Role.PROPOSER, Role.RAISER}
    if Role.CHAIR in roles:
        extra.add(Role.PROPOSER)
    if Role.PROPOSER in roles or Role.RAISER in roles:
        extra.add(Role.DELEGATE)
    return roles | extra


@command("setup", "setup", mutates=True)
def setup(ctx: Context, args: str) -> Message:
    """Bind the current channel as the council channel, where the bot posts."""
    if not ctx.channel_id:
        raise CommandError("Run setup from the channel the council should use.")
    taken = ctx.session.exec(
        select(Council).where(Council.channel_id == ctx.channel_id, Council.id != ctx.council_id)
    ).first()
    if taken is not None:
        raise CommandError(f"This channel already belongs to the {taken.name}.")
    previous = ctx.council.channel_id
    if previous == ctx.channel_id:
        return Message(text="This channel is already the council channel.")
    ctx.council.channel_id = ctx.channel_id
    ctx.session.add(ctx.council)
    ctx.audit("setup", {"channel": ctx.channel_id, "previous": previous})
    ctx.post(
        f"setup:{ctx.channel_id}:{ctx.now.isoformat()}",
        Message(text=f"This channel is now the channel of the *{ctx.council.name}*. "
                "Announcements, polls, reminders and implementation issues will appear here."),
    )
    return Message(text=f"Bound <#{ctx.channel_id}> as the council channel.")


@command("members", "members")
def members(ctx: Context, args: str) -> Message:
    """List the members and their delegates."""
    delegates: dict[int, list[Delegate]] = {}
    for d in roster_of(ctx.session, ctx.council).delegates:
        delegates.setdefault(d.member_id, []).append(d)
    rows = []
    everyone = members_of(ctx)
    for m in everyone:
        ds = sorted(delegates.get(m.id or 0, []), key=lambda d: list(ROLES).index(d.role))
        who = ", ".join(f"<@{d.user_id}> ({d.role})" for d in ds) or "_no delegates yet_"
        rows.append(f"*{m.name}* ({m.alpha2}): {who}")
    chair = f"<@{ctx.council.chair_user_id}>" if ctx.council.chair_user_id else "_not set_"
    return Message(
        text=f"The {ctx.council.name} meets at {len(everyone)}.",
        header="Members",
        sections=["\n".join(rows)],
        context=[f"Chair ({ctx.council.chair_title}): {chair}"],
    )


def _delegate_of(ctx: Context, user_id: str) -> tuple[Delegate, Member] | None:
    row = ctx.session.exec(
        select(Delegate, Member)
        .join(Member, Member.id == Delegate.member_id)  # type: ignore[arg-type]
        .where(Delegate.council_id == ctx.council_id, Delegate.user_id == user_id)
    ).first()
    return (row[0], row[1]) if row else None


@command(
    "delegate add",
    "delegate add <member> <user> [head|deputy|milrep|expert]",
    examples=("delegate add Russia @ivanov head", "delegate add uk @smith milrep"),
    mutates=True,
)
def delegate_add(ctx: Context, args: str) -> Message:
    """Add a user to a member's delegation, or change their role in it.

    A user sits in one delegation at most. Without a role, the first delegate
    of a member is its head of delegation and later ones are experts. A member
    has one head of delegation: naming a new head makes the previous one deputy.
    """
    words = args.split()
    at = next((i for i, w in enumerate(words) if is_user(w)), None)
    if not words:
        raise CommandError("Name the member and the user.")
    if at is None:
        raise CommandError("Name the user to add, as a mention (@someone) or a Slack ID.")
    if at == 0:
        raise CommandError("Name the member before the user.")
    member = find_member(ctx, " ".join(words[:at]))
    user_id = parse_user(words[at])
    rest = words[at + 1:]
    if len(rest) > 1:
        raise CommandError(f'Unexpected "{" ".join(rest)[:40]}" after the role.')
    if user_id == ctx.council.chair_user_id:
        raise CommandError(f"<@{user_id}> is the Chair, who is no member's delegate.")
    current = _delegate_of(ctx, user_id)
    if current and current[1].id != member.id:
        raise CommandError(
            f"<@{user_id}> already sits in the delegation of {current[1].name}; remove them first."
        )
    if rest:
        role = rest[0].casefold()
        if role not in ROLES:
            raise CommandError(f'"{rest[0][:20]}" is not a role; use head, deputy, milrep or expert.')
    elif current:
        role = current[0].role
    else:
        has_head = ctx.session.exec(
            select(Delegate).where(Delegate.member_id == member.id, Delegate.role == "head")
        ).first()
        role = "expert" if has_head else "head"
    if current and current[0].role == role:
        return Message(text=f"<@{user_id}> is already {ROLES[role]} of {member.name}.")
    heads = list(ctx.session.exec(
        select(Delegate).where(Delegate.council_id == ctx.council_id,
                               Delegate.member_id == member.id, Delegate.role == "head",
                               Delegate.user_id != user_id).order_by(col(Delegate.id))))
    # One head of delegation per member: a new head makes the one before deputy.
    replaced = heads if role == "head" else []
    for previous in replaced:
        previous.role = "deputy"
        ctx.session.add(previous)
        ctx.audit("delegate.add", {"user": previous.user_id, "role": "deputy", "changed": True,
                                   "succeeded_by": user_id}, member)
    headless = bool(current) and current[0].role == "head" and not heads and role != "head"
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
    text = (f"<@{user_id}> is now {ROLES[role]} of {member.name}" if current else
            f"<@{user_id}> joins the delegation of {member.name} as {ROLES[role]}")
    if replaced:
        text += (f"; {_and_list([f'<@{d.user_id}>' for d in replaced])}, its head until now, "
                 f"{'is' if len(replaced) == 1 else 'are'} now {ROLES['deputy']}.")
    else:
        text += "."
    reply = text
    if headless:
        text += f" {member.name} now has no head of delegation."
        reply = f"{text[:-1]}; {_name_a_head(ctx, member)} names one."
    ctx.post(f"delegate:{delegate.id}:{role}:{ctx.now.isoformat()}", Message(text=text))
    return Message(text=reply)


def _and_list(items: list[str]) -> str:
    """``A``, ``A and B``, ``A, B and C``."""
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def _name_a_head(ctx: Context, member: Member) -> str:
    return f"`{ctx.slash} delegate add {member.name} <user> head`"


@command("delegate remove", "delegate remove <user>", examples=("delegate remove @ivanov",),
         mutates=True)
def delegate_remove(ctx: Context, args: str) -> Message:
    """Remove a user from their delegation.

    Removing the head of delegation, or a member's last delegate while polls are
    open, is said in the reply; the Chair is told when a member is left with no
    one to take its position on an open poll.
    """
    token, rest = split_word(args)
    if not token:
        raise CommandError("Name the user to remove.")
    if rest:
        raise CommandError(f'Unexpected "{rest[:40]}" after the user.')
    user_id = parse_user(token)
    current = _delegate_of(ctx, user_id)
    if current is None:
        raise CommandError(f"<@{user_id}> is in no delegation.")
    delegate, member = current
    others = list(ctx.session.exec(
        select(Delegate).where(Delegate.council_id == ctx.council_id,
                               Delegate.member_id == member.id, Delegate.id != delegate.id)
        .order_by(col(Delegate.id))))
    ctx.session.delete(delegate)
    details: dict[str, object] = {"user": user_id, "role": delegate.role}
    text = f"<@{user_id}> leaves the delegation of {member.name}."
    reply = text
    key = f"delegate-remove:{delegate.id}:{ctx.now.isoformat()}"
    if not others:
        text += f" {member.name} now has no delegate."
        reply = text
        waiting = [p.id for p in open_polls(ctx.session, ctx.council_id)
                   if member.id in p.electorate]
        chair = ctx.council.chair_user_id
        details.update(last_delegate=True, open_polls=waiting, chair_told=None)
        if waiting:
            refs = _and_list([f"P{n}" for n in waiting])
            polls = count(len(waiting), "open poll")
            title = ctx.council.chair_title
            reply = (f"{text[:-1]}: nobody can take its position on {polls}, {refs}. "
                     + (f"The {title} is told." if chair else
                        f"No {title} is set to be told; "
                        f"`{ctx.slash} chair <user>` sets one."))
            if chair:
                details["chair_told"] = chair
                ctx.dm(f"{key}:chair", chair, Message(text=(
                    f"{member.name} has no delegate any more: <@{ctx.actor.user_id}> removed "
                    f"<@{user_id}>, its last. Nobody can take its position on {polls}: {refs}. "
                    f"{_name_a_head(ctx, member)} seats one (secretariat).")))
    elif delegate.role == "head" and not any(d.role == "head" for d in others):
        details["no_head"] = True
        acting = _and_list([f"<@{d.user_id}> ({d.role})" for d in others])
        text += (f" {member.name} now has no head of delegation; {acting} still "
                 f"{'acts' if len(others) == 1 else 'act'} for it.")
        reply = f"{text} {_name_a_head(ctx, member)} names one."
    ctx.audit("delegate.remove", details, member)
    ctx.post(key, Message(text=text))
    return Message(text=reply)


@command("chair", "chair <user>", examples=("chair @secgen",), mutates=True)
def chair(ctx: Context, args: str) -> Message:
    """Set the Chair of the council (the Secretary General)."""
    token, rest = split_word(args)
    if not token:
        raise CommandError("Name the user who chairs the council.")
    if rest:
        raise CommandError(f'Unexpected "{rest[:40]}" after the user.')
    user_id = parse_user(token)
    if _delegate_of(ctx, user_id):
        raise CommandError(f"<@{user_id}> sits in a delegation; the Chair is no member's delegate.")
    if ctx.council.chair_user_id == user_id:
        return Message(text=f"<@{user_id}> already chairs the council.")
    previous = ctx.council.chair_user_id
    ctx.council.chair_user_id = user_id
    ctx.session.add(ctx.council)
    ctx.audit("chair.set", {"user": user_id, "previous": previous})
    text = f"<@{user_id}> now chairs the {ctx.council.name} as {ctx.council.chair_title}."
    ctx.post(f"chair:{user_id}:{ctx.now.isoformat()}", Message(text=text))
    return Message(text=text)
