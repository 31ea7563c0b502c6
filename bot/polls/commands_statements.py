"""The statement commands: parse the arguments, call the service.

"``statement joint <text>`` opens a consensus poll whose adoption produces a *joint
statement* (numbered ``S#``, in the register with the decisions); ``statement chair
<text>`` (Chair only) publishes a *Chair's statement* at once." (issue 14)
"""

from __future__ import annotations

from bot.context import Context
from bot.errors import CommandError
from bot.i18n import N_, _
from bot.messages import Message
from bot.polls import service, service_statements
from bot.polls.commands import take_page, take_poll_options
from bot.registry import command, parse_ref, split_word, text_argument
from storage.statuses import ProposalKind


@command("statement joint", "statement joint [--explicit] [--area A] [--urgent <reason>] "
         "<deadline> <text>", mutates=True,
         examples=("statement joint 48h The members condemn all attacks on shipping.",
                   "statement joint --area sar 72h Joint statement on search and rescue"))
def statement_joint(ctx: Context, args: str) -> Message:
    """Open a consensus poll on a draft joint statement: adopted, it becomes joint
    statement S#.

    The rules are propose's: any member's objection blocks; the silence procedure
    by default, --explicit for every member's concurrence; the same deadline, the
    charter's minimum silence and --urgent <reason> for the Chair.
    """
    options = take_poll_options(ctx, args, "statement joint", supersedes=False)
    return service.propose(ctx, text_argument(options.text, N_("text of the joint statement")),
                           options.area, options.mode, options.deadline, options.urgent,
                           kind=ProposalKind.JOINT_STATEMENT)


@command("statement chair", "statement chair <text>", mutates=True,
         examples=("statement chair The Chair welcomes the resumption of military contacts.",))
def statement_chair(ctx: Context, args: str) -> Message:
    """Issue a Chair's statement at once (the Chair): numbered S#, posted in the council
    channel and labelled as issued on the Chair's own responsibility, not a decision of
    the Council."""
    return service_statements.issue_chair_statement(
        ctx, text_argument(args, N_("text of the Chair's statement")))


@command("statements", "statements [S | --page N]",
         examples=("statements", "statements S2", "statements --page 2"))
def statements(ctx: Context, args: str) -> Message:
    """List the council's statements, joint and the Chair's, in their one S# series,
    ten a page; S2 shows one, a joint statement with every member's position."""
    token, rest = split_word(args)
    if token[:1] in ("S", "s") and not token.startswith("--"):
        if rest:
            raise CommandError(_('Unexpected "{extra}" after {word}.', extra=rest[:40],
                                 word=token[:20]))
        return service_statements.show_statement(ctx, parse_ref(token, "S", "statement"))
    page = 1
    if token in ("--page", "page") or token.startswith("--page="):
        page, rest = take_page(args)
        if rest:
            raise CommandError(_('Unexpected "{extra}"; statements takes --page <N>.',
                                 extra=rest[:40]))
    elif args.strip():
        raise CommandError(_('Unexpected "{extra}"; statements takes a statement like S2, or '
                             "--page <N>.", extra=args.strip()[:40]))
    return service_statements.list_statements(ctx, page)
