"""The command surface: a registry of sub-commands and the parsing they share.

Each sub-command is a function registered with :func:`command`; its help
text is its own docstring. The permission for a command is looked up in the one
table (:mod:`bot.permissions`) before the function runs.
"""

from __future__ import annotations

import difflib
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.context import Context
from bot.errors import CommandError
from bot.i18n import N_, _, named, ngettext
from bot.lookup import LookupFailed, find_one
from bot.messages import Message
from storage.models import Member
from storage.roster import roster_of

Handler = Callable[[Context, str], Message]
#: Whether a command writes: always, never, or depending on its arguments.
Mutates = bool | Callable[[str], bool]

MAX_TEXT = 2000


@dataclass(frozen=True)
class Command:
    name: str
    usage: str
    handler: Handler
    action: str | None  # checked before the handler runs; None: the handler checks
    examples: tuple[str, ...]
    mutates: Mutates

    def mutates_with(self, args: str) -> bool:
        """Whether this invocation writes: it then takes the council's write lock."""
        return self.mutates(args) if callable(self.mutates) else self.mutates

    @property
    def summary(self) -> str:
        doc = inspect.getdoc(self.handler) or ""
        return doc.split("\n\n")[0].replace("\n", " ")

    @property
    def details(self) -> str:
        doc = inspect.getdoc(self.handler) or ""
        parts = doc.split("\n\n", 1)
        return parts[1] if len(parts) > 1 else ""


REGISTRY: dict[str, Command] = {}
_UNSET = object()

#: The help listing, by what a person does: each command (but help) in one group, in order
#: (the titles translated where shown).
HELP_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("Positions and polls"), ("propose", "statement joint", "concur", "object", "more-time",
                             "amendment", "withdraw-objection", "withdraw", "polls", "extend",
                             "amend", "revise", "statement chair", "notify", "language")),
    (N_("Meetings"), ("meetings", "agenda", "extraordinary", "schedule", "reschedule", "cancel",
                  "bodies", "attendance", "record", "records")),
    (N_("Implementation issues"), ("raise", "issues", "resolve")),
    (N_("The record"), ("decisions", "statements", "members", "status")),
    (N_("The secretariat's tools"), ("setup", "delegate add", "delegate remove", "chair", "body add",
                                 "calendar", "audit", "outbox")),
)
#: Commands that check their own permission, by the actions of the table they check.
CHECKED_BY_HANDLER: dict[str, tuple[str, ...]] = {
    "withdraw": ("withdraw proposal", "withdraw issue", "withdraw request"),
    "agenda": ("agenda", "agenda add", "agenda edit", "agenda remove", "agenda move",
               "agenda circulate", "agenda adopt"),
    "attendance": ("attendance", "attendance record"),
    "record": ("record", "record write", "record final"),
}


def command(
    name: str,
    usage: str,
    *,
    action: str | object | None = _UNSET,
    examples: tuple[str, ...] = (),
    mutates: Mutates = False,
) -> Callable[[Handler], Handler]:
    """Register a sub-command. ``usage`` is what follows the slash command.

    ``mutates``: whether it writes, so takes the council's write lock; a
    command that does not runs read-only, beside the council's writers.
    """

    def register(handler: Handler) -> Handler:
        checked = name if action is _UNSET else action
        assert checked is None or isinstance(checked, str)
        REGISTRY[name] = Command(name, usage, handler, checked, examples, mutates)
        return handler

    return register


def find(text: str) -> tuple[Command, str]:
    """The command a line names (longest name first) and the rest of the line."""
    words = text.split()
    for length in (2, 1):
        name = " ".join(words[:length]).casefold()
        if len(words) >= length and name in REGISTRY:
            return REGISTRY[name], _after_words(text, length)
    raise _no_command(words)


def family(word: str) -> list[Command]:
    """The two-word commands that begin with ``word`` (``delegate``: add, remove)."""
    word = word.casefold()
    return [c for n, c in REGISTRY.items() if " " in n and n.split()[0] == word]


def _no_command(words: list[str]) -> CommandError:
    """What a line naming no command is told: the nearest command, never the word typed."""
    first = words[0].casefold() if words else ""
    kin = family(first)
    if kin:  # "delegate ad": the second word is wrong, or missing
        names = _(" or ").join(f'"{c.name}"' for c in kin)
        if len(words) < 2:
            return CommandError(_('There is no command "{typed}"; say {names}.',
                                  typed=first[:40], names=names), f"help {first}")
        typed = f"{first} {words[1].casefold()}"
        close = difflib.get_close_matches(typed, [c.name for c in kin], n=1, cutoff=0.5)
        if close:
            return CommandError(_('There is no command "{typed}". Did you mean "{suggestion}"?',
                                  typed=typed[:40], suggestion=close[0]),
                                REGISTRY[close[0]].usage)
        return CommandError(_('There is no command "{typed}"; say {names}.',
                              typed=typed[:40], names=names), f"help {first}")
    singles = [n for n in REGISTRY if " " not in n]
    families = sorted({n.split()[0] for n in REGISTRY if " " in n} - set(singles))
    close = difflib.get_close_matches(first, singles + families, n=1)
    if not close:
        return CommandError(_('There is no command "{typed}".', typed=first[:40]),
                            "help [command]")
    suggestion = close[0]
    if suggestion in families:  # "delegat add": the family's member nearest the second word
        second = words[1].casefold() if len(words) > 1 else ""
        kin_names = [c.name for c in family(suggestion)]
        nearest = difflib.get_close_matches(f"{suggestion} {second}", kin_names, n=1,
                                            cutoff=0.5)
        suggestion = nearest[0] if nearest else suggestion
    usage = REGISTRY[suggestion].usage if suggestion in REGISTRY else f"help {suggestion}"
    return CommandError(_('There is no command "{typed}". Did you mean "{suggestion}"?',
                          typed=first[:40], suggestion=suggestion), usage)


