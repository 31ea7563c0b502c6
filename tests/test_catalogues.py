"""The catalogues: every message id the code says is translated in every offered
language, with the same placeholders, in every plural form the language has (issue 15:
"a test fails on a missing or mismatched one")."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from bot.i18n import OFFERED, SOURCE, po_path

ROOT = Path(__file__).resolve().parents[1]
KEYWORDS = {"_": None, "ngettext": (1, 2), "N_": None}


def _said() -> dict[str, tuple[str, ...]]:
    """Every message id in bot/ and handlers/, as ``pybabel extract`` (``babel.cfg``) finds
    them: the id, and its plural where it has one."""
    found: dict[str, tuple[str, ...]] = {}
    for folder in ("bot", "handlers"):
        for _file, _line, message, _comments, _context in extract_from_dir(
                ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS):
            forms = (message,) if isinstance(message, str) else tuple(message)
            found[forms[0]] = forms
    return found


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _catalog(lang: str) -> Catalog:
    with po_path(lang).open("rb") as handle:
        return read_po(handle, locale=lang)


SAID = _said()


def test_the_code_says_something_to_translate() -> None:
    assert len(SAID) > 10


@pytest.mark.parametrize("lang", [lang for lang in OFFERED if lang != SOURCE])
def test_every_message_is_translated_with_its_placeholders(lang: str) -> None:
    catalog = _catalog(lang)
    missing, mismatched = [], []
    for msgid, forms in SAID.items():
        entry = catalog.get(msgid)
        translated = ([] if entry is None or entry.fuzzy else
                      list(entry.string) if isinstance(entry.string, (list, tuple))
                      else [entry.string])
        wanted = catalog.num_plurals if len(forms) > 1 else 1
        if len([t for t in translated if t]) < wanted:
            missing.append(msgid)
            continue
        for text in translated:
            if _fields(text) != set().union(*(_fields(f) for f in forms)) - (
                    {"n"} if len(forms) > 1 and "n" not in _fields(text) else set()):
                mismatched.append((msgid, text))
    assert missing == [], f"{len(missing)} untranslated in {lang}, e.g. {missing[:5]}"
    assert mismatched == []


@pytest.mark.parametrize("lang", [lang for lang in OFFERED if lang != SOURCE])
def test_a_translation_renders(lang: str) -> None:
    from bot.i18n import _, using

    with using(lang):
        text = _("Something went wrong; nothing was changed.")
    assert text and text != "Something went wrong; nothing was changed."
