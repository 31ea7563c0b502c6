"""End to end (issue 15): a person's replies in their language, from Slack's locale
(``users.info``), their own choice (``/nrc language``), back to Slack's (``auto``), and
asked again when Slack says the person changed (``user_change``)."""

from __future__ import annotations

import time
from typing import Any

from tests.e2e import BotServer
from tests.slackreq import event_callback

FR, RU, EN = "UFRANCE01", "URUSSIA01", "UENGLISH1"
NONE_OPEN = {
    "fr": "Aucune question de mise en œuvre n'est ouverte.",
    "ru": "Открытых вопросов о выполнении нет.",
    "en": "No implementation issues are open.",
}


def _text(ack: dict[str, Any]) -> str:
    return str(ack.get("text", ""))


def _issues(bot_server: BotServer, user: str) -> str:
    status, ack = bot_server.command("issues", user=user)
    assert status == 200 and ack["response_type"] == "ephemeral"
    return _text(ack)


def _asked(bot_server: BotServer, user: str) -> int:
    return len([c for c in bot_server.fake.calls_to("users.info") if c.params["user"] == user])


def test_replies_follow_each_persons_slack_locale(bot_server: BotServer) -> None:
    bot_server.fake.set_user(FR, locale="fr-FR")
    bot_server.fake.set_user(RU, locale="ru-RU")
    bot_server.fake.set_user(EN, locale="en-US")
    assert _issues(bot_server, FR).endswith(": " + NONE_OPEN["fr"])
    assert _issues(bot_server, RU).endswith(": " + NONE_OPEN["ru"])
    assert _issues(bot_server, EN).endswith(": " + NONE_OPEN["en"])
    _status, ack = bot_server.command("frobnicate", user=FR)
    assert _text(ack).split("\n") == ["Il n'existe pas de commande « frobnicate ».",
                                      "Syntaxe : `/nrc help [command]`"]
    _status, ack = bot_server.command("resolve", user=RU)
    assert _text(ack).split("\n") == [  # a refusal, with the usage line
        "Только Председатель или Секретариат могут урегулировать вопросы о выполнении.",
        "Формат: `/nrc resolve <I> <note>`"]
    asked = _asked(bot_server, FR)
    assert asked >= 1 and "include_locale" in str(bot_server.fake.calls_to("users.info")[0].params)
    _issues(bot_server, FR)
    assert _asked(bot_server, FR) == asked  # the locale is kept, not asked at every request


def test_a_persons_choice_overrides_slack_and_auto_goes_back(bot_server: BotServer) -> None:
    bot_server.fake.set_user(FR, locale="fr-FR")
    assert _issues(bot_server, FR).endswith(": " + NONE_OPEN["fr"])
    status, ack = bot_server.command("language ru", user=FR)
    assert status == 200 and "русский" in _text(ack)
    assert _issues(bot_server, FR).endswith(": " + NONE_OPEN["ru"])
    _status, ack = bot_server.command("language", user=FR)
    assert "русский" in _text(ack)
    _status, ack = bot_server.command("language auto", user=FR)
    assert "français" in _text(ack)
    assert _issues(bot_server, FR).endswith(": " + NONE_OPEN["fr"])
    _status, ack = bot_server.command("language en", user=FR)
    assert _issues(bot_server, FR).endswith(": " + NONE_OPEN["en"])


def test_a_user_change_makes_the_bot_ask_slack_again(bot_server: BotServer) -> None:
    bot_server.fake.set_user(EN, locale="en-US")
    assert _issues(bot_server, EN).endswith(": " + NONE_OPEN["en"])
    asked = _asked(bot_server, EN)
    bot_server.fake.set_user(EN, locale="fr-FR")  # changed in Slack: the bot does not know yet
    assert _issues(bot_server, EN).endswith(": " + NONE_OPEN["en"])
    assert _asked(bot_server, EN) == asked
    status, _headers, _body = bot_server.send(event_callback(
        {"type": "user_change", "user": {"id": EN, "name": "english"},
         "event_ts": "1700000000.000100"}, event_id="EvUSERCHANGE1"))
    assert status == 200
    deadline = time.monotonic() + 5  # the event is handled after Slack's acknowledgement
    while (reply := _issues(bot_server, EN)).endswith(NONE_OPEN["en"]):
        assert time.monotonic() < deadline, "the locale was never asked again"
        time.sleep(0.05)
    assert reply.endswith(": " + NONE_OPEN["fr"])
    assert _asked(bot_server, EN) == asked + 1
