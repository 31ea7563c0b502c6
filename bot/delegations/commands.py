"""The roster's commands: parse the line, call the use-case (``service``)."""

from __future__ import annotations

from bot.context import Context
from bot.delegations import service
from bot.delegations.render import members_message
from bot.delegations.rules import notify_choice
from bot.errors import CommandError
from bot.i18n import OFFERED, _
from bot.messages import Message
from bot.registry import command, find_member, is_user, members_of, parse_user, split_word
from storage.roster import roster_of


@command("setup", "setup", mutates=True)
def setup(ctx: Context, args: str) -> Message:
    """Bind the current channel as the council channel, where the bot posts."""
    return service.bind_channel(ctx)


@command("members", "members")
def members(ctx: Context, args: str) -> Message:
    """List the members and their delegates."""
    return members_message(ctx.council, members_of(ctx),
                           roster_of(ctx.session, ctx.council).delegates)


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
        raise CommandError(_("Name the member and the user."))
    if at is None:
        raise CommandError(_("Name the user to add, as a mention (@someone) or a Slack ID."))
    if at == 0:
        raise CommandError(_("Name the member before the user."))
    member = find_member(ctx, " ".join(words[:at]))
    user_id = parse_user(words[at])
    rest = words[at + 1:]
    if len(rest) > 1:
        raise CommandError(_('Unexpected "{rest}" after the role.', rest=" ".join(rest)[:40]))
    return service.seat_delegate(ctx, member, user_id, rest[0] if rest else None)


def _one_user(args: str, missing: str) -> str:
    token, rest = split_word(args)
    if not token:
        raise CommandError(missing)
    if rest:
        raise CommandError(_('Unexpected "{rest}" after the user.', rest=rest[:40]))
    return parse_user(token)


@command("delegate remove", "delegate remove <user>", examples=("delegate remove @ivanov",),
         mutates=True)
def delegate_remove(ctx: Context, args: str) -> Message:
    """Remove a user from their delegation.

    Removing the head of delegation, or a member's last delegate while polls are
    open, is said in the reply; the Chair is told when a member is left with no
    one to take its position on an open poll.
    """
    return service.unseat_delegate(ctx, _one_user(args, _("Name the user to remove.")))


@command("chair", "chair <user>", examples=("chair @secgen",), mutates=True)
def chair(ctx: Context, args: str) -> Message:
    """Set the Chair of the council (the Secretary General)."""
    return service.set_chair(ctx, _one_user(args, _("Name the user who chairs the council.")))


@command("notify", "notify [dm|channel|off]",
         examples=("notify", "notify dm", "notify off"), mutates=lambda args: bool(args.strip()))
def notify(ctx: Context, args: str) -> Message:
    """Say or choose how the poll reminders reach you when your member is still silent.

    `dm`: a direct message; `channel` (the default): a mention in the channel's reminder;
    `off`: neither. The reminders address each silent member's head of delegation (without
    one, its deputies); in the explicit procedure, every delegate. Each delegate chooses
    their own.
    """
    word, rest = split_word(args)
    if rest:
        raise CommandError(_('Unexpected "{rest}" after the choice.', rest=rest[:40]))
    choice = notify_choice(word) if word else None
    if word and choice is None:
        raise CommandError(_('"{word}" is not a choice; use dm, channel or off.', word=word[:20]))
    return service.notify(ctx, choice)


@command("language", "language [en|fr|ru|auto]",
         examples=("language", "language fr", "language auto"),
         mutates=lambda args: bool(args.strip()))
def language(ctx: Context, args: str) -> Message:
    """Say or choose the language the bot uses with you: replies, direct messages, forms
    and your App Home. `auto` (the default) follows your Slack language; channel posts
    are in the council's official languages whatever you choose.
    """
    word, rest = split_word(args)
    if rest:
        raise CommandError(_('Unexpected "{rest}" after the language.', rest=rest[:40]))
    choice = word.casefold()
    if choice and choice != "auto" and choice not in OFFERED:
        raise CommandError(_('"{word}" is not a language offered; use en, fr, ru or auto.',
                             word=word[:20]))
    return service.choose_language(ctx, choice or None)
