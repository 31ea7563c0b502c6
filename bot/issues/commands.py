"""The implementation-issue commands: their arguments and registrations (the service acts)."""

from __future__ import annotations

from bot.context import Context
from bot.errors import CommandError
from bot.i18n import N_, _
from bot.issues.service import list_issues, raise_issue, resolve_issue
from bot.messages import Message
from bot.registry import command, parse_ref, split_word


@command("raise", "raise <D> <text>", mutates=True,
         examples=("raise D2 The joint exercise agreed in D2 has not been scheduled.",))
def raise_(ctx: Context, args: str) -> Message:
    """Raise an issue on the implementation of a joint decision, for your member.

    It is posted in the thread under the decision, the Chair is told, and it
    goes on the agenda of the next Council meeting (or waits for one to be
    scheduled). "Each member may raise in the NRC issues related to the
    implementation of joint decisions."
    """
    token, text = split_word(args)
    if not token:
        raise CommandError(_("Name the joint decision, like D2, then the issue."))
    number = parse_ref(token, "D", N_("joint decision"))
    return raise_issue(ctx, number, text)


@command("issues", "issues")
def issues(ctx: Context, args: str) -> Message:
    """List the open implementation issues by decision, with the raising member and their meeting."""
    if args.strip():
        raise CommandError(_('Unexpected "{rest}": `issues` takes nothing more.',
                             rest=args.strip()[:40]))
    return list_issues(ctx)


@command("resolve", "resolve <I> <note>", mutates=True,
         examples=("resolve I3 The exercise is scheduled for March; see M7.",))
def resolve(ctx: Context, args: str) -> Message:
    """Close an implementation issue with a note, posted in its thread (Chair, secretariat)."""
    token, note = split_word(args)
    if not token:
        raise CommandError(_("Name the issue to resolve, like I3, then the note."))
    number = parse_ref(token, "I", N_("implementation issue"))
    return resolve_issue(ctx, number, note)
