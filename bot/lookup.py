"""Resolving what a person typed to exactly one thing, or saying clearly why not.

Delegates name members, bodies and areas in many ways ("Russia", "RU", "u.k.",
"Türkiye", "the netherlands"). Matching is forgiving about case, accents and
punctuation, but never guesses between two candidates: an ambiguous or unknown
name is refused with one sentence that lists the choices or the closest names.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

from bot.i18n import N_, _, ngettext

T = TypeVar("T")

MIN_PREFIX = 3
"""A prefix shorter than this is too easy to match by accident ("u", "ge")."""

_MAX_SUGGESTIONS = 3
_MAX_LISTED = 6
_MAX_ECHO = 60
_CLOSE_ENOUGH = 0.7
_RUNNER_UP_GAP = 0.15

#: The sentences by the kind of thing looked up (``find_one``'s ``kind``).
_NAME_ONE = {"member": N_("Name a member."), "body": N_("Name a body."),
             "area": N_("Name an area.")}
_NO_MATCH = {"member": N_('No member matches "{shown}".'),
             "body": N_('No body matches "{shown}".'),
             "area": N_('No area matches "{shown}".')}


class LookupFailed(ValueError):
    """Nothing, or more than one thing, matched; ``str()`` is one sentence for the user.

    ``options`` holds the labels offered (the ambiguous matches or the
    suggestions), so an interface can turn them into buttons.
    """

    def __init__(self, message: str, options: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.options = tuple(options)


def normalise(text: str) -> str:
    """Fold a name so spellings a person would call the same compare equal.

    Case is folded, accents are dropped (NFKD) and everything that is not a
    letter or digit goes, so "U.K.", "uk", "United-Kingdom" / "united kingdom"
    and "Türkiye" / "turkiye" meet.
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return "".join(ch for ch in bare.casefold() if ch.isalnum())


def find_one(
    query: str,
    candidates: Sequence[T],
    names: Callable[[T], Iterable[str]],
    label: Callable[[T], str],
    kind: str = "member",
) -> T:
    """The one candidate ``query`` names, or :class:`LookupFailed` saying why not.

    An exact match on any name wins; failing that, a unique prefix of at least
    three characters. Two candidates matching equally well is an error, never a
    guess: acting for the wrong member is worse than asking again.
    """
    shown = " ".join(query.split())
    if not shown:
        raise LookupFailed(_(_NAME_ONE[kind]) if kind in _NAME_ONE
                           else f"Name {_article(kind)} {kind}.")
    wanted = normalise(shown)
    if len(shown) > _MAX_ECHO:
        shown = shown[: _MAX_ECHO - 1] + "…"
    indexed = [(candidate, {normalise(name) for name in names(candidate)})
               for candidate in candidates]

    if wanted:
        exact = [candidate for candidate, folded in indexed if wanted in folded]
        if len(exact) == 1:
            return exact[0]
        if exact:
            raise _ambiguous(shown, exact, label)

    prefixed = _prefixed(wanted, indexed)
    if len(wanted) >= MIN_PREFIX:
        if len(prefixed) == 1:
            return prefixed[0]
        if prefixed:
            raise _ambiguous(shown, prefixed, label)

    suggestions = _suggest(wanted, indexed, prefixed, label)
    message = (_(_NO_MATCH[kind], shown=shown) if kind in _NO_MATCH
               else f'No {kind} matches "{shown}".')
    if suggestions:
        message += " " + _("Did you mean {choices}?", choices=_or_list(suggestions))
    raise LookupFailed(message, suggestions)


def _prefixed(wanted: str, indexed: list[tuple[T, set[str]]]) -> list[T]:
    """Candidates having some name that starts with what was typed."""
    if not wanted:
        return []
    return [candidate for candidate, folded in indexed
            if any(name.startswith(wanted) for name in folded)]


def _ambiguous(shown: str, matches: list[T], label: Callable[[T], str]) -> LookupFailed:
    labels = _sorted_labels(label(match) for match in matches)
    return LookupFailed(_('"{shown}" is ambiguous: {choices}.', shown=shown,
                          choices=_or_list(labels)), labels)


def _suggest(
    wanted: str,
    indexed: list[tuple[T, set[str]]],
    prefixed: list[T],
    label: Callable[[T], str],
) -> list[str]:
    """Up to three labels the person probably meant, closest first."""
    if not wanted:
        return []
    picked: list[str] = []

    def add(text: str) -> None:
        if text not in picked:
            picked.append(text)

    # A too-short prefix ("ge") still tells us what the person was typing.
    for text in _sorted_labels(label(candidate) for candidate in prefixed):
        add(text)
    owners: dict[str, list[T]] = {}
    for candidate, folded in indexed:
        for name in folded:
            owners.setdefault(name, []).append(candidate)
    for name in _closest(wanted, owners):
        for candidate in owners[name]:
            add(label(candidate))
    return picked[:_MAX_SUGGESTIONS]


def _closest(wanted: str, names: Iterable[str]) -> list[str]:
    """Names similar to ``wanted``, best first; far weaker runners-up are left out."""
    matcher = difflib.SequenceMatcher(b=wanted)
    scored: list[tuple[float, str]] = []
    for name in names:
        matcher.set_seq1(name)
        score = matcher.ratio()
        if score >= _CLOSE_ENOUGH:
            scored.append((score, name))
    if not scored:
        return []
    best = max(score for score, _ in scored)
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [name for score, name in scored if score >= best - _RUNNER_UP_GAP]


def _sorted_labels(labels: Iterable[str]) -> list[str]:
    return sorted(set(labels), key=lambda text: (text.casefold(), text))


def _or_list(items: Sequence[str]) -> str:
    """"A", "A or B", "A, B or C"; long lists end with "or N more"."""
    if len(items) > _MAX_LISTED:
        shown = list(items[: _MAX_LISTED - 1])
        return ngettext("{items} or {n} more", "{items} or {n} more", len(items) - len(shown),
                        items=", ".join(shown))
    if len(items) == 1:
        return items[0]
    return _("{items} or {last}", items=", ".join(items[:-1]), last=items[-1])


def _article(word: str) -> str:
    return "an" if word and word[0].lower() in "aeiou" else "a"
