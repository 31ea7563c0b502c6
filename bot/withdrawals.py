"""``withdraw``: one command for the three things a delegation may take back, each the
use-case of its own feature (a poll, an implementation issue, an extraordinary request).

It sits above the features it names, so none of them imports another to offer it.
"""

from __future__ import annotations

from bot.context import Context
from bot.errors import CommandError
from bot.i18n import N_, _
from bot.issues import withdraw_issue
from bot.meetings import withdraw_request
from bot.messages import Message
from bot.polls.service import withdraw_poll
from bot.registry import command, parse_ref, split_word


@command("withdraw", "withdraw <P|I|E>", action=None, mutates=True,
         examples=("withdraw P3", "withdraw I2", "withdraw E1"))
def withdraw(ctx: Context, args: str) -> Message:
    """Withdraw an open poll (its proposer's delegation or the Chair), an implementation
    issue, or an extraordinary request (the requesting delegation or the Chair)."""
    token, rest = split_word(args)
    if not token:
        raise CommandError(_("Name the poll (P3), the implementation issue (I3) or the "
                             "extraordinary request (E3) to withdraw."))
    if rest:
        raise CommandError(_('Unexpected "{rest}" after {token}.', rest=rest[:40],
                             token=token[:20]))
    if token.isdigit():  # three kinds of thing can be withdrawn: the prefix says which
        raise CommandError(_("Say what to withdraw by its prefix: P{number} for a poll, "
                             "I{number} for an implementation issue or E{number} for an "
                             "extraordinary request.", number=token))
    if token[:1] in ("I", "i"):
        return withdraw_issue(ctx, parse_ref(token, "I", N_("implementation issue")))
    if token[:1] in ("E", "e"):
        return withdraw_request(ctx, parse_ref(token, "E", N_("extraordinary request")))
    if token[:1] in ("D", "d"):
        raise CommandError(_("A joint decision stands; only polls (P3), implementation "
                             "issues (I3) and extraordinary requests (E3) can be withdrawn."))
    return withdraw_poll(ctx, parse_ref(token, "P", N_("proposal")))
