"""The commands that break silence and what follows: an amendment, the Chair's revised
text, a withdrawn objection (``bot/polls/service_breaks.py``, ``service_versions.py``).

"Silence is broken by an objection or a proposed amendment; the Chair may then put a
revised text under silence." (docs/consensus.md)
"""

from __future__ import annotations

from bot.context import Context
from bot.errors import CommandError
from bot.i18n import N_, _
from bot.messages import Message
from bot.polls import service_breaks, service_versions
from bot.polls.commands import _proposal_ref, _take_deadline
from bot.registry import command, split_word, text_argument


@command("amendment", "amendment <P> <text> --reason <reason>", mutates=True,
         examples=("amendment P3 Replace 'condemns' by 'deplores' --reason Our parliament "
                   "has not yet qualified the event.",))
def amendment(ctx: Context, args: str) -> Message:
    """Propose, for your member, an amendment to a poll: it breaks silence.

    The poll closes at once as silence broken (an objection still blocks), with the
    amendment's text and reason; the Chair is told and may revise the text. Only the
    roles the charter names may break silence.
    """
    token, rest = split_word(args)
    text, marker, reason = rest.partition("--reason")
    if not marker or not reason.strip():
        raise CommandError(_("Give the reason after the text, like: amendment P3 <text> "
                             "--reason <reason>."))
    return service_breaks.propose_amendment(ctx, _proposal_ref(token),
                                            text_argument(text, N_("text of the amendment")),
                                            reason.strip())


@command("revise", "revise <P> <deadline> <text>", mutates=True,
         examples=("revise P3 48h Joint statement on search and rescue at sea, as amended",))
def revise(ctx: Context, args: str) -> Message:
    """Put a revised text under silence after a poll was blocked or its silence broken
    (the Chair).

    Opens version n+1 of the same proposal in a new poll message; every position is
    reset. The charter's minimum silence does not bind the Chair here.
    """
    token, rest = split_word(args)
    number = _proposal_ref(token)
    deadline, text = _take_deadline(ctx, rest)
    return service_versions.revise(ctx, number, deadline, text_argument(text, N_("revised text")))


@command("withdraw-objection", "withdraw-objection <P>", mutates=True,
         examples=("withdraw-objection P3",))
def withdraw_objection(ctx: Context, args: str) -> Message:
    """Withdraw, for your member, its objection to a blocked poll.

    The poll stays blocked (the Chair decides whether to revise it); the Chair is told.
    """
    token, rest = split_word(args)
    if rest:
        raise CommandError(_('Unexpected "{extra}" after {word}.', extra=rest[:40],
                             word=token[:20]))
    return service_breaks.withdraw_objection(ctx, _proposal_ref(token))
