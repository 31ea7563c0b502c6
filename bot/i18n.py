"""The council's languages: gettext catalogues managed with Babel, and the language of
the moment.

Every user-facing string goes through :func:`_` (or :func:`ngettext` for plurals) with
named placeholders: ``_("Moved M{number} to {when}.", number=3, when=...)``. The
catalogues are ``locale/{lang}/LC_MESSAGES/nrc.po`` in the repository (extracted with
``pybabel extract``, see ``babel.cfg``), compiled in memory when first needed, so a
fresh checkout needs no build step. The language is a context variable: a rendering
runs ``with using("fr"):``, so the same function renders a message once per language
that needs it (the council's official languages for the channel, a person's own for
what is addressed to them).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from gettext import NullTranslations
from io import BytesIO
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

#: The languages a person may read the bot in (``/nrc language en|fr|ru``).
OFFERED = ("en", "fr", "ru")
#: The language of the message ids, and of a council whose charter names none.
SOURCE = "en"
DOMAIN = "nrc"
LOCALE_DIR = Path(__file__).resolve().parents[1] / "locale"
#: Each offered language, named in itself (for ``language`` and the help).
NATIVE = {"en": "English", "fr": "français", "ru": "русский"}

_current: ContextVar[str] = ContextVar("nrc_language", default=SOURCE)


def po_path(lang: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


@functools.cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` (the source language translates to itself)."""
    path = po_path(lang)
    if lang == SOURCE or not path.exists():
        return NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=lang, domain=DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def current() -> str:
    """The language being rendered now."""
    return _current.get()


@contextmanager
def using(lang: str | None) -> Iterator[str]:
    """Render in ``lang`` (an offered language; None keeps the current one) until the
    block ends."""
    wanted = lang if lang in OFFERED else current()
    token = _current.set(wanted)
    try:
        yield wanted
    finally:
        _current.reset(token)


def _(message: str, /, **values: object) -> str:
    """``message`` in the current language, its ``{placeholders}`` filled from ``values``."""
    text = translations(current()).gettext(message)
    return text.format(**values) if values else text


def ngettext(singular: str, plural: str, n: int, /, **values: object) -> str:
    """The singular or plural form ``n`` takes in the current language (Russian has three);
    ``{n}`` and the other placeholders filled."""
    text = translations(current()).ngettext(singular, plural, n)
    return text.format(n=n, **values)


def N_(message: str, /) -> str:
    """Mark a constant for extraction; it is translated where it is shown (``_(CONST)``)."""
    return message


def negotiate(locale: str | None, fallback: str) -> str:
    """The offered language a Slack locale (``fr-FR``, ``ru-RU``, ``en-GB``) asks for, else
    ``fallback`` (the council's first official language)."""
    if not locale:
        return fallback
    wanted = locale.replace("_", "-").split("-")[0].lower()
    return wanted if wanted in OFFERED else fallback


def named(thing: object) -> str:
    """A member's, body's or council's name in the current language (its ``names``), else
    its own ``name``."""
    names = getattr(thing, "names", None) or {}
    return str(names.get(current()) or getattr(thing, "name", ""))