def _after_words(text: str, count: int) -> str:
    rest = text.strip()
    for _unused in range(count):
        parts = rest.split(None, 1)
        rest = parts[1] if len(parts) > 1 else ""
    return rest.strip()


# -- shared parsing -----------------------------------------------------------

_MENTION = re.compile(r"^<@([UW][A-Z0-9]{1,20})(?:\|[^>]*)?>$")
#: Raw IDs need seven characters or more, so that "USA" or "UK" stay members.
_RAW_USER = re.compile(r"^[UW][A-Z0-9]{6,20}$")


def split_word(text: str) -> tuple[str, str]:
    parts = text.strip().split(None, 1)
    if not parts:
        return "", ""
    return parts[0], parts[1].strip() if len(parts) > 1 else ""


def is_user(token: str) -> bool:
    return bool(_MENTION.match(token) or _RAW_USER.match(token))


def parse_user(token: str) -> str:
    """A Slack user from a mention as Slack escapes it, or a raw ID."""
    match = _MENTION.match(token)
    if match:
        return match.group(1)
    if _RAW_USER.match(token):
        return token
    shown = token[:40] or _("nothing")
    raise CommandError(
        _('Name a user as a mention (@someone) or a Slack ID such as U0123ABCD, not "{shown}".',
          shown=shown)
    )


def parse_ref(token: str, prefix: str, noun: str) -> int:
    """``M12`` or ``12`` as the number 12."""
    match = re.fullmatch(rf"(?:{prefix})?(\d{{1,9}})", token.strip(), re.IGNORECASE)
    if not match:
        shown = token[:40] or _("nothing")
        raise CommandError(_('Name the {noun} by its number, like {prefix}3, not "{shown}".',
                             noun=_(noun), prefix=prefix, shown=shown))
    return int(match.group(1))


_ID = re.compile(r"[0-9]{1,9}")


def parse_id(value: object) -> int | None:
    """A record number from a button value or a form field; None unless plain digits.

    ``int()`` alone accepts "+1", "²"-like digits and numbers too large for the
    database; a record number is one to nine ASCII digits.
    """
    text = str(value) if value is not None else ""
    return int(text) if _ID.fullmatch(text) else None


def text_argument(text: str, what: str) -> str:
    """Free text, checked for presence and length."""
    text = text.strip()
    if not text:
        raise CommandError(_("Give the {what}.", what=_(what)))
    if len(text) > MAX_TEXT:
        raise CommandError(capitalised(ngettext(
            "The {what} is {n} character long; the limit is {limit}.",
            "The {what} is {n} characters long; the limit is {limit}.",
            len(text), what=_(what), limit=MAX_TEXT)))
    return text


def capitalised(text: str) -> str:
    """A sentence that may begin with a placeholder (a translated noun), capitalised."""
    return text[:1].upper() + text[1:]


#: What ``parse_ref`` and ``text_argument`` name, as every feature passes it (in English):
#: listed here so that the catalogues translate them; the sentences translate ``_(noun)``.
NOUNS = (
    N_("meeting"), N_("proposal"), N_("joint decision"), N_("implementation issue"),
    N_("statement"), N_("extraordinary request"), N_("reason"), N_("agenda item"),
    N_("venue"), N_("new text"), N_("new text of the item"), N_("text of the issue"),
    N_("note saying how it was resolved"), N_("reason for the extraordinary meeting"),
    N_("text of the joint statement"), N_("text of the Chair's statement"),
    N_("reason for the objection"), N_("reason for more time"), N_("text of the proposal"),
    N_("text of the amendment"), N_("reason for the amendment"),
)


def members_of(ctx: Context, *, active_only: bool = True) -> list[Member]:
    """The members in their charter order (read-only copies: see ``storage.roster``)."""
    roster = roster_of(ctx.session, ctx.council)
    return roster.active() if active_only else list(roster.members)


def find_member(ctx: Context, query: str) -> Member:
    """A member by name, ISO code or common short name."""
    try:
        return find_one(
            query,
            members_of(ctx),
            names=lambda m: (m.name, m.alpha2, m.alpha3, *m.aliases, *m.names.values()),
            label=named,
            kind="member",
        )
    except LookupFailed as exc:
        raise CommandError(str(exc)) from None
