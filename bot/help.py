"""The ``help`` command: every command a person may use, grouped, or one command's usage.

Read from the command registry (each command's usage, docstring and examples) and the
permission table, so help never says what a command does not do, nor offers a
command its reader may not run.
"""

from __future__ import annotations

from bot.context import Context
from bot.messages import Message
from bot.permissions import PERMISSIONS, Role, allowed, describe
from bot.registry import CHECKED_BY_HANDLER, HELP_GROUPS, REGISTRY, command, family, find


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
    sections: list[str] = []
    others: list[str] = []
    whose: set[Role] = set()
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
    extra: set[Role] = set()
    if Role.DELEGATE in roles:
        extra |= {Role.PROPOSER, Role.RAISER}
    if Role.CHAIR in roles:
        extra.add(Role.PROPOSER)
    if Role.PROPOSER in roles or Role.RAISER in roles:
        extra.add(Role.DELEGATE)
    return roles | extra
