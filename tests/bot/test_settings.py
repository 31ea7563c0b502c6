"""Settings: every variable read once, named in its error, and immutable."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from pydantic import ValidationError

from bot.settings import SLACK_DEFAULT_API_URL, Settings
from storage.engine import DEFAULT_URL


def test_defaults_without_any_variable() -> None:
    settings = Settings.from_env({})
    assert settings == Settings()
    assert (settings.bot_token, settings.signing_secret, settings.app_token) == (None, None, None)
    assert settings.api_url == SLACK_DEFAULT_API_URL
    assert settings.database_url == DEFAULT_URL
    assert settings.admin_users == frozenset()
    assert (settings.timezone, settings.charter) == (None, None)
    assert (settings.port, settings.command) == (3000, "/nrc")
    assert (settings.tick_seconds, settings.deliver_seconds) == (30, 5)
    assert (settings.grace_long, settings.grace_short) == (timedelta(hours=6),
                                                           timedelta(minutes=15))
    assert settings.public_url is None
    assert settings.issue_overdue_days == 30
    assert settings.issue_overdue == timedelta(days=30)
    assert settings.log_level is None
    assert (settings.web_concurrency, settings.threads) == (2, 8)
    assert settings.mode == "console"


def test_every_variable_is_read() -> None:
    settings = Settings.from_env({
        "SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "SLACK_APP_TOKEN": "xapp-1",
        "SLACK_API_URL": "http://127.0.0.1:9/api/", "DATABASE_URL": "sqlite:///x.db",
        "NRC_ADMIN_USERS": "UA0000001", "NRC_TIMEZONE": "Europe/Paris",
        "NRC_CHARTER": "c.toml", "PORT": " 8080 ", "NRC_COMMAND": "/council",
        "NRC_TICK_SECONDS": "10", "NRC_DELIVER_SECONDS": "2", "NRC_GRACE_LONG": "1d",
        "NRC_GRACE_SHORT": "5m", "NRC_PUBLIC_URL": " https://nrc.example.org/ ",
        "NRC_ISSUE_OVERDUE_DAYS": "7.5", "NRC_LOG_LEVEL": " DEBUG ",
        "WEB_CONCURRENCY": "4", "NRC_THREADS": "16",
    })
    assert (settings.bot_token, settings.signing_secret, settings.app_token) == (
        "xoxb-1", "s", "xapp-1")
    assert settings.api_url == "http://127.0.0.1:9/api/"
    assert settings.database_url == "sqlite:///x.db"
    assert settings.admin_users == {"UA0000001"}
    assert (settings.timezone, settings.charter) == ("Europe/Paris", "c.toml")
    assert (settings.port, settings.command) == (8080, "/council")
    assert (settings.tick_seconds, settings.deliver_seconds) == (10, 2)
    assert (settings.grace_long, settings.grace_short) == (timedelta(days=1),
                                                           timedelta(minutes=5))
    assert settings.public_url == "https://nrc.example.org"
    assert settings.issue_overdue == timedelta(days=7.5)
    assert settings.log_level == "debug"
    assert (settings.web_concurrency, settings.threads) == (4, 16)
    assert settings.mode == "socket"


def test_a_blank_variable_is_an_unset_one() -> None:
    blank = {name: "" for name in ("SLACK_APP_TOKEN", "SLACK_API_URL", "DATABASE_URL", "PORT",
                                   "NRC_COMMAND", "NRC_ISSUE_OVERDUE_DAYS", "NRC_PUBLIC_URL")}
    assert Settings.from_env({**blank, "NRC_GRACE_LONG": "  "}) == Settings()
    assert Settings.from_env({"NRC_PUBLIC_URL": " / "}).public_url is None


@pytest.mark.parametrize(("env", "shown"), [
    ({"NRC_GRACE_LONG": "soon"}, "NRC_GRACE_LONG='soon': \"soon\" is not a duration"),
    ({"NRC_GRACE_SHORT": " -5m "}, "NRC_GRACE_SHORT='-5m': \"-5m\" is negative"),
    ({"PORT": "eighty"}, "PORT='eighty': must be a whole number"),
    ({"NRC_TICK_SECONDS": "1.5"}, "NRC_TICK_SECONDS='1.5': must be a whole number"),
    ({"WEB_CONCURRENCY": "x"}, "WEB_CONCURRENCY='x': must be a whole number"),
])
def test_a_bad_value_names_the_variable_and_the_value(env: dict[str, str], shown: str) -> None:
    with pytest.raises(ValueError) as caught:
        Settings.from_env(env)
    assert str(caught.value).startswith(shown)
    assert not isinstance(caught.value, ValidationError)


@pytest.mark.parametrize("raw", ["0", "-3", "soon", "nan"])
def test_a_bad_overdue_period_is_logged_and_the_default_used(
        raw: str, caplog: pytest.LogCaptureFixture) -> None:
    """As ``bot.issues`` has always done: a warning, not a refusal to start."""
    with caplog.at_level(logging.WARNING, logger="bot.settings"):
        settings = Settings.from_env({"NRC_ISSUE_OVERDUE_DAYS": raw})
    assert settings.issue_overdue_days == 30
    assert f"NRC_ISSUE_OVERDUE_DAYS={raw!r} is not a positive number of days; using 30" \
        in caplog.text


def test_built_in_code_it_ignores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-shell")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///shell.db")
    monkeypatch.setenv("bot_token", "xoxb-lowercase")
    settings = Settings(admin_users=frozenset({"UA0000001"}))
    assert settings.bot_token is None and settings.database_url == DEFAULT_URL
    assert Settings(bot_token="xoxb-test").bot_token == "xoxb-test"


def test_from_env_reads_the_process_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-shell")
    monkeypatch.setenv("NRC_PUBLIC_URL", "https://nrc.example.org/")
    settings = Settings.from_env(dotenv=False)
    assert settings.bot_token == "xoxb-shell"
    assert settings.public_url == "https://nrc.example.org"


def test_settings_are_immutable() -> None:
    settings = Settings()
    with pytest.raises(ValidationError):
        settings.port = 1
    changed = settings.model_copy(update={"charter": "other.toml"})
    assert changed.charter == "other.toml" and settings.charter is None
    assert hash(settings) == hash(Settings())


def test_the_mode_follows_what_is_set_one_token_winning_over_oauth() -> None:
    oauth = {"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c", "SLACK_SIGNING_SECRET": "s"}
    settings = Settings.from_env(oauth)
    assert settings.oauth and settings.mode == "serve"
    assert (settings.client_id, settings.client_secret) == ("1.2", "c")
    assert (settings.install_path, settings.redirect_path, settings.redirect_uri) == (
        "/slack/install", "/slack/oauth_redirect", None)
    single = Settings.from_env({**oauth, "SLACK_BOT_TOKEN": "xoxb-1"})
    assert not single.oauth and single.mode == "serve"
    assert not Settings.from_env({"SLACK_CLIENT_ID": "1.2", "SLACK_CLIENT_SECRET": "c"}).oauth
    paths = Settings.from_env({**oauth, "SLACK_INSTALL_PATH": "/install",
                               "SLACK_REDIRECT_URI_PATH": "/back",
                               "SLACK_REDIRECT_URI": "https://nrc.example.org/back"})
    assert (paths.install_path, paths.redirect_path, paths.redirect_uri) == (
        "/install", "/back", "https://nrc.example.org/back")
