"""Each person's language, and a channel post in the official languages (issue 15):
pure rules without a database, then the records and the runtime on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import ClassVar
from zoneinfo import ZoneInfo

from bot.i18n import _, named, negotiate, ngettext, using
from bot.languages import pick, stale
from bot.messages import Button, Confirm, Message, in_language, in_languages, render_text
from bot.runtime import Runtime
from bot.times import local_text
from handlers.blocks import fits, to_blocks
from storage.models_language import UserLanguage
from tests.council import CHANNEL, Clock, delegate, run

NOW = datetime(2027, 1, 14, 9, 0, tzinfo=UTC)
TZ = ZoneInfo("Europe/Brussels")


def test_a_slack_locale_chooses_an_offered_language_else_the_councils_first() -> None:
    assert [negotiate(x, "en") for x in ("fr-FR", "fr-CA", "ru-RU", "en-GB", "de-DE", None,
                                         "")] == ["fr", "fr", "ru", "en", "en", "en", "en"]
    assert negotiate("es-ES", "fr") == "fr"


def test_a_choice_wins_over_slack_and_is_never_asked_again() -> None:
    asked = UserLanguage(user_id="U1", locale="ru-RU", checked_at=NOW)
    assert pick(asked, "en") == "ru"
    assert pick(UserLanguage(user_id="U1", chosen="fr", locale="ru-RU"), "en") == "fr"
    assert pick(None, "fr") == "fr"
    assert stale(None, NOW) and stale(UserLanguage(user_id="U1"), NOW)
    assert not stale(asked, NOW + timedelta(hours=23))
    assert stale(asked, NOW + timedelta(days=1))
    assert not stale(UserLanguage(user_id="U1", chosen="fr"), NOW + timedelta(days=9))


def test_dates_read_naturally_in_each_language() -> None:
    moment = datetime(2027, 1, 14, 9, 0, tzinfo=UTC)
    assert local_text(moment, TZ) == "Thu 14 Jan 2027, 10:00 CET"
    with using("fr"):
        assert local_text(moment, TZ) == "jeudi 14 janvier 2027, 10:00 CET"
    with using("ru"):
        assert local_text(moment, TZ) == "четверг, 14 января 2027 г., 10:00 CET"


def test_translated_text_and_russian_plurals() -> None:
    with using("fr"):
        assert _("Something went wrong; nothing was changed.") == (
            "Une erreur s'est produite ; rien n'a été modifié.")
    with using("ru"):
        assert _("Usage: `{slash} {usage}`", slash="/nrc", usage="help") == "Формат: `/nrc help`"
    # An id no catalogue holds reads as itself, its placeholders filled.
    with using("ru"):
        assert ngettext("{n} member", "{n} members", 5) == "5 members"


class _Named:
    name = "Germany"
    names: ClassVar[dict[str, str]] = {"fr": "Allemagne", "ru": "Германия"}


def test_names_in_the_language_of_the_moment() -> None:
    assert named(_Named()) == "Germany"
    with using("fr"):
        assert named(_Named()) == "Allemagne"
    with using("ru"):
        assert named(_Named()) == "Германия"


def _poll() -> Message:
    with_label = {"en": "Concur", "fr": "Approuver"}
    return Message(text=_("Something went wrong; nothing was changed."), header="P1",
                   buttons=[Button(with_label.get(_lang(), "Concur"), "poll_concur_now", "1",
                                   "primary", Confirm("Concur?", "For France.", "Concur"))])


def _lang() -> str:
    from bot.i18n import current

    return current()


def test_a_post_in_the_official_languages_first_in_full_then_below_a_divider() -> None:
    message = in_languages(_poll, ("en", "fr"))
    assert message.text == "Something went wrong; nothing was changed."
    assert [m.text for m in message.also] == ["Une erreur s'est produite ; rien n'a été modifié."]
    blocks = to_blocks(message)
    assert [b["type"] for b in blocks] == ["header", "section", "divider", "header", "section",
                                          "actions"]
    [button] = blocks[-1]["elements"]
    assert button["text"]["text"] == "Concur · Approuver"
    assert Message.from_dict(message.to_dict()) == message
    assert "----" in render_text(message) and "rien n'a été modifié" in render_text(message)
    # One person's message: their language only.
    assert in_language(_poll, "fr").text.startswith("Une erreur") and not in_language(_poll,
                                                                                    "fr").also


def test_a_post_too_long_for_one_message_goes_first_language_alone() -> None:
    def long() -> Message:
        return Message(text="x", sections=[f"{_lang()} {i}" for i in range(30)])

    message = in_languages(long, ("en", "fr"))
    assert not fits(message)
    blocks = to_blocks(message)
    assert len(blocks) <= 50 and not any(b["type"] == "divider" for b in blocks)


def test_a_member_is_found_by_its_name_in_any_language(council: Runtime) -> None:
    assert "Germany" in run(council, "UADMIN01", f"delegate add Allemagne {delegate('DE', 2)}")
    assert "Germany" in run(council, "UADMIN01", f"delegate add Германия {delegate('DE', 3)}")


def test_the_language_command_keeps_a_choice_and_answers_in_it(council: Runtime) -> None:
    user = delegate("FR")
    assert run(council, user, "language") == (
        "The bot writes to you in English (your Slack language). Channel posts are in the "
        "council's official languages.")
    assert run(council, user, "language fr") == (
        "Le bot vous écrit désormais en français : réponses, messages directs, formulaires et "
        "votre page d'accueil.")
    assert run(council, user, "language de").startswith(
        "« de » n'est pas une langue proposée ; indiquez en, fr, ru ou auto.\nSyntaxe : "
        "`/nrc language [en|fr|ru|auto]`")
    assert run(council, user, "language auto") == (
        "The bot now follows your Slack language: it writes to you in English.")


def test_slacks_locale_is_asked_once_a_day(council: Runtime, clock: Clock) -> None:
    asked: list[str] = []

    def source(user_id: str) -> str | None:
        asked.append(user_id)
        return "fr-FR"

    council.readers.source = source
    user = delegate("FR")
    assert run(council, user, "language").startswith("Le bot vous écrit en français (la langue")
    run(council, user, "members", CHANNEL)
    assert asked == [user]
    clock.now += timedelta(days=1, minutes=1)
    run(council, user, "members", CHANNEL)
    assert asked == [user, user]
    council.forget_locale(user)
    run(council, user, "members", CHANNEL)
    assert asked == [user, user, user]
