"""The ``help`` command: every command a person may use, grouped, or one command's usage.

Read from the command registry (each command's usage, docstring and examples) and the
permission table, so help never says what a command does not do, nor offers a
command its reader may not run. In the reader's language: each docstring's paragraphs
are message ids (``bot.help_texts`` lists them for the catalogues); the usage lines and
examples stay as they are typed.
"""

from __future__ import annotations

from bot.context import Context
from bot.i18n import _, named
from bot.messages import Message
from bot.permissions import PERMISSIONS, Role, allowed, describe
from bot.registry import (
    CHECKED_BY_HANDLER,
    HELP_GROUPS,
    REGISTRY,
    Command,
    command,
    family,
    find,
)


@command("help", "help [command]", examples=("help", "help propose"))
def help_(ctx: Context, args: str) -> Message:
    """Show every command, or one command's usage and examples."""
    kin = family(args.strip()) if len(args.split()) == 1 else []
    if kin and args.strip().casefold() not in REGISTRY:  # `help delegate`: add and remove
        slash = ctx.slash
        word = args.strip().casefold()
        return Message(text="\n".join(f"`{slash} {c.usage}`: {summary(c)}" for c in kin),
                       header=_("Help: {command}", command=word),
                       context=[_("`{slash} help {command}` explains one, with examples.",
                                  slash=slash, command=kin[0].name)])
    if args.strip():
        cmd, _rest = find(args)
        lines = [f"`{ctx.slash} {cmd.usage}`", summary(cmd)]
        if cmd.details:
            lines.append(details(cmd))
        if cmd.examples:
            lines.append(_("Examples: {examples}",
                           examples=", ".join(f"`{e}`" for e in cmd.examples)))
        return Message(text="\n".join(lines), header=_("Help: {command}", command=cmd.name))
    slash = ctx.slash
    roles = ctx.actor.roles
    sections: list[str] = []
    others: list[str] = []
    whose: set[Role] = set()
    for title, names in HELP_GROUPS:
        mine = []
        for name in names:
            cmd = REGISTRY[name]
            actions = CHECKED_BY_HANDLER.get(name, (cmd.action or name,))
            if any(allowed(action, _may_become(roles)) for action in actions):
                mine.append(f"• `{slash} {cmd.usage}`: {summary(cmd)}")
            else:
                others.append(name)
                for action in actions:
                    whose |= _may_become(PERMISSIONS[action].roles)
        if mine:
            sections.append(f"*{_(title)}*\n" + "\n".join(mine))
    if others:
        who = describe(frozenset(whose & {Role.DELEGATE, Role.CHAIR, Role.ADMIN}), "and")
        sections.append(_("Also for {who}: {commands} (`{slash} help <command>` explains one).",
                          who=who, commands=", ".join(others), slash=slash))
    return Message(
        text=_("{council}: what you can ask me.", council=named(ctx.council)),
        header=_("Commands"),
        sections=sections,
        context=[
            _("IDs: M3 meeting, P3 proposal, D3 joint decision, I3 implementation issue. "
              "Times are {zone} unless they carry an offset. "
              "`{slash} help <command>` shows one command.",
              zone=ctx.council.timezone, slash=slash)
        ],
    )


def summary(cmd: Command) -> str:
    """A command's first docstring paragraph, in the current language."""
    return _(cmd.summary) if cmd.summary else ""


def details(cmd: Command) -> str:
    """The rest of a command's docstring, paragraph by paragraph in the current language."""
    return "\n\n".join(_(part) for part in cmd.details.split("\n\n"))


def _may_become(roles: frozenset[Role]) -> frozenset[Role]:
    """The roles a person may hold for some record: a delegation proposes and raises; the
    Chair proposes."""
    extra: set[Role] = set()
    if Role.DELEGATE in roles:
        extra |= {Role.PROPOSER, Role.RAISER}
    if Role.CHAIR in roles:
        extra.add(Role.PROPOSER)
    if Role.PROPOSER in roles or Role.RAISER in roles:
        extra.add(Role.DELEGATE)
    return roles | extra
